"""A gap rule's fix in the workbook's words: the sheets and columns a strategy lead fills in to close its gaps.

Derived from the one column table, schema.SHEETS, which says what each column
states: the RDF terms a rule's fix names in its asides ("(sg:owner)") are
looked up there, among the sheets of the things the rule checks first.
"""

import re
from dataclasses import dataclass
from functools import cache

from rdflib import URIRef

from graph.engine import Rule
from graph.vocab import PREFIXES
from graph.workbook.schema import SHEETS, Column

# A prefixed name of a vocabulary the project knows, such as sg:owner or sdmx-measure:obsValue.
_TERM = re.compile(r"\b(%s):([A-Za-z][A-Za-z0-9_]*)" % "|".join(map(re.escape, sorted(PREFIXES, key=len, reverse=True))))
_ASIDE = re.compile(r"\s*\(([^()]*)\)")


@dataclass(frozen=True)
class WorkbookFix:
    """How to close a rule's gaps: in plain words, in the workbook, and in the graph."""

    text: str  # the fix without the asides that name RDF terms
    cells: tuple[tuple[str, tuple[str, ...]], ...]  # each sheet to fill in with its columns, in the workbook's order
    terms: tuple[str, ...]  # the RDF terms the fix names, as written, for SPARQL

    @property
    def where(self) -> str:
        """The sheets and columns as a sentence: sheet Outcomes, column 'owner'."""
        return "; ".join(f"sheet {sheet}, column{'s' if len(columns) > 1 else ''} {_listed([repr(c) for c in columns])}"
                         for sheet, columns in self.cells)


def _is_class(term: URIRef) -> bool:
    """Whether a term names a class: by the convention of every vocabulary the project uses, a capital letter."""
    return re.split(r"[/#]", term)[-1][:1].isupper()


def _placed(cells: list[tuple[str, Column]], mine: set[str]) -> list[tuple[str, Column]]:
    """The cells of the rule's sheets, else of the sheets with a cell that refers to one of them."""
    inside = [(s, c) for s, c in cells if s in mine]
    linked = {s for s, c in cells if set(c.refers_to) & mine}
    return inside or [(s, c) for s, c in cells if s in linked]


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@cache
def workbook_fix(rule: Rule) -> WorkbookFix:
    """The rule's fix in the workbook's words.

    The rule's sheets are those of the classes it checks and of the classes
    its fix names. Each property the fix names is filled in at the columns
    that state it in those sheets; else at columns of another sheet that state
    it and refer to one of them (an indicator's 'measures', for an outcome),
    whose sheet then counts as one of the rule's; and, for a rule of no sheet,
    wherever a column states it.
    """
    names = list(dict.fromkeys(m.group(0) for m in _TERM.finditer(rule.fix)))
    terms = [URIRef(PREFIXES[name.split(":", 1)[0]] + name.split(":", 1)[1]) for name in names]
    classes = [t for t in (*rule.targets, *terms) if _is_class(t)]
    mine = {s.name for s in SHEETS if any(s.type == t or any(t in c.stated for c in s.columns) for t in classes)}
    stating = {t: [(s.name, c) for s in SHEETS for c in s.columns if t in c.stated] for t in terms if not _is_class(t)}
    wanted: set[tuple[str, str]] = set()
    pending = [t for t in stating if stating[t]]
    while pending:
        placed = {t: _placed(stating[t], mine) for t in pending}
        placed = {t: cells for t, cells in placed.items() if cells}
        if not placed:
            break
        for cells in placed.values():
            wanted |= {(s, c.name) for s, c in cells}
            mine |= {s for s, _ in cells}
        pending = [t for t in pending if t not in placed]
    if not mine:
        wanted = {(s, c.name) for cells in stating.values() for s, c in cells}
    columns = tuple((s.name, tuple(c.name for c in s.columns if (s.name, c.name) in wanted)) for s in SHEETS
                    if any(sheet == s.name for sheet, _ in wanted))
    text = _ASIDE.sub(lambda m: "" if _TERM.search(m.group(1)) else m.group(0), rule.fix)
    return WorkbookFix(text, columns, tuple(names))
