"""Every limit and option of strategy-graph, declared once: name, default and what it does."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default value and help."""

    name: str
    default: object
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("fingertips_base_url", "https://fingertips.phe.org.uk/api/", "Base URL of the OHID Fingertips API, for `fingertips --download`."),
    Setting("fingertips_timeout_seconds", 60, "How long `fingertips --download` waits for the API before giving up."),
    Setting("fingertips_max_bytes", 200_000_000, "The largest Fingertips CSV `fingertips --download` will read."),
)
DEFAULTS = {setting.name: setting.default for setting in SETTINGS}
