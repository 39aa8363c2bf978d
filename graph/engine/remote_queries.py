"""A query service over a remote SPARQL server: the query workers' checks, limits and answers, with no workers.

The server does the work, so a query here is a wait on HTTP, in the caller's
thread. Whose fault a failed query was is the protocol client's to say
(graph.engine.remote.RemoteError.fault); here it becomes the query's refusal reason.
"""

import logging
import threading
from collections.abc import Callable, Mapping

from graph.engine.query import QueryError, extension_functions
from graph.engine.remote import Remote, RemoteError, ServerReader
from graph.engine.store import as_dataset, graph_names
from graph.engine.workers import _BUSY, DEFAULT_FORMATS, _answer
from graph.settings import with_defaults

log = logging.getLogger(__name__)


class _RemoteSnapshot:
    """A worker's _Snapshot for a remote server: its Dataset, and the IRIs of its named graphs at a version."""

    def __init__(self, remote: Remote):
        self.ds = as_dataset(ServerReader(remote))
        self.path: str | None = None
        self.graphs: set[str] = set()
        self._lock = threading.Lock()

    def open(self, version: str) -> None:
        with self._lock:
            if version != self.path:
                self.graphs = set(graph_names(self.ds))
                self.path = version


class RemoteQueryService:
    """QueryService's interface over a remote SPARQL server: the same checks, limits and answers, with no workers.

    The server does the work, so a query here is a wait on HTTP: it runs in the
    caller's thread, at most ``sparql_workers`` at once (the rest are answered
    busy after ``sparql_queue_seconds``), stopped at the time limit by the
    server where it takes one and by the wait in any case.
    """

    def __init__(self, remote: Remote, settings: dict | None = None):
        settings = with_defaults(settings)
        self.time_limit = float(settings["sparql_time_limit_seconds"])
        self.max_rows, self.max_bytes = int(settings["sparql_max_rows"]), int(settings["sparql_max_result_bytes"])
        self.queue_seconds = float(settings["sparql_queue_seconds"])
        self.functions = extension_functions(settings)
        self._slots = threading.BoundedSemaphore(int(settings["sparql_workers"]))
        self._snapshot = _RemoteSnapshot(remote.limited(self.time_limit, self.max_bytes))
        self._ahead = threading.Lock()
        self._generation: str | None = None

    def start(self, generation: str) -> None:
        """Answer from this version of the server's data."""
        self._generation = str(generation)

    switch = start

    def run(self, text: str, formats: Mapping[str, str | None] = DEFAULT_FORMATS, protocol_dataset=None,
            generation=None, base_iri: str | None = None) -> tuple[bytes, str, bool]:
        """As QueryService.run."""
        return self._run(self._snapshot, self.time_limit, self.queue_seconds, text, formats, protocol_dataset, generation,
                         base_iri)

    def kept(self, text: str, formats: Mapping[str, str | None], generation) -> None:
        """Nothing is kept beside a server's data: an answer worked out ahead lives in the viewer's memory only."""
        return None

    def precompute(self, text: str, formats: Mapping[str, str | None], generation,
                   wanted: Callable[[], bool] | None = None) -> tuple[bytes, str, bool]:
        """As QueryService.precompute, kept nowhere, one at a time; but within the request limit, not
        ``sparql_precompute_seconds``.

        A query sent to a server cannot be called back: a viewer that closes, or no longer wants the answer (a newer
        version), would leave it running there for the whole budget, holding a server that others share (a test
        suite's apps over one Virtuoso answered 503 for it). ``wanted`` is not asked: the wait ends at the limit.
        """
        with self._ahead:
            return self._run(self._snapshot, self.time_limit, self.queue_seconds, text, formats, None, generation, None)

    def _run(self, snapshot: _RemoteSnapshot, time_limit: float, queue_seconds: float, text: str,
             formats: Mapping[str, str | None], protocol_dataset, generation, base_iri: str | None) -> tuple[bytes, str, bool]:
        version = str(generation) if generation is not None else self._generation
        if version is None:
            raise QueryError("the query service has not been started", "unavailable")
        if not self._slots.acquire(timeout=queue_seconds):
            raise QueryError(_BUSY, "busy")
        try:
            snapshot.open(version)
            answer = _answer(snapshot, (version, text, formats, protocol_dataset, self.max_rows, base_iri, self.functions),
                             self.max_bytes)
        except RemoteError as error:
            log.warning("the SPARQL server did not answer a query: %s", error)
            if error.timed_out:
                raise QueryError(f"the query ran longer than {time_limit:g} s and was stopped", "timed-out") from None
            if error.too_large:
                raise QueryError(f"the result is larger than {self.max_bytes} bytes; ask for less", "too-large") from None
            # Not answering, or not letting us in (credentials, throttling): the operator's problem, not the query's.
            if error.fault == "server":
                raise QueryError("the store's server is not answering; try again shortly", "unavailable") from None
            if error.fault == "request":
                raise QueryError(f"the store's server refused the query {error.answer}", "malformed") from None
            raise QueryError(f"the store's server could not run the query {error.answer}", "failed") from None
        finally:
            self._slots.release()
        if answer[0] == "error":
            raise QueryError(answer[1], answer[2])
        return answer[1], answer[2], answer[3]

    def close(self) -> None:
        """Nothing runs in the background."""

