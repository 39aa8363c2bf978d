"""The viewer's pages in one table: the nav links the table's nav entries, and the page tests visit every page it lists.

A page added to a blueprint goes in PAGES too (tests/test_routes.py checks that none is missing).
"""

from dataclasses import dataclass

from flask import Flask, url_for

from viewer import downloads, pages, query, registers, reports, sparql

BLUEPRINTS = (pages.bp, sparql.bp, query.bp, reports.bp, registers.bp, downloads.bp)


@dataclass(frozen=True)
class Page:
    """A page: its view, its link's words in the nav (None: the nav does not link it), and the query strings a test visits it with.

    A query string may name an example resource as {outcome} or {indicator}: each test fills in its own data's.
    """

    endpoint: str
    label: str | None
    visits: tuple[str, ...] = ("",)


PAGES = (
    Page("pages.index", "Strategy"),
    Page("reports.theory_of_change", "Theory of change", ("", "?outcome={outcome}")),
    Page("reports.gaps", "Gaps", ("", "?severity=violation")),
    Page("reports.analysis", "Analysis"),
    Page("registers.contributions", "Causal links"),
    Page("registers.owners", "Owners"),
    Page("reports.network", "Network"),
    Page("query.page", "Query", ("", "?saved=life-course-coverage")),
    Page("downloads.page", "Downloads"),
    Page("pages.search", None, ("?q=housing",)),  # the nav's search form sends to it
    Page("pages.resource", None, ("?iri={outcome}", "?iri={indicator}")),
)
NAV = tuple(page for page in PAGES if page.label is not None)


def register(app: Flask) -> None:
    """Give ``app`` the viewer's blueprints, and its templates the nav."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.jinja_env.globals["nav"] = NAV


def addresses(**examples: str) -> list[str]:
    """Every page's addresses, a visit each, the examples filled in: for tests, so built on a bare app (no store opened)."""
    app = Flask(__name__)
    register(app)
    with app.test_request_context():
        return [url_for(page.endpoint) + visit.format(**examples) for page in PAGES for visit in page.visits]
