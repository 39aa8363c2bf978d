"""The route table (viewer/routes.py): the nav shows exactly its nav entries, and it lists every page the viewer serves."""

import re

import pytest
from flask import url_for

from viewer.routes import NAV, PAGES


def _nav(page: str) -> list[tuple[str, str]]:
    """The main nav's links, as (address, words)."""
    nav = page.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]*)">([^<]*)</a>', nav)


@pytest.mark.parametrize("path", ["/", "/gaps", "/no/such/page"])
def test_the_nav_links_exactly_the_tables_nav_entries_in_its_order(app, client, path):
    with app.test_request_context():
        wanted = [(url_for(page.endpoint), page.label) for page in NAV]
    assert _nav(client.get(path).get_data(as_text=True)) == wanted
    assert [label for _, label in wanted] == ["Strategy", "Theory of change", "Gaps", "Analysis", "Causal links", "Owners",
                                              "Network", "Query", "Downloads"]


def test_every_page_the_viewer_serves_is_in_the_table(app):
    # A page is a GET address with no part of its path to fill in (the files and downloads have one); the SPARQL endpoint is a protocol.
    served = {rule.endpoint for rule in app.url_map.iter_rules()
              if "GET" in rule.methods and not rule.arguments and rule.endpoint != "sparql.endpoint"}
    assert served == {page.endpoint for page in PAGES}
