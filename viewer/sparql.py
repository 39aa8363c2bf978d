"""The SPARQL 1.1 endpoint: read-only, time-limited, and for this store's graphs only."""

from flask import Blueprint, Flask, Response, current_app, request
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from graph.engine.workers import QueryService
from graph.formats import BY_NAME
from graph.sparql import GRAPH_FORMATS, QueryError, negotiate
from viewer.data import get_snapshot

bp = Blueprint("sparql", __name__)
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept",
}


def init_app(app: Flask) -> None:
    """The query workers, started with the server on the snapshot it serves, and switched with it."""
    settings = app.config["SETTINGS"]
    # Flask's default config holds MAX_CONTENT_LENGTH = None, so setdefault would not apply.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = settings["max_post_body_bytes"]
    app.config["SPARQL_MAX_QUERY_BYTES"] = settings["sparql_max_query_bytes"]
    # Queries are parsed, run and written in the workers, under the time limit:
    # nothing a client sends is parsed in the web process.
    service = QueryService(settings)
    service.start(app.extensions["snapshot"].generation)
    app.extensions["sparql"] = service
    app.extensions.setdefault("snapshot_listeners", []).append(lambda snapshot: service.switch(snapshot.generation))


def run(text: str, accept: str, protocol_dataset=None) -> tuple[bytes, str, bool]:
    """Run a query in the workers, on the snapshot this request reads."""
    return current_app.extensions["sparql"].run(text, accept, protocol_dataset, generation=get_snapshot().generation)


def _error(error: QueryError) -> Response:
    return Response(str(error) + "\n", status=error.status, mimetype="text/plain")


@bp.after_request
def allow_cross_origin_reads(response: Response) -> Response:
    response.headers.update(CORS)
    return response


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    """SPARQL 1.1 Protocol for queries: GET, POST form, POST application/sparql-query."""
    if request.method == "OPTIONS":
        return Response(status=204)
    if "update" in request.values or request.mimetype == "application/sparql-update":
        return _error(QueryError("updates are not accepted: this endpoint is read-only", 403))
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        text = request.get_data(as_text=True)
    elif request.method == "POST" and request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return _error(QueryError("a POST takes application/sparql-query or a form with query=", 415))
    else:
        text = request.values.get("query")
    if text is None:
        return _service_description()
    if len(text.encode("utf-8")) > current_app.config["SPARQL_MAX_QUERY_BYTES"]:
        return _error(QueryError(f"the query is longer than {current_app.config['SPARQL_MAX_QUERY_BYTES']} bytes", 413))
    default_graphs, named_graphs = request.values.getlist("default-graph-uri"), request.values.getlist("named-graph-uri")
    protocol_dataset = (default_graphs, named_graphs) if default_graphs or named_graphs else None
    try:
        payload, media_type, truncated = run(text, request.headers.get("Accept", "*/*"), protocol_dataset)
    except QueryError as error:
        return _error(error)
    response = Response(payload, mimetype=media_type)
    if truncated:
        response.headers["X-Result-Truncated"] = f"only the first {current_app.config['SETTINGS']['sparql_max_rows']} results are given"
    return response


def _service_description() -> Response:
    """What the endpoint offers, in the SPARQL 1.1 Service Description vocabulary."""
    sd = Graph(bind_namespaces="none")
    sd.bind("sd", SD)
    service = BNode()
    sd.add((service, RDF.type, SD.Service))
    sd.add((service, SD.endpoint, URIRef(request.base_url)))
    sd.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    sd.add((service, SD.feature, SD.UnionDefaultGraph))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle", "N-Triples", "RDF_XML", "JSON-LD"):
        sd.add((service, SD.resultFormat, FORMATS_NS[name]))
    dataset, default = BNode(), BNode()
    sd.add((service, SD.defaultDataset, dataset))
    sd.add((dataset, RDF.type, SD.Dataset))
    sd.add((dataset, SD.defaultGraph, default))
    sd.add((default, RDF.type, SD.Graph))
    for iri in sorted(get_snapshot().graphs):
        named = BNode()
        sd.add((dataset, SD.namedGraph, named))
        sd.add((named, SD.name, URIRef(iri)))
    sd.add((service, URIRef("http://purl.org/dc/terms/description"), Literal("Read-only SPARQL 1.1 query endpoint of strategy-graph.")))
    fmt = negotiate(request.headers.get("Accept", "*/*"), "DESCRIBE") or "ttl"
    return Response(sd.serialize(format=BY_NAME[fmt].plugin, encoding="utf-8"), mimetype=GRAPH_FORMATS[fmt])
