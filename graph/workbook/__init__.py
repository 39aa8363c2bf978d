"""Spreadsheets in and out: the template, import that reports every problem, export in the template's shape.

One table, schema.SHEETS, says what each sheet and column holds and states;
the template and the file reader (sheets), the import (to_rdf) and the
export (from_rdf) all follow it.
"""

from graph.workbook.from_rdf import ExportError, export, workbook_rows
from graph.workbook.schema import EXAMPLE, ONS_AREA, SHEETS, Problem, WorkbookError
from graph.workbook.sheets import choice_lists, read_workbook, write_template
from graph.workbook.to_rdf import build_graph, decimal_literal, read_amount

__all__ = ["EXAMPLE", "ONS_AREA", "SHEETS", "ExportError", "Problem", "WorkbookError", "build_graph", "choice_lists",
           "decimal_literal", "export", "read_amount", "read_workbook", "workbook_rows", "write_template"]
