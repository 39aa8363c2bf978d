"""The minimal viewer: what it shows, what it escapes, and what it never leaks."""

import re
import urllib.request

from tests.conftest import DATA, running_server
from viewer import create_app


def test_index_lists_priority_outcomes_and_work_streams_in_document_order(client, layer):
    page = client.get("/").get_data(as_text=True)
    assert "Population and Wellbeing Strategy 2023 to 2028" in page
    assert "Target outcomes (5)" in page and "Work streams (22)" in page
    assert page.index("reduced inequalities from birth across Luton") < page.index("ensuring more housing is decent, safe and secure")


def test_labels_are_escaped():
    client = create_app({"TESTING": True, "DATA": [DATA / "hostile-labels.ttl"]}).test_client()
    page = client.get("/").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;strategy&#39;)&lt;/script&gt;" in page
    assert "No priority recorded." in page


def test_security_headers_forbid_foreign_resources(client):
    response = client.get("/")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_not_found_is_a_plain_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "404 Not Found" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_no_stack_trace():
    app = create_app({"TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail from deep inside")

    response = app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "500 Internal Server Error" in page
    assert "secret detail" not in page and "Traceback" not in page


def test_pages_use_only_the_apps_own_static_files(client):
    page = client.get("/").get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', page)  # links to resource pages are relative
    assert client.get("/static/style.css").status_code == 200


def test_serve_command_serves_the_viewer_over_http(tmp_path):
    with running_server(tmp_path) as base, urllib.request.urlopen(base + "/", timeout=5) as response:
        assert "Work streams (22)" in response.read().decode()
