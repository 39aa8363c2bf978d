"""The structure reader keeps what a page shows: a PDF's headings and paragraphs by their type and spacing,
two lists side by side as two, and a long title on a cover as the title (issue 27).

The documents are invented, shaped like a Scottish Local Outcome Improvement Plan; the PDFs are generated here.
"""

import pytest

from graph.draft import draft

ADJACENT = {
    "md": "# Test data, invented: Westerby Plan 2024 to 2028\n\nOur outcomes:\n\n- Fewer children live in poverty\n"
          "- More people are in fair work\n\n1. Open a jobs hub\n2. Fund a debt advice line\n",
    "html": "<h1>Test data, invented: Westerby Plan 2024 to 2028</h1><p>Our outcomes:</p>"
            "<ul><li>Fewer children live in poverty</li><li>More people are in fair work</li></ul>"
            "<ol><li>Open a jobs hub</li><li>Fund a debt advice line</li></ol>",
}


@pytest.mark.parametrize("kind", ["md", "html"])
def test_two_lists_with_nothing_between_them_are_two_lists(kind, tmp_path):
    path = tmp_path / f"plan.{kind}"
    path.write_text(ADJACENT[kind], encoding="utf-8")
    drafted = draft(path)
    assert [o["outcome"] for o in drafted.rows["Outcomes"]] == ["Fewer children live in poverty", "More people are in fair work"]
    assert any(line.startswith("ambiguous: a list of 2 item(s)") and "('Open a jobs hub') has no lead-in" in line
               for line in drafted.report)
