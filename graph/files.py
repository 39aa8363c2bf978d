"""Where the packaged RDF files live, in a source checkout or an installed wheel."""

from pathlib import Path

# A wheel carries the top-level folders inside the package (see pyproject.toml);
# a source checkout or an editable install reads them from the repository.
_IN_WHEEL = Path(__file__).parent / "_files"
ROOT = _IN_WHEEL if _IN_WHEEL.is_dir() else Path(__file__).resolve().parent.parent

ONTOLOGY_DIR = ROOT / "ontology"
DATASETS_DIR = ROOT / "datasets"
SHAPES_DIR = ROOT / "shapes"
QUERIES_DIR = ROOT / "queries"


def ontology_files() -> list[Path]:
    """The vocabulary files: ontology, code lists and alignment."""
    return sorted(ONTOLOGY_DIR.glob("*.ttl"))


def shape_files() -> list[Path]:
    """The shapes a strategy graph is checked against: structure and gap rules."""
    return sorted(SHAPES_DIR.glob("*.ttl"))


def dataset_files() -> list[Path]:
    """The packaged dataset's files, one named graph each."""
    return sorted(DATASETS_DIR.glob("*/*.trig"))


def input_rules() -> list[Path]:
    """SPARQL Update rules run on input files before they join a graph."""
    return sorted((ONTOLOGY_DIR / "rules" / "input").glob("*.ru"))


def graph_rules() -> list[Path]:
    """SPARQL Update rules run on the whole graph after every load."""
    return sorted((ONTOLOGY_DIR / "rules" / "graph").glob("*.ru"))


def unit_rules() -> list[Path]:
    """SPARQL CONSTRUCT rules worked out for each unit of validation, and kept with its report, in the order they run:
    that of their names, each rule reading what those before it derived."""
    return sorted((ONTOLOGY_DIR / "rules" / "unit").glob("*.rq"))
