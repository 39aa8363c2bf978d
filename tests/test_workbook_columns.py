"""The template's notes say which columns are required, and only those (regression: three optional columns of
several lines were declared with "lines" in the place of ``required``, so the template called them required)."""

from openpyxl import load_workbook

from graph.workbook import SHEETS, write_template

# Optional in the data-entry reference (docs/data-entry.md): an outcome's other wordings, a link's assumptions and evidence.
OPTIONAL = {("Outcomes", "also worded"), ("Contributions", "assumptions"), ("Contributions", "evidence")}


def test_columns_of_several_lines_are_optional_and_read_as_lines():
    columns = {(sheet.name, column.name): column for sheet in SHEETS for column in sheet.columns}
    for key in OPTIONAL:
        assert columns[key].required is False, key
        assert columns[key].kind == "lines", key


def test_the_template_calls_no_optional_column_required(tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(path)
    book = load_workbook(path)
    for sheet, column in OPTIONAL:
        headers = {cell.value: cell for cell in book[sheet][1]}
        note = headers[column].comment.text
        assert "Required." not in note, (sheet, column, note)
    # and a required column still says so
    headers = {cell.value: cell for cell in book["Contributions"][1]}
    assert headers["from"].comment.text.endswith("Required.")
