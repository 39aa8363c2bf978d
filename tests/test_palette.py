"""The static files that repeat graph.palette's colours (they cannot import it) repeat them exactly."""

import re

from graph.palette import ARROW, BOX_FILL, GAP, NETWORK_ARROW, NODE_FILL, ON_DARK
from tests.conftest import REPO

STATIC = REPO / "viewer" / "static"


def _swatches(css: str, scope: str) -> dict[str, str]:
    """The background each kind's swatch takes in the stylesheet, under ``scope`` (a selector before .swatch) or none."""
    return dict(re.findall(rf"(?:^|(?<=}})) *{re.escape(scope)}\.swatch\.(\w+) {{ background: (#[0-9a-f]{{6}}); }}", css, re.M))


def test_the_theory_of_change_legend_shows_the_boxes_colours():
    css = (STATIC / "style.css").read_text(encoding="utf-8")
    assert _swatches(css, "") == BOX_FILL
    assert f".swatch.gap {{ background: #fff; border: 3px solid {GAP}; }}" in css
    theory = (REPO / "viewer" / "templates" / "theory.html").read_text(encoding="utf-8")
    assert f'stroke="{ARROW}"' in theory and theory.count('stroke="#') == 1


def test_the_network_legend_shows_the_nodes_colours_and_its_labels_are_the_colour_they_were_chosen_for():
    css = (STATIC / "style.css").read_text(encoding="utf-8")
    # The network's legend (ul.legend) takes the network's colour of a kind where it differs from the diagram's.
    shown = {**_swatches(css, ""), **_swatches(css, "ul.legend ")}
    assert {kind: shown[kind] for kind in NODE_FILL} == NODE_FILL
    script = (STATIC / "network.js").read_text(encoding="utf-8")
    assert f'font: {{ color: "{ON_DARK}" }}' in script and f'edges: {{ arrows: "to", color: "{NETWORK_ARROW}" }}' in script
