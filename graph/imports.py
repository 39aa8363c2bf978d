"""The import of staged rows: they are written unless the structural shapes object to them.

Ingest (graph.workbook) stages rows and knows nothing of the gap report; the
gap report (graph.gaps) knows nothing of rows. This module joins the two: it
reads the structural rules' gaps of a graph as problems in the rows staged.
"""

from rdflib import Dataset, URIRef

from graph.gaps import find_gaps, rules_by_id
from graph.vocab import SG
from graph.workbook import Problem


def structural_problems(staged: Dataset, written: Dataset) -> list[Problem]:
    """Problems that the structural shapes found, once the staged rows were written, in the rows themselves.

    ``written`` is the graph after the write, with its reports: the rows were
    validated with everything they link to, as every write is.
    """
    by_id = rules_by_id()
    problems = []
    # Only the gaps on the rows' own things, from the reports of the units that hold them: not every kept report.
    rows = set(staged.subjects(SG.sourceSheet, None))
    for gap in find_gaps(written, about=(node for node in rows if isinstance(node, URIRef))):
        if not by_id[gap.rule].structural:
            continue
        focus = URIRef(gap.focus)
        sheet, number = staged.value(focus, SG.sourceSheet), staged.value(focus, SG.sourceRow)
        if sheet is not None:
            problems.append(Problem(str(sheet), int(number), "", gap.message, gap.fix))
    return sorted(problems, key=lambda p: (p.sheet, p.row, p.problem))
