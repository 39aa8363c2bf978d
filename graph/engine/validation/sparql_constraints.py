"""SPARQL-based constraints (SHACL section 5): each sh:sparql SELECT, run once for all the focus nodes of its shape."""

from collections.abc import Iterator
from functools import partial
from typing import cast

import pyoxigraph
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from graph.engine.store import rdflib_term as from_ox
from graph.engine.validation import pyshacl_adapter
from graph.engine.validation.prebinding import prebind
from graph.engine.validation.report import Check, Result, Source
from graph.engine.validation.shapes import Unsupported, deactivated, one


def sparql_checks(shapes: Graph, source: Source, focus: str, is_property: bool) -> list[Check]:
    """One check per sh:sparql constraint of the shape: its SELECT, with $this joined to the focus nodes."""
    checks = []
    for constraint in shapes.objects(source.shape, SH.sparql):
        selects = list(shapes.objects(constraint, SH.select))
        if len(selects) != 1 or not isinstance(selects[0], Literal) or not isinstance(selects[0].value, str):
            raise Unsupported("sh:sparql needs exactly one sh:select string")
        if (constraint, SH.ask, None) in shapes:
            raise Unsupported("sh:ask")
        messages = list(shapes.objects(constraint, SH.message))
        if not all(isinstance(m, Literal) and isinstance(m.value, str) for m in messages):
            raise Unsupported("sh:message of a SPARQL constraint must be a string")
        if deactivated(shapes, constraint):
            continue
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in _prefixes(shapes, constraint).items())
        query = prologue + "\n" + prebind(str(selects[0].value), focus)
        # pySHACL reports the constraint's messages and the shape's, each with the row's values put in.
        checks.append(Check(query, partial(_sparql_results, source, constraint,
                                            tuple(dict.fromkeys([*messages, *source.messages])), is_property)))
    return checks


def _sparql_results(source: Source, constraint: Node, messages: tuple, is_property: bool,
                    rows: pyoxigraph.QuerySolutions) -> Iterator[Result]:
    """Results from a SELECT's rows, built as pySHACL builds them from each focus node's rows."""
    names = [v.value for v in rows.variables]
    seen: set[tuple] = set()
    for row in rows:
        bound = {n: from_ox(row[n]) for n in names if row[n] is not None}
        focus = cast(Node, bound.get("this"))  # prebind binds ?this in every row
        if "failure" in bound:
            del bound["failure"]
            if (focus, "failure") not in seen:  # pySHACL reports one failure per focus node
                seen.add((focus, "failure"))
                yield Result(focus, source, SH.SPARQLConstraintComponent, _fill(messages, bound),
                              None if is_property else focus, constraint=constraint)
            continue
        path, value, this = bound.pop("path", None), bound.pop("value", None), bound.pop("this", None)
        key = (focus, this, path, value, tuple(bound.items()))
        if key in seen:
            continue
        seen.add(key)
        if value is None and not is_property:
            value = focus
        filled = _fill(messages, {"this": this, "path": path, "value": value, **bound})
        yield Result(this if this is not None else focus, source, SH.SPARQLConstraintComponent, filled,
                      value, path, constraint)


def _fill(messages: tuple, names: dict) -> tuple:
    """Messages with {?var} / {$var} replaced by str() of the bindings (pyshacl_adapter.fill, as pySHACL is made to)."""
    if not messages:
        return (Literal("sh:SPARQLConstraintComponent is not satisfied"),)
    filled = []
    for message in messages:
        if not isinstance(message, Literal):
            filled.append(message)
            continue
        filled.append(Literal(pyshacl_adapter.fill(str(message.value), names)))
    return tuple(filled)


def _prefixes(shapes: Graph, constraint: Node) -> dict[str, str]:
    """The prefixes of a SPARQL constraint: SHACL's sh:prefixes/owl:imports*/sh:declare, and those pySHACL adds.

    pySHACL (SPARQLQueryHelper.collect_prefixes) does not follow owl:imports,
    but rdflib lends it the data graph's Turtle prefixes; Oxigraph has none.
    """
    prefixes = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
    graph_declares = set(shapes.objects(shapes.identifier, SH.declare))
    ontologies = set(shapes.subjects(RDF.type, OWL.Ontology))
    everywhere = graph_declares | {d for o in ontologies for d in shapes.objects(o, SH.declare)}
    for holder in shapes.objects(constraint, SH.prefixes):
        imported = set(shapes.transitive_objects(holder, OWL.imports)) - {holder}
        own = set(shapes.objects(holder, SH.declare)) | {d for i in imported for d in shapes.objects(i, SH.declare)}
        for declaration in (own | graph_declares) if own and holder in ontologies else (everywhere | own):
            prefix, namespace = one(shapes, declaration, SH.prefix), one(shapes, declaration, SH.namespace)
            if not (isinstance(prefix, Literal) and isinstance(prefix.value, str) and isinstance(namespace, Literal)
                    and (isinstance(namespace.value, str) or namespace.datatype == XSD.anyURI)):
                raise Unsupported("malformed sh:declare")
            prefixes[str(prefix.value)] = str(namespace.value)
    return prefixes

