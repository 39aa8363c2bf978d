"""The query page: saved queries with their parameters, a SPARQL editor, results with links, downloads."""

import json
from typing import Any

from flask import Blueprint, Response, abort, make_response, render_template, request, url_for
from rdflib import BNode, Graph, URIRef

from graph.engine import QueryError
from graph.formats import BY_NAME, RESULTS, media_types
from graph.names import UnknownName, resolve_values
from graph.sparql import bind, saved_queries
from graph.tables import defuse_csv
from graph.vocab import SPARQL_PREFIXES
from viewer.data import get_snapshot
from viewer.downloads import attachment
from viewer.errors import SECURITY_HEADERS
from viewer.reports import SPREADSHEETS
from viewer.sparql import error_response, run

bp = Blueprint("query", __name__)
# The result formats a saved query's answer is downloaded in, each asked of the endpoint by its media type.
DOWNLOADS = {name: media_types(RESULTS)[name] for name in ("csv", "json")}
# The page asks for solutions as JSON and triples as Turtle, and draws a table of either.
_JSON, _TURTLE = media_types(RESULTS)["json"], BY_NAME["ttl"].media_type


def _saved(name: str | None):
    if not name:
        return None
    found = {q.name: q for q in saved_queries()}.get(name)
    if found is None:
        abort(404)
    return found


def _values(saved) -> dict[str, str]:
    """The request's values of a saved query's parameters, as given."""
    return {p.name: request.args.get(f"param.{p.name}", "") for p in (saved.params if saved else ())}


def _resolved(saved, values: dict[str, str]) -> dict[str, str]:
    """``values`` with each thing of the graph, given by workbook id or IRI, as its IRI; UnknownName for one the graph does not hold."""
    return resolve_values(saved.params, values, lambda kind: (iri for iri, _ in get_snapshot().choices(kind)))


def _run(saved, values: dict, accept: str):
    """Bind a saved query and run it in the endpoint's time-limited workers."""
    text = bind(saved, values)
    payload, media_type, truncated = run(text, accept)
    return text, media_type, payload, truncated


# YASGUI styles its panes with inline styles; scripts stay limited to this app's own files.
EDITOR_CSP = SECURITY_HEADERS["Content-Security-Policy"] + "; style-src 'self' 'unsafe-inline'"


@bp.get("/query")
def page() -> Response:
    """Pick a saved query, fill in its parameters and see the results; or write one in the editor."""
    saved = _saved(request.args.get("saved"))
    values = _values(saved)
    options = {p.name: get_snapshot().choices(p.choices) for p in (saved.params if saved else ()) if p.choices}
    context = {"queries": saved_queries(), "saved": saved, "values": values, "options": options, "error": None, "table": None, "downloads": {},
               "editor_text": SPARQL_PREFIXES + "\nSELECT * WHERE {\n  ?s a sg:Outcome ; rdfs:label ?label .\n}\n"}
    status = 200
    if saved is not None:
        context["editor_text"] = saved.text
        try:
            context["values"] = values = _resolved(saved, values)
        except UnknownName as error:  # the page, with the form and what was wrong in it
            context["error"], status = str(error), 404
        if all(values.values()) and status == 200:
            try:
                text, media_type, payload, truncated = _run(saved, values, f"{_JSON}, {_TURTLE}")
                context["editor_text"] = text
                context["table"] = _table(media_type, payload, truncated)
                if media_type != _TURTLE:
                    params: dict[str, Any] = {f"param.{k}": v for k, v in values.items()}  # url_for's **values
                    context["downloads"] = {fmt: url_for("query.download", fmt=fmt, saved=saved.name, **params) for fmt in DOWNLOADS}
            except QueryError as error:
                context["error"] = str(error)
    response = make_response(render_template("query.html", **context), status)
    response.headers["Content-Security-Policy"] = EDITOR_CSP
    return response


@bp.get("/query/results.<fmt>")
def download(fmt: str) -> Response:
    """A saved query's results as a file to keep."""
    if fmt not in DOWNLOADS:
        abort(404)
    saved = _saved(request.args.get("saved")) or abort(400)
    try:
        _, _, payload, _ = _run(saved, _resolved(saved, _values(saved)), DOWNLOADS[fmt])
    except QueryError as error:
        return error_response(error)
    except UnknownName as error:
        return Response(str(error) + "\n", status=404, mimetype="text/plain")
    if fmt == "csv":  # a byte-order mark, so that Excel reads the file as UTF-8 ("–", "→")
        # Meant for a spreadsheet: defused, unlike /sparql's exact text/csv.
        return attachment(Response(b"\xef\xbb\xbf" + defuse_csv(payload.decode("utf-8")).encode("utf-8"), content_type=SPREADSHEETS["csv"]),
                          f"{saved.name}.csv")
    return attachment(Response(payload, mimetype=DOWNLOADS[fmt]), f"{saved.name}.{fmt}")


def _table(media_type: str, payload: bytes, truncated: bool) -> dict:
    """Rows of cells, each a text and, for an IRI, a link to its page."""
    blanks: dict[str, int] = {}
    if media_type == _TURTLE:
        graph = Graph().parse(data=payload, format="turtle")
        kind = lambda t: "uri" if isinstance(t, URIRef) else "bnode" if isinstance(t, BNode) else "literal"
        rows = [[_cell({"type": kind(t), "value": str(t)}, blanks) for t in triple] for triple in sorted(graph)]
        return {"columns": ["subject", "predicate", "object"], "rows": rows, "truncated": truncated}
    data = json.loads(payload)
    if "boolean" in data:
        return {"columns": ["answer"], "rows": [[{"text": "yes" if data["boolean"] else "no"}]], "truncated": False}
    columns = data["head"]["vars"]
    rows = [[_cell(binding.get(c), blanks) for c in columns] for binding in data["results"]["bindings"]]
    return {"columns": columns, "rows": rows, "truncated": truncated}


def _cell(term: dict | None, blanks: dict[str, int]) -> dict:
    if term is None:
        return {"text": ""}
    if term["type"] == "bnode":  # its id is the engine's, meaningless to a reader: numbered as met, one number a node
        return {"text": f"blank node {blanks.setdefault(term['value'], len(blanks) + 1)}"}
    if term["type"] == "uri" and term["value"].startswith(("http://", "https://")):
        return {"text": term["value"], "link": url_for("pages.resource", iri=term["value"])}
    return {"text": term["value"]}
