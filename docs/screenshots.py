"""Take the README walk-through's pictures again, by doing the walk-through as the README states it.

    .venv/bin/python docs/screenshots.py      # after ./dev test has installed Playwright and Chromium

It reads the steps from README.md (tests/readme.py), runs them in a temporary folder with a private
`strategy-graph serve` on a free port, and writes docs/images/1-theory-of-change.png to 4-gap-closed.png through
Debian's /usr/bin/chromium. The workbook's picture is the exported file's Outcomes sheet drawn as an HTML table,
the typed cell marked: it shows the file's cells, not a spreadsheet program.
"""

from __future__ import annotations

import html
import os
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# The commands it runs, and the server, use this checkout's code, wherever the tool was installed from.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))

import openpyxl  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.conftest import CHROMIUM_ARGS  # noqa: E402
from tests.readme import Cell, fetch, local, row_iri, run, walkthrough  # noqa: E402

IMAGES = REPO / "docs" / "images"
MAX_BYTES = 300_000  # each picture stays small enough for the repository (tests/test_readme.py checks it)
WIDE = {"width": 1400, "height": 1000}
PAGE = {"width": 1200, "height": 820}
SHEET_COLUMNS = ("id", "outcome", "priority", "owner", "position")


def main() -> None:
    """Do the walk-through and take its four pictures."""
    walk = walkthrough()
    theory = next(u for u in walk.urls if "/theory-of-change" in u)
    outcome = next(u for u in walk.urls if "/resource?iri=" in u)
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            with closing(run(walk, Path(folder))) as steps:
                for step in steps:
                    if step.command[:2] == ["./dev", "run"]:
                        base = step.base
                        shoot(browser.new_page(viewport=WIDE), local(theory, walk, base), "1-theory-of-change.png")
                        shoot(browser.new_page(viewport=PAGE), local(outcome, walk, base), "2-a-gap.png")
                    elif step.command[1] == "export":
                        workbook = Path(folder) / step.command[step.command.index("-o") + 1]
                        owner = row_iri(workbook, "Organisations", walk.cell.value)
                        page = browser.new_page(viewport={"width": 1100, "height": 400})
                        page.set_content(sheet_html(workbook, walk.cell, workbook.name))
                        save(page.locator("figure").screenshot(), "3-workbook.png")
                    elif step.command[1] == "import":
                        wait_for(local(outcome, walk, base), f'href="/resource?iri={owner}"')
                        shoot(browser.new_page(viewport=PAGE), local(outcome, walk, base), "4-gap-closed.png")
        finally:
            browser.close()


def shoot(page: Page, url: str, name: str) -> None:
    """The first screen of ``url``."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    save(page.screenshot(), name)
    page.close()


def save(png: bytes, name: str) -> None:
    if len(png) >= MAX_BYTES:
        raise SystemExit(f"{name} would be {len(png)} bytes, over {MAX_BYTES}: take a smaller view")
    (IMAGES / name).write_bytes(png)
    print(f"wrote docs/images/{name} ({len(png) // 1000} kB)")


def wait_for(url: str, text: str) -> None:
    """Until the viewer, following its store, shows ``text`` at ``url``: the import has been noticed."""
    deadline = time.monotonic() + 30
    while text not in fetch(url):
        if time.monotonic() > deadline:
            raise SystemExit(f"the viewer did not show the import at {url}")
        time.sleep(0.5)


def sheet_html(workbook: Path, cell: Cell, name: str) -> str:
    """The sheet of ``cell`` as a plain table of its first columns, the typed cell marked, captioned as what it is."""
    sheet = openpyxl.load_workbook(workbook)[cell.sheet]
    header = [c.value for c in sheet[1]]
    columns = [header.index(c) for c in SHEET_COLUMNS if c in header]
    rows = []
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if not any(row):
            break
        cells = []
        for index in columns:
            value = "" if row[index] is None else str(row[index])
            typed = row[header.index("id")] == cell.row_id and header[index] == cell.column
            tag = "th" if number == 1 else "td"
            css = ' class="typed"' if typed else ' class="example"' if number == 2 else ""
            cells.append(f"<{tag}{css}>{html.escape(value)}</{tag}>")
        rows.append(f"<tr><th class=n>{number}</th>{''.join(cells)}</tr>")
    return f"""<!doctype html><meta charset=utf-8><style>
body {{ font: 14px sans-serif; margin: 12px; }} figure {{ margin: 0; display: inline-block; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #bbb; padding: 3px 6px; text-align: left; }}
th {{ background: #e8e8e8; }} th.n {{ color: #555; font-weight: normal; }} td {{ max-width: 330px; }}
td.example {{ color: #777; background: #f2f2f2; }} td.typed {{ outline: 3px solid #c00; background: #fff6d0; }}
figcaption {{ margin-top: 6px; color: #333; }}</style>
<figure><table>{''.join(rows)}</table>
<figcaption>{html.escape(name)}, sheet <b>{html.escape(cell.sheet)}</b> (its first columns): the typed cell is marked.
Drawn from the file by docs/screenshots.py.</figcaption></figure>"""


if __name__ == "__main__":
    main()
