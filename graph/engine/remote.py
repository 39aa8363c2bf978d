"""A standard SPARQL 1.1 server as the store: Oxigraph server, Fuseki, Virtuoso, GraphDB, Neptune.

``ServerReader`` answers the part of pyoxigraph's Store interface that the
readers use (``query``, ``quads_for_pattern``, ``named_graphs``), over the
SPARQL 1.1 Protocol, with pyoxigraph's own parsers: a term comes back exactly
as the server wrote it. So every command and page reads a server as it reads
the embedded store, through the same queries, sent as strings. A write is
one SPARQL 1.1 Update request, or Graph Store Protocol puts moved in place by
one (graph.engine.stores.RemoteStore).

The server's default graph must be the union of its named graphs, as the
embedded store's is (Oxigraph server: ``--union-default-graph``; Fuseki:
``tdb2:unionDefaultGraph true``; Virtuoso does so by default); ``connect``
checks it. Only the host of the URLs given is ever contacted, redirects are
not followed, and credentials never appear in a message. Credentials are
sent only to an endpoint that asks for them (a 401 naming Basic, Digest or
Bearer), so a server's public query endpoint never receives the password of
its update endpoint, and no query that echoes request headers can read it.
"""

import base64
import json
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

import pyoxigraph as ox

from graph.engine.store import GraphSourceError, is_iri, rdf_format, results_format
from graph.formats import BY_NAME, RESULTS, of_kind

# Where credentials come from: never the command line, where `ps` and shell history would show them.
TOKEN_VARIABLE = "STRATEGY_GRAPH_REMOTE_TOKEN"
USER_VARIABLE, PASSWORD_VARIABLE = "STRATEGY_GRAPH_REMOTE_USER", "STRATEGY_GRAPH_REMOTE_PASSWORD"
# The answers read, by media type: results (not CSV, whose terms have lost their kinds) and the syntaxes of triples;
# text/plain is N-Triples' old media type, which some servers still send.
_RESULTS = {f.media_type: results_format(f.media_type) for f in of_kind(RESULTS).values() if f.name != "csv"}
_GRAPHS = {media: rdf_format(media) for media in (*(BY_NAME[name].media_type for name in ("nt", "ttl", "xml")), "text/plain")}
# What to ask for, by the query's form: some servers (Virtuoso) answer a CONSTRUCT as results if results are acceptable.
_SOLUTIONS = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
_TRIPLES = "application/n-triples, text/turtle;q=0.9"
_ACCEPT = {"SELECT": _SOLUTIONS, "ASK": _SOLUTIONS, "CONSTRUCT": _TRIPLES, "DESCRIBE": _TRIPLES}
# The prologue of a query (comments, BASE and PREFIX declarations), before the word that names its form.
_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*", re.IGNORECASE)
_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } %s }"
# A graph no store holds: the protocol's way of naming no graph at all.
NO_GRAPH = "urn:x-strategy-graph:no-graph"
_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } %s }"


# A server's answers that say it is down, overloaded or refusing us, whatever the query.
_SERVERS_FAULT = frozenset({401, 403, 407, 429, 502, 503, 504})


class RemoteError(GraphSourceError):
    """The server could not be reached, or refused or failed a request; the message names the URL, and the status.

    ``status``: the HTTP status the server answered with, if it answered; ``detail``: the first line of
    what it said then; ``timed_out``: whether the query was not answered in time, and ``stopped``
    whether the server itself said it stopped it; ``too_large``: whether its answer was over the limit;
    ``endpoint``: the endpoint ("query", "update" or "store") whose URL is wrong or missing, if that is the fault.
    """

    def __init__(self, message: str, status: int | None = None, timed_out: bool = False, too_large: bool = False,
                 detail: str = "", stopped: bool = False, endpoint: str | None = None):
        super().__init__(message)
        self.status, self.timed_out, self.too_large = status, timed_out, too_large
        self.detail, self.stopped, self.endpoint = detail, stopped, endpoint

    @property
    def fault(self) -> str:
        """Whose fault a request that failed is, by the server's answer.

        "server": it did not answer, or is down, overloaded or not letting us in (credentials, throttling), whatever
        the request; "request": it refused this request (400, 404 …); "failed": it answered, and failed on this
        request (Virtuoso: 500 for a runtime error such as a division by 0).
        """
        if self.status is None or self.status in _SERVERS_FAULT:
            return "server"
        return "request" if self.status < 500 else "failed"

    @property
    def answer(self) -> str:
        """What the server answered, for a client: "(HTTP 400): its first line", or "" if it did not answer."""
        if self.status is None:
            return ""
        return f"(HTTP {self.status})" + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class Credentials:
    """HTTP basic (user and password) or bearer (token) credentials; ``repr`` shows neither."""

    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    def secrets(self) -> tuple[str, ...]:
        """The secret strings, to be kept out of every message: the password, the token, and Basic auth's encoding of them."""
        basic = base64.b64encode(f"{self.user}:{self.password}".encode()).decode() if self.user else ""
        return tuple(s for s in (self.password, self.token, basic) if s)


def credentials(path: Path | None = None, environ: Mapping[str, str] = os.environ) -> Credentials:
    """Credentials from a file (``Bearer TOKEN``, or ``USER:PASSWORD``, on its first line), else from the environment.

    The environment: STRATEGY_GRAPH_REMOTE_TOKEN, or STRATEGY_GRAPH_REMOTE_USER
    with STRATEGY_GRAPH_REMOTE_PASSWORD. No credentials at all is fine.
    """
    if path is not None:
        try:
            line = path.read_text(encoding="utf-8").splitlines()[0].strip() if path.stat().st_size else ""
        except (OSError, UnicodeDecodeError) as error:
            raise RemoteError(f"{path}: the credentials file cannot be read ({type(error).__name__})") from None
        if line.lower().startswith("bearer "):
            return Credentials(token=line[7:].strip())
        user, sep, password = line.partition(":")
        if not sep or not user:
            raise RemoteError(f"{path}: expected 'Bearer TOKEN' or 'USER:PASSWORD' on the first line")
        return Credentials(user=user, password=password)
    if environ.get(TOKEN_VARIABLE):
        return Credentials(token=environ[TOKEN_VARIABLE])
    if environ.get(USER_VARIABLE):
        return Credentials(user=environ[USER_VARIABLE], password=environ.get(PASSWORD_VARIABLE, ""))
    return Credentials()


class Remote:
    """One SPARQL server: a query endpoint, and an update endpoint if writes are wanted."""

    def __init__(self, query_url: str, update_url: str | None = None, creds: Credentials = Credentials(),
                 timeout: float = 60.0, store_url: str | None = None):
        urls = {"query": query_url, "update": update_url, "store": store_url}
        for endpoint, url in urls.items():
            parts = urlsplit(url or "")
            # Credentials first, and never the URL itself in these messages: it may hold a password.
            if url and "@" in parts.netloc:
                raise RemoteError(f"a URL of {parts.hostname or 'no host'} holds credentials: give them in "
                                  f"{TOKEN_VARIABLE}, or {USER_VARIABLE} and {PASSWORD_VARIABLE}, or a credentials file, "
                                  "not in the URL", endpoint=endpoint)
            if url and (parts.scheme not in ("http", "https") or not parts.hostname):
                raise RemoteError(f"{url}: expected an http or https URL of a SPARQL endpoint", endpoint=endpoint)
        for endpoint in ("update", "store"):
            if urls[endpoint] and urlsplit(urls[endpoint]).netloc != urlsplit(query_url).netloc:
                raise RemoteError(f"{urls[endpoint]}: the update and graph store endpoints must be on the query endpoint's "
                                  f"host, {urlsplit(query_url).netloc}: only that host is contacted", endpoint=endpoint)
        if store_url and not update_url:
            raise RemoteError(f"{store_url}: a graph store endpoint is used with an update endpoint, "
                              "which puts the graphs it receives in place in one request", endpoint="update")
        self.query_url, self.update_url, self.store_url, self.timeout = query_url, update_url, store_url, timeout
        self._creds = creds
        self._local = threading.local()  # a requests Session is not safe to share between threads
        # Sent with each query: Virtuoso, for one, stops a query at this many milliseconds; others ignore it.
        self.server_timeout_ms: int | None = None
        self.max_bytes: int | None = None  # the largest answer read
        self.checked = False  # whether answers are read through once on arrival (see query)

    def limited(self, seconds: float, max_bytes: int) -> "Remote":
        """The same server for a public endpoint: each query stopped after ``seconds`` (by the server where it takes
        a timeout, and by the wait in any case), answers over ``max_bytes`` refused, and every answer checked."""
        limited = Remote(self.query_url, self.update_url, self._creds, seconds, self.store_url)
        limited.server_timeout_ms, limited.max_bytes, limited.checked = int(seconds * 1000), max_bytes, True
        return limited

    def __repr__(self) -> str:
        return f"Remote({self.query_url!r})"

    def _session(self):
        import requests  # here: a command that reads a store on disk never needs HTTP

        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.trust_env = False  # no proxy or .netrc from the environment: only the given host is contacted
            self._local.auths = {}  # endpoint URL: the requests auth its 401 asked for (None: none that can be answered)
        return session

    def _post(self, url: str, data: dict | bytes, accept: str, media: str | None = None, method: str = "POST",
              params: dict | None = None) -> tuple[dict, bytes]:
        """The answer's headers and body, read whole within ``timeout`` seconds in all and ``max_bytes`` bytes."""
        import requests

        headers = {"Accept": accept, **({"Content-Type": media} if media else {})}
        deadline = time.monotonic() + self.timeout

        session = self._session()
        auths = self._local.auths

        def send(auth):
            # Streamed: requests' timeout bounds each read, not the answer, and a server may send for ever.
            with session.request(method, url, data=data, params=params, headers=headers, stream=True, auth=auth,
                                         allow_redirects=False, timeout=self.timeout) as response:
                body = bytearray()
                for chunk in response.iter_content(1 << 16):
                    body += chunk
                    if self.max_bytes is not None and len(body) > self.max_bytes:
                        raise RemoteError(f"{url}: the answer is larger than {self.max_bytes} bytes", too_large=True)
                    if time.monotonic() > deadline:
                        raise requests.Timeout()
            return response, body

        try:
            response, body = send(auths.get(url))
            if response.status_code == 401 and url not in auths:
                # Credentials go only where they are asked for, so that no other endpoint (a public query
                # endpoint that echoes request headers, say) ever holds them.
                auths[url] = _answer(response.headers.get("WWW-Authenticate", ""), self._creds)
                if auths[url] is not None:
                    response, body = send(auths[url])
        except requests.Timeout:
            raise RemoteError(f"{url}: no answer within {self.timeout:g} s", timed_out=True) from None
        except requests.RequestException as error:
            # The system's reason (connection refused, unknown name), not the library's chain of wrappers.
            found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)|RemoteDisconnected\('([^']+)'", str(error))
            reason = (found.group(1) or found.group(2)).strip() if found else type(error).__name__
            raise RemoteError(f"{url}: cannot be reached ({self._scrub(reason)})") from None
        if response.status_code >= 300:
            text = bytes(body).decode("utf-8", "replace").strip()
            first = self._scrub(text.splitlines()[0][:300] if text else "")
            raise RemoteError(f"{url}: HTTP {response.status_code} {response.reason or ''}".rstrip()
                              + (f": {first}" if first else ""), response.status_code, detail=first)
        return response.headers, bytes(body)

    def _scrub(self, text: str) -> str:
        for secret in self._creds.secrets():
            text = text.replace(secret, "…")
        return text

    def query(self, text: str, default_graphs: list[str] | None = None, named_graphs: list[str] | None = None):
        """The answer to a query, as pyoxigraph gives one: QuerySolutions, QueryBoolean or QueryTriples.

        With ``checked``, the answer is read through once first, so that a
        malformed one is a RemoteError here rather than while its rows are read.
        """
        data: dict = {"query": text}
        if self.server_timeout_ms is not None:
            data["timeout"] = str(self.server_timeout_ms)
        if default_graphs is not None or named_graphs is not None:
            # An empty list is no parameter at all, which a server reads as "its own" (Virtuoso: every named
            # graph); a graph no store holds says "none" instead.
            data["default-graph-uri"] = list(default_graphs or []) or [NO_GRAPH]
            data["named-graph-uri"] = list(named_graphs or []) or [NO_GRAPH]
        form = re.match(r"[A-Za-z]*", text[_PROLOGUE.match(text).end():]).group().upper()  # type: ignore[union-attr]  # both match any text
        headers, body = self._post(self.query_url, data, _ACCEPT.get(form, f"{_SOLUTIONS}, {_TRIPLES}"))
        if headers.get("X-SQL-State") == "S1TAT":
            # Virtuoso's "anytime" answer: a query stopped at the timeout answers 200 with what it had found so far.
            raise RemoteError(f"{self.query_url}: the server stopped the query at its time limit and answered "
                              "with incomplete results", timed_out=True, stopped=True)
        media = headers.get("Content-Type", "").split(";")[0].strip().lower()
        try:
            if media in _RESULTS:
                answer = _results(body, _RESULTS[media])
                if form == "ASK" and isinstance(answer, ox.QuerySolutions):
                    return _boolean(answer, self.query_url)
                if self.checked and isinstance(answer, ox.QuerySolutions):
                    for _ in answer:  # pyoxigraph reads solutions lazily: read them once to find a fault now
                        pass
                    answer = _results(body, _RESULTS[media])
                return answer
            if media in _GRAPHS:
                # A pyoxigraph QueryTriples, which only a store makes: the triples, asked for again in memory.
                held = ox.Store()
                held.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                            for t in ox.parse(body, format=_GRAPHS[media]))
                return held.query("CONSTRUCT WHERE { ?s ?p ?o }")
        except (SyntaxError, ValueError) as error:
            raise RemoteError(f"{self.query_url}: the answer is not valid {media}: {error}") from None
        raise RemoteError(f"{self.query_url}: answered {media or 'no type'}, not SPARQL results or RDF")

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace one graph with these N-Triples, by the Graph Store HTTP Protocol (indirect: ?graph=IRI)."""
        if not self.store_url:
            raise RemoteError(f"{self.query_url}: no graph store endpoint was given", endpoint="store")
        self._post(self.store_url, ntriples, "*/*", "application/n-triples", "PUT", {"graph": graph})

    def update(self, text: str) -> None:
        """Run one SPARQL Update request (the server applies it whole or not at all, if it runs a request as a transaction)."""
        if not self.update_url:
            raise RemoteError(f"{self.query_url}: no update endpoint was given, to write to", endpoint="update")
        # The request's body is the update itself: a form would triple the size of a large load.
        self._post(self.update_url, text.encode("utf-8"), "*/*", "application/sparql-update; charset=utf-8")


def _answer(header: str, creds: Credentials):
    """The requests auth that answers a 401's WWW-Authenticate with ``creds``, if any can: Bearer, Digest, else Basic.

    Digest before Basic: Basic sends the password itself, Digest a hash of it.
    requests' own HTTPDigestAuth then does Digest's exchange (it asks again and
    answers the server's nonce), and goes on answering that endpoint's nonces.
    """
    from requests.auth import HTTPBasicAuth, HTTPDigestAuth

    offered = _schemes(header)
    if creds.token:
        return _Bearer(creds.token) if "bearer" in offered else None
    if creds.user and "digest" in offered:
        return HTTPDigestAuth(creds.user, creds.password or "")
    if creds.user and "basic" in offered:
        return HTTPBasicAuth(creds.user, creds.password or "")
    return None


# In a WWW-Authenticate header (RFC 9110, 11.6.1), once its quoted strings are emptied: a challenge's scheme is a
# token at the start or after a comma that no "=" follows (a parameter's name has one).
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_SCHEME = re.compile(r"(?:^|,)\s*([A-Za-z][\w!#$%&'*+.^`|~-]*)(?=\s+[^=\s,]|\s*(?:,|$))")


def _schemes(header: str) -> set[str]:
    """The schemes a WWW-Authenticate header's challenges name, lower-cased ('Digest realm="basic"' names digest only)."""
    return {scheme.lower() for scheme in _SCHEME.findall(_QUOTED.sub('""', header))}


class _Bearer:
    """A bearer token as a requests auth (requests has none)."""

    def __init__(self, token: str):
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def _boolean(answer: "ox.QuerySolutions", url: str) -> "ox.QueryBoolean":
    """An ASK answered as solutions (Virtuoso 7.2: one variable, __ASK_RETVAL, 1 in a row if true, no row if false) as a boolean."""
    variables = [v.value for v in answer.variables]
    if variables != ["__ASK_RETVAL"]:
        raise RemoteError(f"{url}: an ASK query was answered with solutions of {', '.join(variables) or 'no variable'}, not a boolean")
    true = any(row[0] is not None and row[0].value not in ("0", "false") for row in answer)
    # A QueryBoolean, which only a store makes.
    return cast(ox.QueryBoolean, ox.Store().query("ASK {}" if true else "ASK { FILTER (false) }"))


_READABLE_BLANK = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def _results(payload: bytes, fmt: ox.QueryResultsFormat):
    """SPARQL results, read by pyoxigraph; JSON blank node ids it cannot read (Virtuoso's nodeID://b1) are made readable.

    A blank node id only names a node within one answer, so any consistent renaming keeps the answer.
    """
    if fmt == ox.QueryResultsFormat.JSON and b'"bnode"' in payload:
        answer = json.loads(payload)
        renamed = False
        for row in answer.get("results", {}).get("bindings", ()):
            for term in row.values():
                if term.get("type") == "bnode" and not _READABLE_BLANK.fullmatch(term["value"]):
                    term["value"], renamed = "b" + re.sub(r"[^A-Za-z0-9_]", "_", term["value"]), True
        if renamed:
            payload = json.dumps(answer).encode("utf-8")
    return ox.parse_query_results(payload, format=fmt)


class ServerReader:
    """The reading part of pyoxigraph's Store, over a Remote, for oxrdflib and the engine's readers."""

    def __init__(self, remote: Remote):
        self.remote = remote

    def query(self, query: str, *, use_default_graph_as_union: bool = False, default_graph=None, named_graphs=None,
              prefixes: Mapping[str, str] | None = None, substitutions: Mapping | None = None, base_iri: str | None = None):
        """As pyoxigraph's Store.query; the union default graph is the server's own default graph."""
        if substitutions:
            raise NotImplementedError("pre-bound variables are not sent to a remote server")
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (prefixes or {}).items())
        if base_iri:
            if not is_iri(base_iri):
                raise RemoteError(f"{base_iri!r} is not an IRI to resolve the query against")
            prologue = f"BASE <{base_iri}>\n" + prologue
        if default_graph is not None and not isinstance(default_graph, list):
            default_graph = [default_graph]
        names = lambda graphs: None if graphs is None else [g.value for g in graphs if isinstance(g, ox.NamedNode)]
        return self.remote.query(prologue + query, names(default_graph), names(named_graphs))

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None) -> Iterator[ox.Quad]:
        """The quads of the named graphs that match (the server's default graph is their union: it holds none of its own)."""
        # The server's default graph holds nothing of its own; and a blank node of
        # an earlier answer cannot be named in a new request: no quad matches either.
        if isinstance(graph_name, ox.DefaultGraph) or any(isinstance(t, ox.BlankNode) for t in (subject, object)):
            return iter(())
        bound = " ".join(f"VALUES ?{v} {{ {t} }}" for v, t in zip("spog", (subject, predicate, object, graph_name)) if t is not None)
        rows = self._read(_QUADS % bound)
        quads = (ox.Quad(subject or row["s"], predicate or row["p"], object or row["o"], graph_name or row["g"]) for row in rows)
        if subject is None and predicate is None and object is None:
            return iter(self._whole(list(quads), bound))
        return quads

    def _whole(self, quads: list[ox.Quad], bound: str) -> list[ox.Quad]:
        """All of the store or of a graph, or an error: a server may cut an answer at its result limit, and say nothing."""
        held = int(next(iter(self._read(_COUNT % bound)))["n"].value)
        if len(quads) != held:
            raise RemoteError(f"{self.remote.query_url}: answered {len(quads)} of the {held} statements asked for: its "
                              "result limit cut the answer short (Virtuoso: ResultSetMaxRows in its virtuoso.ini)")
        return quads

    def refuse_a_cut_answer(self) -> None:
        """RemoteError unless the server answers a query with as many rows as it holds statements (a write reads
        parts of the store in answers that large, and a server that cuts them at its result limit says nothing)."""
        self._whole(list(self._read("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }")), "")

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        """The named graphs the server holds statements in."""
        return (row["g"] for row in self._read("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))

    def _read(self, query: str) -> Iterator:
        # pyoxigraph reads results as they are iterated: a malformed answer is the server's error, said as one.
        try:
            yield from self.remote.query(query)
        except SyntaxError as error:
            raise RemoteError(f"{self.remote.query_url}: the answer cannot be read: {error}") from None

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern()

    def __len__(self) -> int:
        return int(next(iter(self._read(_COUNT % "")))["n"].value)


def _counting(n: int) -> str:
    """A query that counts about ``n`` solutions of four VALUES blocks: the same work on any data, no statement read."""
    side = max(2, round(n ** 0.25))
    block = " ".join(map(str, range(side)))
    return "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"VALUES ?{v} {{ {block} }}" for v in "abcd") + " }"


@dataclass(frozen=True)
class RunawayCheck:
    """Whether a server stops a query that runs past a time limit (None: it could not be told), and what was seen."""

    stops: bool | None
    seen: str


def check_runaways(remote: Remote, seconds: float, grace: float = 3.0) -> RunawayCheck:
    """Send a query that runs past ``seconds`` unless stopped, with that time limit, and see whether the server stops it.

    A server stops it if it answers within ``seconds`` + ``grace`` that it did
    (Virtuoso's partial answer), or with an error once ``seconds`` have passed.
    The probe is sized by a small one first to run about twice that long on
    this server, so that one which never stops it is busy with it for seconds,
    not minutes. Oxigraph server 0.5 checks its --timeout-s only while it reads
    statements, and none is read here: it does not stop this query.
    """
    wait = seconds + grace
    probe = Remote(remote.query_url, creds=remote._creds, timeout=wait)
    probe.server_timeout_ms = int(seconds * 1000)
    start = time.monotonic()
    try:
        probe.query(_counting(10 ** 6))
        per_solution = max(time.monotonic() - start, 0.001) / 10 ** 6
        start = time.monotonic()
        probe.query(_counting(int(2 * wait / per_solution)))
    except RemoteError as error:
        took = time.monotonic() - start
        if error.stopped:
            return RunawayCheck(True, f"it stopped the query after {took:.1f} s")
        if error.timed_out:
            return RunawayCheck(False, f"it was still running the query after {wait:g} s")
        if error.status is not None and took >= seconds * 0.8:
            return RunawayCheck(True, f"it stopped the query after {took:.1f} s (HTTP {error.status}: {error.detail})")
        return RunawayCheck(None, f"it answered the probe with an error: {error}")
    took = time.monotonic() - start
    if took > seconds:
        return RunawayCheck(False, f"it ran the query to its end, {took:.1f} s, past the {seconds:g} s limit")
    return RunawayCheck(None, f"it answered the probe in {took:.1f} s, too soon to tell")


def connect(remote: Remote) -> ServerReader:
    """A ServerReader for ``remote``, once the server answers and its default graph is the union of its named graphs."""
    store = ServerReader(remote)
    sample = list(remote.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER (!isBlank(?s) && !isBlank(?o)) } LIMIT 1"))
    if sample:
        s, p, o = (sample[0][v] for v in "spo")
        if not bool(remote.query(f"ASK {{ {s} {p} {o} }}")):
            raise RemoteError(f"{remote.query_url}: the server's default graph is not the union of its named graphs, "
                              "which strategy-graph reads as one graph. Oxigraph server: start it with "
                              "--union-default-graph; Fuseki: tdb2:unionDefaultGraph true; Virtuoso does so by default")
    return store
