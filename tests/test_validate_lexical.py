"""Plain validation of literals the store would rewrite ("21.660"^^xsd:decimal): the engine, judging them as written."""

from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import SH, XSD

from graph.engine import validate_files
from graph.engine.validation import files as validation_files
from graph.engine.validation.pyshacl_adapter import validate_graph

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
# Values as a spreadsheet writes them: the store would hold 21.66, 3, 0.5.
DATA = PREFIXES + """
ex:a a ex:Reading ; ex:value "21.660"^^xsd:decimal ; ex:code "AB-1" .
ex:b a ex:Reading ; ex:value "3.0"^^xsd:decimal ; ex:code "ab" .
ex:c a ex:Reading ; ex:value "0.50"^^xsd:decimal .
"""
# By value only: a range, a datatype, a count, and SPARQL that compares numbers.
BY_VALUE = PREFIXES + """
ex:Readings a sh:NodeShape ; sh:targetClass ex:Reading ;
    sh:property [ sh:path ex:value ; sh:datatype xsd:decimal ; sh:maxCount 1 ; sh:minInclusive 1 ; sh:message "value" ] ;
    sh:property [ sh:path ex:code ; sh:pattern "^[A-Z]+-[0-9]$" ; sh:message "code" ] ;
    sh:sparql [ sh:message "{$this} reads {?v}, {?text}" ; sh:select '''
        SELECT $this ?v ?text WHERE { $this <https://example.org/value> ?v . FILTER (?v < 10) BIND (STR(?v) AS ?text) }''' ] .
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _term(term):
    """A simple literal as RDF 1.1 has it, an xsd:string (rdflib tells the two apart)."""
    if isinstance(term, Literal) and term.datatype is None and not term.language:
        return Literal(str(term), datatype=XSD.string)
    return term


def _results(report: Graph) -> set:
    return {(report.value(r, SH.focusNode), _term(report.value(r, SH.value)),
             report.value(r, SH.sourceConstraintComponent), frozenset(str(m) for m in report.objects(r, SH.resultMessage)))
            for r in report.subjects(SH.focusNode, None)}


def _pyshacl(data: Path, shapes: Path) -> set:
    return _results(validate_graph(Graph().parse(data), Graph().parse(shapes)))


def test_literals_the_store_would_rewrite_are_validated_by_the_engine_as_written(tmp_path, monkeypatch):
    """Regression: one such literal sent the whole run to pySHACL (14.7 s for one strategy, 346 s for 20)."""
    data, shapes = _write(tmp_path, "data.ttl", DATA), _write(tmp_path, "shapes.ttl", BY_VALUE)
    expected = _pyshacl(data, shapes)

    def whole_run(*_):
        raise AssertionError("the whole run went to pySHACL")
    monkeypatch.setattr(validation_files, "validate_graph", whole_run)
    validated = validate_files([data], [shapes])
    assert not validated.by_pyshacl
    assert len(validated.exact_terms) == 3
    found = _results(validated.report)
    assert found == expected
    # As written, in the report and in the SPARQL's STR(): 3.0, not 3.
    messages = {m for *_, ms in found for m in ms}
    assert "https://example.org/b reads 3.0, 3.0" in messages
    assert any(str(value) == "0.50" for _, value, _, _ in found)


@pytest.mark.parametrize("constraint", [
    'sh:path ex:value ; sh:pattern "^[0-9]+[.][0-9]$"',
    'sh:path ex:value ; sh:maxLength 3',
    'sh:path ex:value ; sh:in ( 21.66 3 0.5 )',
    'sh:path ex:value ; sh:hasValue 3',
])
def test_a_shape_that_sees_how_a_literal_is_written_is_validated_by_pyshacl(constraint, tmp_path):
    shapes = _write(tmp_path, "shapes.ttl", PREFIXES + f"ex:S a sh:NodeShape ; sh:targetClass ex:Reading ; "
                                                      f"sh:property [ {constraint} ; sh:message \"m\" ] .")
    data = _write(tmp_path, "data.ttl", DATA)
    validated = validate_files([data], [shapes])
    assert not validated.by_pyshacl
    assert _results(validated.report) == _pyshacl(data, shapes)
    assert _results(validated.report)  # each of them finds something, as written


def test_two_written_forms_of_one_value_send_the_run_to_pyshacl(tmp_path):
    """1.0 and 1.00 would be one term in the store: counts and joins could not tell them apart."""
    data = _write(tmp_path, "data.ttl", PREFIXES + 'ex:a a ex:Reading ; ex:value "1.0"^^xsd:decimal, "1.00"^^xsd:decimal .')
    shapes = _write(tmp_path, "shapes.ttl", BY_VALUE)
    validated = validate_files([data], [shapes])
    assert validated.by_pyshacl
    assert _results(validated.report) == _pyshacl(data, shapes)
    assert any(c == SH.MaxCountConstraintComponent for _, _, c, _ in _results(validated.report))
