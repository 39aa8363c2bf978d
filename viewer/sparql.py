"""The SPARQL 1.1 endpoint: read-only, time-limited, and for this store's graphs only."""

import codecs
import threading
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, Response, current_app, request
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from werkzeug.datastructures import MIMEAccept, MultiDict
from werkzeug.http import parse_accept_header

from graph.engine import QueryError, RunawayCheck, Store
from graph.formats import BY_NAME, FORMS, answer_formats
from graph.settings import check_choice
from graph.sparql import saved_queries
from viewer.data import Snapshot, get_snapshot

bp = Blueprint("sparql", __name__)
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept",
}
# The Accept header the saved queries are answered for ahead of time: a client
# that states no preference gets the same formats as the query page asks for.
WARMED_ACCEPT = "*/*"
# The HTTP status of each reason a query is refused or not answered (graph.engine.query.REASONS).
STATUS = {"malformed": 400, "refused": 400, "read-only": 403, "not-acceptable": 406, "too-large": 413,
          "failed": 500, "timed-out": 503, "too-costly": 503, "busy": 503, "unavailable": 503}
# When to ask again (Retry-After, in seconds) after a 503 that waiting cures: a
# worker is free as soon as one query ends; a stopped service takes longer.
RETRY_AFTER = {"busy": 1, "unavailable": 5}
# How long to wait before probing again a server whose handling of runaway queries could not be told.
RUNAWAY_RECHECK_SECONDS = 60


def formats_accepted(accept: str | None) -> dict[str, str | None]:
    """For each query form, the format the Accept header prefers among those it is written in (None: none of them)."""
    accepted = parse_accept_header(accept or "*/*", MIMEAccept)
    named = {value for value, quality in accepted if quality > 0}
    chosen = {}
    for form in FORMS:
        offers: dict[str, str] = {}  # media type to format name, ours first: a client that accepts anything gets the first
        for name, fmt in answer_formats(form).items():
            offers.setdefault(fmt.media_type, name)
        # A media type a format goes by under another name is offered only to a client that names it, or a
        # wildcard would reach a format through its alias that the client refused by its own name (q=0).
        for name, fmt in answer_formats(form).items():
            for alias in fmt.aliases:
                if alias in named:
                    offers.setdefault(alias, name)
        chosen[form] = offers.get(accepted.best_match(list(offers)))
    return chosen


class Answers:
    """Answers already given, by snapshot, query, the formats chosen for it and protocol dataset.

    A snapshot never changes, so an answer stays right for as long as its
    snapshot is served; answers of other snapshots are dropped when it is
    replaced. At most ``max_bytes`` of answers are kept, the least recently
    used going first.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._kept: OrderedDict = OrderedDict()
        self._bytes = 0
        self._current = None  # the snapshot served, once keep_only has named one
        self._lock = threading.Lock()

    def get(self, key: tuple):
        with self._lock:
            answer = self._kept.get(key)
            if answer is not None:
                self._kept.move_to_end(key)
            return answer

    def put(self, key: tuple, answer: tuple[bytes, str, bool]) -> None:
        size = len(answer[0])
        if size > self.max_bytes:
            return
        with self._lock:
            # A request still reading a replaced snapshot does not fill the room of the served one.
            if key in self._kept or (self._current is not None and key[0] != self._current):
                return
            self._kept[key] = answer
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._kept.popitem(last=False)
                self._bytes -= len(dropped[0])

    def keep_only(self, generation) -> None:
        """Drop the answers of every snapshot but ``generation``'s."""
        with self._lock:
            self._current = generation
            for key in [k for k in self._kept if k[0] != generation]:
                self._bytes -= len(self._kept.pop(key)[0])


def init_app(app: Flask) -> None:
    """The query workers, started with the server on the snapshot it serves, and switched with it."""
    settings = app.config["SETTINGS"]
    # Flask's default config holds MAX_CONTENT_LENGTH = None, so setdefault would not apply.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = settings["max_post_body_bytes"]
    app.config["SPARQL_MAX_QUERY_BYTES"] = settings["sparql_max_query_bytes"]
    # Queries are parsed, run and written in the workers, under the time limit:
    # nothing a client sends is parsed in the web process.
    store: Store = app.extensions["store"]
    service = store.query_service(settings)
    service.start(app.extensions["snapshot"].generation)
    app.extensions["sparql"] = service
    answers = app.extensions["sparql_answers"] = Answers(settings["sparql_answers_bytes"])
    ahead = app.extensions["sparql_ahead"] = Ahead(app)

    def switched(snapshot: Snapshot) -> None:
        service.switch(snapshot.generation)
        answers.keep_only(snapshot.generation)
        ahead.restart(snapshot)

    app.extensions.setdefault("snapshot_listeners", []).append(switched)
    ahead.restart(app.extensions["snapshot"])
    probe = store.runaway_probe()
    app.extensions["sparql_runaways"] = Runaways(app, str(store), probe) if probe is not None else None


class Runaways:
    """Whether the SPARQL server behind a viewer stops runaway queries, found out in the background when it starts.

    The endpoint gives up on a query at the time limit; a server that runs on
    (Oxigraph server 0.5, whose --timeout-s is checked only while it reads
    statements) stays busy, and a few clients can fill its cores. Under
    ``remote_runaway_check`` = refuse, /sparql answers only the saved queries
    until the server is seen to stop one; warn only logs what was found.
    """

    def __init__(self, app: Flask, server: str, probe: Callable[[float], RunawayCheck]):
        settings = app.config["SETTINGS"]
        self.mode = settings["remote_runaway_check"]
        check_choice("remote_runaway_check", self.mode)
        self.found: RunawayCheck | None = None
        self.saved = frozenset(q.text for q in saved_queries() if not q.params)
        if self.mode != "off":
            seconds, stop = float(settings["sparql_time_limit_seconds"]), app.extensions["stop_following"]
            threading.Thread(target=self._probe, args=(app, server, probe, seconds, stop), name="runaway-check",
                             daemon=True).start()

    def _probe(self, app: Flask, server: str, probe: Callable[[float], RunawayCheck], seconds: float,
               stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.found = probe(seconds)
            except Exception as error:  # noqa: BLE001 — a probe that fails tells nothing; it is tried again
                self.found = RunawayCheck(None, f"the probe failed: {type(error).__name__}: {error}")
            if self.found.stops:
                app.logger.info("the SPARQL server %s stops runaway queries: %s", server, self.found.seen)
                return
            app.logger.warning(
                "the SPARQL server %s %s a query that ran past the %g s time limit: %s. %s Serve the store yourself "
                "(serve --store), whose query workers are stopped at the limit, or set remote_runaway_check=%s.",
                server, "may not stop" if self.found.stops is None else "did not stop", seconds, self.found.seen,
                "/sparql answers only the saved queries." if self.mode == "refuse" else "/sparql answers every query anyway.",
                "warn to answer every query anyway" if self.mode == "refuse" else "refuse to answer only the saved queries")
            if self.found.stops is False or stop.wait(RUNAWAY_RECHECK_SECONDS):
                return

    def refusal(self, text: str) -> QueryError | None:
        """Why /sparql does not pass ``text`` on to the server, if it does not."""
        if self.mode != "refuse" or text in self.saved or (self.found is not None and self.found.stops):
            return None
        if self.found is None:
            return QueryError("checking that the store's server stops runaway queries; try again in a few seconds", "unavailable")
        if self.found.stops is None:
            return QueryError("this endpoint answers only the saved queries until it can tell that the store's server "
                              "stops a query that runs past the time limit; try again in a minute", "unavailable")
        return QueryError("this endpoint answers only the saved queries: the store's server does not stop a query "
                          "that runs past the time limit", "unavailable")


class Ahead:
    """Every parameterless saved query answered on the snapshot served, in the background, as soon as it is served.

    What they answer depends only on the data, so it is worked out when the
    data changes rather than when someone first asks: one at a time, each
    within ``sparql_precompute_seconds`` rather than the request limit, and
    kept by the query service beside the store's generation, so that a
    restart, or a second server, reads it rather than working it out again.
    A request for one not worked out yet moves it to the front and waits for
    it (``wait``), for as long as at most two of them take.
    """

    def __init__(self, app: Flask):
        self.app = app
        self.texts = [q.text for q in saved_queries() if not q.params]
        self.formats = formats_accepted(WARMED_ACCEPT)
        self._seconds = float(app.config["SETTINGS"]["sparql_precompute_seconds"])
        # Requests waiting here hold web server threads, so no more wait than run queries at once.
        self._room = threading.BoundedSemaphore(int(app.config["SETTINGS"]["sparql_workers"]))
        self._changed = threading.Condition()  # guards the state below
        self._snapshot: Snapshot | None = None
        self._pending: list[str] = []  # to work out on it, the next first
        self._working: str | None = None

    def restart(self, snapshot: Snapshot) -> None:
        """Work every one out on ``snapshot`` (reading back those kept), dropping what was left to do on the last."""
        with self._changed:
            self._snapshot, self._pending = snapshot, list(self.texts)
            self._changed.notify_all()
        threading.Thread(target=self._work, args=(snapshot,), name="saved-query-answers", daemon=True).start()

    def wait(self, text: str, generation) -> None:
        """Until saved query ``text`` is worked out ahead on ``generation``, if it is to be: asked for, it goes next."""
        if not self._room.acquire(blocking=False):
            return
        try:
            with self._changed:
                if self._snapshot is None or self._snapshot.generation != generation:
                    return
                if text in self._pending:
                    self._pending.remove(text)
                    self._pending.insert(0, text)
                elif text != self._working:
                    return  # done already, or failed: a worker answers
                # The one in hand, then this one, each stopped at the budget; the bound is only a guard.
                self._changed.wait_for(lambda: (text not in self._pending and text != self._working)
                                       or self._snapshot is None or self._snapshot.generation != generation,
                                       2 * self._seconds + 1)
        finally:
            self._room.release()

    def _work(self, snapshot: Snapshot) -> None:
        app, stop = self.app, self.app.extensions["stop_following"]
        while True:
            with self._changed:
                if self._snapshot is not snapshot or stop.is_set() or not self._pending:
                    return  # replaced meanwhile (the next one's thread works on), closing, or done
                text = self._working = self._pending.pop(0)
            try:
                answer = app.extensions["sparql"].precompute(
                    text, self.formats, snapshot.generation, wanted=lambda: self._snapshot is snapshot and not stop.is_set())
                app.extensions["sparql_answers"].put(_key(snapshot.generation, text, self.formats, None, None), answer)
            except QueryError as error:  # over a limit, say: a request gets the same error itself
                # Else the app closed under it (and stopped the workers), or a newer snapshot is served: not the query's fault.
                if not stop.is_set() and self._snapshot is snapshot:
                    name = next(q.name for q in saved_queries() if q.text == text)
                    app.logger.warning("saved query %s not answered ahead: %s", name, error)
            finally:
                with self._changed:
                    if self._working == text:
                        self._working = None
                    self._changed.notify_all()


def _key(generation, text: str, formats: dict[str, str | None], protocol_dataset, base_iri: str | None) -> tuple:
    dataset = None if protocol_dataset is None else tuple(map(tuple, protocol_dataset))
    return (generation, text, tuple(formats.items()), dataset, base_iri)


def _answer(app: Flask, text: str, accept: str, protocol_dataset, generation, base_iri: str | None = None) -> tuple[bytes, str, bool]:
    formats = formats_accepted(accept)
    answers, ahead = app.extensions["sparql_answers"], app.extensions["sparql_ahead"]
    # An answer worked out with no base IRI holds for every base: its query had no relative IRI, or it would have failed.
    answer = answers.get(_key(generation, text, formats, protocol_dataset, None)) or \
        answers.get(_key(generation, text, formats, protocol_dataset, base_iri))
    if answer is None and protocol_dataset is None and formats == ahead.formats and text in ahead.texts:
        # A saved query worked out ahead: kept by the service (by this process, or an earlier or another one), or
        # being worked out, beyond the request limit. Never refused because it is not ready yet.
        answer = app.extensions["sparql"].kept(text, formats, generation)
        if answer is None:
            ahead.wait(text, generation)
            answer = answers.get(_key(generation, text, formats, None, None)) or \
                app.extensions["sparql"].kept(text, formats, generation)
        if answer is not None:
            answers.put(_key(generation, text, formats, None, None), answer)
    if answer is None:
        answer = app.extensions["sparql"].run(text, formats, protocol_dataset, generation=generation, base_iri=base_iri)
        answers.put(_key(generation, text, formats, protocol_dataset, base_iri), answer)
    return answer


def run(text: str, accept: str, protocol_dataset=None, base_iri: str | None = None) -> tuple[bytes, str, bool]:
    """A query's answer on the snapshot this request reads: kept from before, or worked out by a worker.

    Relative IRIs of the query resolve against ``base_iri``; with none, they are an error.
    """
    return _answer(current_app._get_current_object(), text, accept, protocol_dataset, get_snapshot().generation, base_iri)


def error_response(error: QueryError) -> Response:
    """A refused or unanswered query as a plain-text answer with its HTTP status."""
    response = _refusal(str(error), STATUS[error.reason])
    if error.reason in RETRY_AFTER:
        response.headers["Retry-After"] = str(RETRY_AFTER[error.reason])
    return response


def _refusal(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


@bp.after_request
def allow_cross_origin_reads(response: Response) -> Response:
    response.headers.update(CORS)
    return response


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    """SPARQL 1.1 Protocol for queries: GET, POST form, POST application/sparql-query."""
    if request.method == "OPTIONS":
        return Response(status=204)
    try:
        params, body_query = _parameters()
    except _BadRequest as error:
        return _refusal(str(error), error.status)
    if "update" in params or request.mimetype == "application/sparql-update":
        return error_response(QueryError("updates are not accepted: this endpoint is read-only", "read-only"))
    queries = params.getlist("query") + ([body_query] if body_query is not None else [])
    if len(queries) > 1:
        return _refusal(f"{len(queries)} queries were given (query= parameters and body): a request takes one", 400)
    if not queries:
        return _service_description()
    text = queries[0]
    if len(text.encode("utf-8")) > current_app.config["SPARQL_MAX_QUERY_BYTES"]:
        return _refusal(f"the query is longer than {current_app.config['SPARQL_MAX_QUERY_BYTES']} bytes", 413)
    runaways = current_app.extensions["sparql_runaways"]
    refused = runaways and runaways.refusal(text)
    if refused:
        return error_response(refused)
    default_graphs, named_graphs = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    protocol_dataset = (default_graphs, named_graphs) if default_graphs or named_graphs else None
    try:
        payload, media_type, truncated = run(text, request.headers.get("Accept", "*/*"), protocol_dataset, request.base_url)
    except QueryError as error:
        return error_response(error)
    response = Response(payload, mimetype=media_type)
    if truncated:
        response.headers["X-Result-Truncated"] = f"only the first {current_app.config['SETTINGS']['sparql_max_rows']} results are given"
    return response


class _BadRequest(Exception):
    """A request whose parameters or body cannot be read: the message says why, ``status`` is the answer's."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _parameters() -> tuple[MultiDict, str | None]:
    """The request's parameters (the URL's and a form body's) and a query sent as the body, each decoded strictly.

    Werkzeug reads parameters as UTF-8 and replaces what is not; here a form is
    decoded by the charset its Content-Type declares (a direct query is UTF-8
    only), and bytes that are not text in it are refused rather than changed.
    """
    pairs = _decoded(request.query_string, "utf-8", "the URL's parameters")
    if request.method != "POST":
        return MultiDict(pairs), None
    charset = request.mimetype_params.get("charset", "utf-8")
    try:
        codec = codecs.lookup(charset)
    except LookupError:
        raise _BadRequest(f"the body's charset {charset!r} is not one this endpoint knows; send UTF-8", 415) from None
    if request.mimetype == "application/sparql-query":
        if codec.name != "utf-8":  # its registration (SPARQL 1.1 Query, appendix C) says always UTF-8
            raise _BadRequest(f"application/sparql-query is always UTF-8, not {charset}; send a form to use another charset", 415)
        try:
            return MultiDict(pairs), request.get_data().decode(charset)
        except UnicodeDecodeError as error:
            raise _BadRequest(f"the query is not {charset} text (its byte {error.start})") from None
    if request.mimetype == "application/x-www-form-urlencoded":
        return MultiDict(pairs + _decoded(request.get_data(), charset, "the form")), None
    if request.mimetype == "multipart/form-data":
        return MultiDict(pairs + list(request.form.items(multi=True))), None
    raise _BadRequest("a POST takes application/sparql-query or a form with query=", 415)


def _decoded(encoded: bytes, charset: str, where: str) -> list[tuple[str, str]]:
    """The name-value pairs of a URL-encoded text (RFC 3986 percent-escapes of ``charset`` bytes)."""
    try:
        pairs = parse_qsl(encoded.decode("ascii"), keep_blank_values=True, encoding=charset, errors="strict")
    except UnicodeError as error:
        raise _BadRequest(f"{where}: not percent-encoded {charset} text ({error.reason} at byte {error.start})") from None
    return pairs


def _service_description() -> Response:
    """What the endpoint offers, in the SPARQL 1.1 Service Description vocabulary."""
    sd = Graph(bind_namespaces="none")
    sd.bind("sd", SD)
    service = BNode()
    sd.add((service, RDF.type, SD.Service))
    sd.add((service, SD.endpoint, URIRef(request.base_url)))
    sd.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    sd.add((service, SD.feature, SD.UnionDefaultGraph))
    for w3c in dict.fromkeys(f.w3c for form in FORMS for f in answer_formats(form).values()):
        sd.add((service, SD.resultFormat, FORMATS_NS[w3c]))
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
    fmt = formats_accepted(request.headers.get("Accept"))["DESCRIBE"] or "ttl"
    return Response(sd.serialize(format=BY_NAME[fmt].plugin, encoding="utf-8"), mimetype=BY_NAME[fmt].media_type)
