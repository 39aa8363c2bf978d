"""Every page template checked by axe-core in Debian's Chromium: no critical or serious violation.

axe-core comes from npm (./dev test installs it into the virtual environment's node/ folder) and is
injected from that file: the page's own Content-Security-Policy is bypassed for it alone.
"""

import sys
from pathlib import Path

import pytest

from tests.test_viewer_pages import INDICATOR, SAFER
from viewer.routes import addresses

AXE = Path(sys.prefix) / "node" / "node_modules" / "axe-core" / "axe.min.js"
TEMPLATES = [*addresses(outcome=SAFER, indicator=INDICATOR), "/no/such/page"]  # every page, and the error page's template


@pytest.fixture(scope="module")
def page(browser):
    assert AXE.is_file(), f"{AXE} is missing: ./dev test installs axe-core from npm"
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", TEMPLATES)
def test_no_critical_or_serious_accessibility_violation(page, luton_server, path):
    page.goto(luton_server + path)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"] if v["impact"] in ("critical", "serious")]
    assert found == [], path
