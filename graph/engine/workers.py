"""SPARQL query workers: a pool of processes that answer from one on-disk generation of the store.

A generation is one flushed Oxigraph folder, a snapshot of the store. Each
worker opens it read-only, which takes milliseconds: no worker holds a private
copy of the graph. Every request names the generation the caller is serving,
and a worker that has another one open opens that one first (and lets the
old one go once it has answered), so all workers answer from the same
snapshot. After ``switch`` the supervisor also moves the idle workers to the
new generation, so none keeps an old one open (and, in a store folder,
undeletable) for long.

Everything that costs time is done in the worker, under the time limit, which
the service enforces by killing the worker: parsing and checking the query
(graph.engine.query.check, on rdflib's parse), running it, writing the result. One
long-lived supervisor thread starts the workers when the service starts and
replaces, in the background and at once, any that is killed or dies, so the
next request does not pay for a start. Workers are forked by a fork server
that has already imported this module (the threaded web server itself is
never forked), die with the server (PR_SET_PDEATHSIG, and the end of their
pipe), and each has a memory ceiling. Each also runs in a network namespace
of its own (``sparql_workers_offline``), where no address can be reached:
whatever a query asks, a worker cannot connect out, so that SERVICE stays
impossible even if graph.engine.query.check were ever fooled.

An answer worked out ahead (``QueryService.precompute``) runs in the same
workers, one at a time, under its own time limit, and is kept on disk beside
the store's generations, so that a restart or a second server reads it.
"""

import atexit
import contextlib
import ctypes
import fcntl
import gc
import hashlib
import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol, cast

from rdflib import Dataset

from graph.engine import snapshots
from graph.engine.query import NAMEABLE, QueryError, check, extension_functions, may_name
from graph.engine.remote import RemoteError
from graph.engine.results import execute
from graph.engine.store import GraphSourceError, graph_names, open_generation
from graph.formats import FORMS, formats_for
from graph.settings import SettingError, with_defaults

log = logging.getLogger(__name__)
_STARTED: "weakref.WeakSet[QueryService]" = weakref.WeakSet()  # closed at exit

# "forkserver": a replacement is forked from a process that has imported this
# module already, and is ready in about 0.08 s (2 cores, 1M-statement store);
# "spawn" starts a new interpreter that imports rdflib, pyoxigraph and the rest
# again: about 0.4 s. Plain "fork" of a threaded web server is never safe.
START_METHOD = "forkserver"
START_TIMEOUT_SECONDS = 120  # a worker not ready by then is killed
_RETRY_FIRST, _RETRY_MOST = 0.5, 30.0  # back-off, in seconds, after a worker failed to start
_BUSY = "every query worker is busy; try again shortly"
_OVER_MEMORY = "the query needed more memory than a worker may use, and was stopped; ask for less"
# How long a worker that closed its pipe under a query may take to end: one aborting under its
# memory ceiling first prints a backtrace and gives back gigabytes, which took over 1 s under CI.
_DYING_SECONDS = 10.0
_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000  # <linux/sched.h>
# Each form's first format: what a caller that states no preference gets.
DEFAULT_FORMATS = {form: next(iter(formats_for(form))) for form in FORMS}
_WANTED_SECONDS = 0.5  # how often an answer worked out ahead asks whether it is still wanted
# Beside a store's generations: the answers worked out ahead, one file each (see KeptAnswers).
_KEPT_FOLDER, _KEPT_SUFFIX, _KEPT_MAGIC = "answers", ".answer", b"strategy-graph answer 1\n"


# ---------------------------------------------------------------- in the worker process

def _worker(connection, generation: str, memory_bytes: int, max_bytes: int, server_pid: int, offline: bool) -> None:
    """A worker process: open the generation, then answer requests until the server goes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the server, and the server's end stops us
    _let_go_of_the_fork_server()
    _die_with_parent(server_pid)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    snapshot = _Snapshot()
    try:
        if offline:
            cut_off_network()
        snapshot.open(generation)
        check("ASK {}", set())  # rdflib builds its SPARQL grammar on first use: not in a query's time
    except Exception as error:  # noqa: BLE001 — the supervisor reports it
        connection.send(("failed", str(error)))
        return
    connection.send(("ready",))
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return  # the server is gone
        if request is None:
            return
        if request[0] == "open":
            connection.send(_reopen(snapshot, request[1]))
        else:
            connection.send(_answer(snapshot, request[1:], max_bytes))
        snapshot.settle()


class _Opened(Protocol):
    """What a query is answered from: a worker's open generation (_Snapshot), or a server (remote_queries)."""

    graphs: set[str]

    @property
    def ds(self) -> Dataset | None: ...

    def open(self, path: str) -> None: ...


class _Snapshot:
    """The generation a worker has open: its Dataset, the IRIs of its named graphs, and its readers' lock."""

    def __init__(self):
        self.path: str | None = None
        self.ds: Dataset | None = None
        self.graphs: set[str] = set()
        self._lock = None
        self._let_go: list = []  # locks of generations closed since the last settle

    def open(self, path: str) -> None:
        """Have ``path`` open (one read-only open if it is not yet); if that fails, keep the one that was."""
        if path == self.path:
            return
        lock = _hold(Path(path))
        try:
            ds = open_generation(Path(path))
            graphs = set(graph_names(ds))
        except BaseException:
            if lock is not None:
                lock.close()
            raise
        self._let_go.append(self._lock)
        self.path, self.ds, self.graphs, self._lock = path, ds, graphs, lock

    def settle(self) -> None:
        """Free the generations let go of (after the answer is sent: it takes a full garbage collection)."""
        if self._let_go:
            gc.collect()  # the old Dataset sits in reference cycles: this closes its Oxigraph store
            for lock in self._let_go:
                if lock is not None:
                    lock.close()
            self._let_go.clear()


def _hold(generation: Path):
    """In a store folder (graph.engine.snapshots), the shared readers' lock that keeps a generation from deletion."""
    if not snapshots.in_store(generation):
        return None  # a generation of its own, such as the viewer's temporary one
    lock = snapshots.hold(generation)
    if lock is None:
        raise GraphSourceError(f"{generation}: this generation of the store has been deleted")
    return lock


def _reopen(snapshot: _Snapshot, generation: str) -> tuple:
    try:
        snapshot.open(generation)
    except Exception as error:  # noqa: BLE001 — reported by the supervisor
        return ("error", str(error), "failed")
    return ("opened",)


def _answer(snapshot: _Opened, request: tuple, max_bytes: int) -> tuple:
    generation, text, formats, protocol_dataset, max_rows, base_iri, functions = request
    try:
        try:
            snapshot.open(generation)
        except Exception as error:
            log.warning("a SPARQL worker could not open %s: %s", generation, error)
            raise QueryError("the store's snapshot could not be opened", "failed") from error
        checked = check(text, snapshot.graphs, functions)
        refused = [g for part in (protocol_dataset or ((), ())) for g in part if not may_name(g, snapshot.graphs)]
        if refused:
            raise QueryError(f"{', '.join(refused)}: refused: {NAMEABLE}", "refused")
        fmt = formats.get(checked.form)
        if fmt not in formats_for(checked.form):
            raise QueryError(f"none of the accepted types; a {checked.form} query answers in {', '.join(formats_for(checked.form).values())}",
                             "not-acceptable")
        # The protocol's dataset wins over the query's own (SPARQL 1.1 Protocol, 2.1.4).
        answer, truncated = execute(cast(Dataset, snapshot.ds), checked.text, protocol_dataset or checked.dataset, max_rows, base_iri)
        payload = answer.serialize(fmt)
        if len(payload) > max_bytes:
            raise QueryError(f"the result is larger than {max_bytes} bytes; ask for less", "too-large")
        return ("ok", payload, formats_for(checked.form)[fmt], truncated)
    except QueryError as error:
        return ("error", str(error), error.reason)
    except RemoteError:
        raise  # graph.engine.remote_queries words it: the server's URL is not the client's business
    except SyntaxError as error:  # Oxigraph's parser refused what rdflib's accepted
        return ("error", f"malformed query: {error}", "malformed")
    except MemoryError:
        return ("error", _OVER_MEMORY, "too-costly")
    except Exception as error:  # noqa: BLE001 — an engine error reaches the client as a message, never a trace
        return ("error", f"the query failed: {error}", "failed")


def _let_go_of_the_fork_server() -> None:
    """Close this worker's copy of the server's end of the fork server's lifeline.

    The fork server ends when every holder of that pipe end has closed it,
    and hands a copy to each child: kept, a worker busy with a query would
    keep the fork server, and so itself, alive after the server died.
    """
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if server is not None and fd is not None:
        server._forkserver_alive_fd = None
        with contextlib.suppress(OSError):
            os.close(fd)


def cut_off_network() -> None:
    """Move this process into a new network namespace: it holds only a loopback that is down, so nothing can be reached.

    Linux's unshare(2); as another user than root, inside a new user namespace,
    which needs no privilege. It must run while the process has one thread
    (a worker, just forked). OSError if the system refuses.
    """
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    flags = _CLONE_NEWNET if os.geteuid() == 0 else _CLONE_NEWUSER | _CLONE_NEWNET
    if libc.unshare(flags) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"the worker could not be cut off from the network (unshare: {os.strerror(error)});"
                             " set sparql_workers_offline=false to run without that protection")


def _die_with_parent(server_pid: int) -> None:
    """Ask Linux to kill this worker when the process that forked it goes (PR_SET_PDEATHSIG).

    The signal follows the thread that forked the worker: the fork server's
    only thread (or, with "spawn", the supervisor thread), which lives as long
    as the server does.
    """
    with contextlib.suppress(OSError):  # not Linux: the end of the pipe to the server stops the worker
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)
    try:
        os.kill(server_pid, 0)
    except ProcessLookupError:
        os._exit(0)  # the server went before the signal was asked for


# ---------------------------------------------------------------- in the server process

def _answered(worker: "_Worker", seconds: float, wanted: Callable[[], bool] | None) -> bool:
    """Whether ``worker`` answered within ``seconds``; QueryError, its worker stopped, once ``wanted`` says no."""
    deadline = time.monotonic() + seconds
    while True:
        remaining = max(0.0, deadline - time.monotonic())
        if worker.connection.poll(remaining if wanted is None else min(remaining, _WANTED_SECONDS)):
            return True
        if time.monotonic() >= deadline:
            return False
        if wanted is not None and not wanted():
            worker.kill()
            raise QueryError("the answer is no longer wanted", "unavailable")


class _Key:
    """What a kept answer is for: a generation, and the query with everything else its answer depends on."""

    def __init__(self, generation: Path, query: str):
        self.generation = generation
        try:
            # A store reuses no generation's name while its folder lives; the folder's inode tells a
            # folder deleted and made again (or a copy of the store) from the one the answer was kept for.
            inode = generation.stat().st_ino
        except OSError:
            inode = None
        digest = hashlib.sha256(json.dumps([generation.name, inode, query]).encode("utf-8")).hexdigest()
        self.name = f"{generation.name}.{digest[:40]}{_KEPT_SUFFIX}"


class KeptAnswers:
    """Answers worked out ahead, kept in a folder beside a store's generations (``answers/``), one file each.

    A file is written whole under a temporary name and renamed in place, so a
    reader, in this process or another, sees a whole answer or none; while
    one process works an answer out, it holds that answer's lock file, and
    another that wants it waits and then reads it. Answers of a generation
    that is gone are deleted whenever one is kept, so the folder holds at most
    the live generations' answers. A generation outside a store folder (one of
    its own) keeps nothing on disk.
    """

    def read(self, key: _Key) -> tuple[bytes, str, bool] | None:
        folder = self._folder(key)
        if folder is None:
            return None
        try:
            data = (folder / key.name).read_bytes()
        except OSError:
            return None
        if not data.startswith(_KEPT_MAGIC):
            return None
        header, _, payload = data[len(_KEPT_MAGIC):].partition(b"\n")
        try:
            kept = json.loads(header)
            return payload, str(kept["media_type"]), bool(kept["truncated"])
        except (ValueError, KeyError, TypeError):
            return None  # not one this version wrote: worked out again, and written over

    @contextlib.contextmanager
    def computing(self, key: _Key):
        """Hold ``key``'s lock file while its answer is worked out (nothing, where none is kept)."""
        folder = self._folder(key)
        if folder is None:
            yield
            return
        try:
            folder.mkdir(exist_ok=True)
            lock = open(folder / (key.name + ".lock"), "a+b")  # noqa: SIM115 — closed below, after the unlock
        except OSError as error:  # a store folder this process may not write to: nothing is kept, all is worked out
            log.warning("answers worked out ahead cannot be kept in %s: %s", folder, error)
            yield
            return
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield
        finally:
            lock.close()

    def write(self, key: _Key, answer: tuple[bytes, str, bool]) -> None:
        folder = self._folder(key)
        if folder is None:
            return
        payload, media_type, truncated = answer
        temporary = folder / f"{key.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            with open(temporary, "wb") as out:
                out.write(_KEPT_MAGIC + json.dumps({"media_type": media_type, "truncated": truncated}).encode("utf-8")
                          + b"\n" + payload)
            os.replace(temporary, folder / key.name)
        except OSError as error:
            log.warning("an answer worked out ahead could not be kept in %s: %s", folder, error)
            with contextlib.suppress(OSError):
                temporary.unlink()
            return
        self._drop_gone(folder)

    @staticmethod
    def _folder(key: _Key) -> Path | None:
        return key.generation.parent / _KEPT_FOLDER if snapshots.in_store(key.generation) else None

    @staticmethod
    def _drop_gone(folder: Path) -> None:
        """Delete the answers (and locks) of generations the store no longer holds."""
        for path in folder.iterdir():
            if not (folder.parent / path.name.partition(".")[0]).is_dir():
                with contextlib.suppress(OSError):
                    path.unlink()


def _exit_code(process, seconds: float, reaping: contextlib.AbstractContextManager | None = None) -> int | None:
    """The exit code of ``process`` once it has ended, waiting up to ``seconds``; None if it has not.

    ``reaping``: held while the code is read, by every thread that reads this process's (see _Worker.exit_code).
    """
    deadline = time.monotonic() + seconds
    while True:
        with reaping or contextlib.nullcontext():
            process.join(min(0.01, seconds))
            code = process.exitcode
        if code is not None or time.monotonic() >= deadline:
            return code


class _Worker:
    """One worker process as the server sees it: its process, its end of the pipe, its state."""

    def __init__(self, context, generation: Path, memory_bytes: int, max_bytes: int, offline: bool):
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_worker, args=(child, os.fspath(generation), memory_bytes, max_bytes, os.getpid(), offline),
            name="sparql-worker", daemon=True)
        try:
            self.process.start()
        finally:
            child.close()
        self.pid: int = self.process.pid
        self.generation = generation  # the one it has open
        self.started = time.monotonic()
        self.ready = False   # it said so
        self.failed = False  # it could not start
        self.dead = False    # its process has ended, as the supervisor saw
        self.killed = False  # the service killed it (time limit, crash, found dead)
        self._reaping = threading.Lock()

    def exit_code(self, seconds: float = 0.0) -> int | None:
        """Its process's exit code once it has ended, waiting up to ``seconds``; None if it has not.

        One thread reads it at a time. The fork server sends the code once, down a pipe: a
        second thread reading at the same moment (the supervisor burying the worker while a
        query's thread asks how it died) found the pipe empty, and multiprocessing recorded 255
        over the real code, so a query stopped at its memory limit was reported as a crash.
        """
        return _exit_code(self.process, seconds, self._reaping)

    def kill(self) -> None:
        """Take it out of service, and kill its process unless that has ended (and its PID may be another's)."""
        self.killed = True
        if not self.ended():
            with contextlib.suppress(OSError, ValueError, AttributeError):
                self.process.kill()

    def ended(self) -> bool:
        """Whether its process has ended, as the process's sentinel says."""
        try:
            return bool(multiprocessing.connection.wait([self.process.sentinel], 0))
        except (OSError, ValueError):
            return True

    def exited(self) -> bool:
        """Whether the process has ended, or its pipe has closed or holds what it should not."""
        try:
            return self.ended() or self.connection.poll(0)
        except (OSError, ValueError):
            return True


class QueryService:
    """Runs SPARQL queries in a pool of worker processes over a generation of the store.

    ``start(generation)`` starts ``sparql_workers`` workers from one
    supervisor thread; ``run`` answers a query from the caller's generation
    (default: the one of ``start`` or of the latest ``switch``); ``close``
    stops everything.
    """

    def __init__(self, settings: dict | None = None):
        settings = with_defaults(settings)
        self.size = int(settings["sparql_workers"])
        self.time_limit = float(settings["sparql_time_limit_seconds"])
        self.max_rows, self.max_bytes = int(settings["sparql_max_rows"]), int(settings["sparql_max_result_bytes"])
        self.memory_bytes = int(settings["sparql_worker_memory_bytes"])
        self.offline = bool(settings["sparql_workers_offline"])
        self.queue_seconds = float(settings["sparql_queue_seconds"])
        self.precompute_seconds = float(settings["sparql_precompute_seconds"])
        self.functions = extension_functions(settings)
        if self.size < 1:
            raise SettingError(f"sparql_workers={self.size}: expected at least 1")
        self._ahead = threading.Lock()  # held by the one answer worked out ahead at a time
        self._kept = KeptAnswers()
        self._pool = threading.Condition()  # guards the state below
        self._workers: set[_Worker] = set()  # the live ones: starting, idle and busy
        self._idle: deque[_Worker] = deque()
        self._waiting = 0  # requests waiting in _take for a worker
        self._generation: Path | None = None
        self._start_error: str | None = None
        self._refresh = False  # some idle worker may have another generation open than the default
        self._closed = False
        self._supervisor: threading.Thread | None = None
        self._wake_read, self._wake_write = os.pipe()
        for fd in (self._wake_read, self._wake_write):
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)

    # -- the API

    @property
    def generation(self) -> Path | None:
        """The generation a request answers from when it names none."""
        return self._generation

    def start(self, generation: Path) -> None:
        """Start the workers on ``generation``; return when all are ready.

        Raises GraphSourceError, and stops the service, if the workers cannot
        open the generation or start.
        """
        with self._pool:
            if self._supervisor is not None or self._closed:
                raise RuntimeError("a QueryService starts once")
            self._generation = Path(generation)
            self._supervisor = threading.Thread(target=self._supervise, name="sparql-supervisor", daemon=True)
            self._supervisor.start()
            _STARTED.add(self)
            full = self._pool.wait_for(lambda: self._start_error is not None or self._ready() >= self.size, START_TIMEOUT_SECONDS)
            error = self._start_error if self._start_error is not None else (None if full else "they did not start in time")
        if error is not None:
            self.close()
            raise GraphSourceError(f"the SPARQL workers could not start on {generation}: {error}")

    def switch(self, generation: Path) -> None:
        """Answer requests that name no generation from ``generation`` from now on.

        Idle workers open it in the background; any other opens it before its
        next answer.
        """
        with self._pool:
            self._generation = Path(generation)
            self._refresh = True
        self._wake()

    def run(self, text: str, formats: Mapping[str, str | None] = DEFAULT_FORMATS, protocol_dataset=None,
            generation: Path | None = None, base_iri: str | None = None) -> tuple[bytes, str, bool]:
        """The result's bytes and media type, and whether rows were cut off; QueryError if refused or stopped.

        ``formats`` names, for each query form, the format to write (graph.formats.formats_for);
        relative IRIs of the query resolve against ``base_iri``.

        Answered from ``generation`` (default: the service's) by a worker that
        opens it first if it has another one open.
        """
        return self._run(text, formats, protocol_dataset, generation, base_iri, self.time_limit, ahead=False)

    def kept(self, text: str, formats: Mapping[str, str | None], generation: Path) -> tuple[bytes, str, bool] | None:
        """The answer ``precompute`` worked out for this query on ``generation`` and kept, by this process or another."""
        return self._kept.read(self._key(text, formats, generation))

    def precompute(self, text: str, formats: Mapping[str, str | None], generation: Path,
                   wanted: Callable[[], bool] | None = None) -> tuple[bytes, str, bool]:
        """As ``run``, for an answer worked out ahead and kept: within ``sparql_precompute_seconds``, not the request
        limit, one at a time (so the other workers stay free for requests), and read back if kept already.

        Every other limit (rows, bytes, memory) is a request's: the answer is the one a request would get.
        ``wanted``, asked every half second while it runs: when it says no (a newer snapshot is served, say),
        the worker is stopped and QueryError "unavailable" raised, so that the next answer need not wait.
        """
        key = self._key(text, formats, generation)
        with self._ahead, self._kept.computing(key):
            answer = self._kept.read(key)
            if answer is None:
                answer = self._run(text, formats, None, generation, None, self.precompute_seconds, ahead=True,
                                   wanted=wanted)
                self._kept.write(key, answer)
            return answer

    def _key(self, text: str, formats: Mapping[str, str | None], generation: Path) -> "_Key":
        return _Key(Path(generation), json.dumps([text, sorted(formats.items(), key=lambda f: f[0]), self.max_rows,
                                                  self.max_bytes, sorted(self.functions)]))

    def _run(self, text: str, formats: Mapping[str, str | None], protocol_dataset, generation: Path | None,
             base_iri: str | None, time_limit: float, ahead: bool,
             wanted: Callable[[], bool] | None = None) -> tuple[bytes, str, bool]:
        target = Path(generation) if generation is not None else self._generation
        if target is None:
            raise QueryError("the query service has not been started", "unavailable")
        request = ("query", os.fspath(target), text, dict(formats), protocol_dataset, self.max_rows, base_iri, self.functions)
        # A query waits for a worker only briefly: one that queued behind runaway
        # queries would hold a web server thread meanwhile, and pages would wait.
        # An answer worked out ahead holds no web server thread, and waits its turn.
        deadline = time.monotonic() + (time_limit if ahead else self.queue_seconds)
        while True:
            worker = self._take(deadline, counted=not ahead)
            try:
                worker.generation = target
                worker.connection.send(request)
                if not _answered(worker, time_limit, wanted):
                    worker.kill()  # the supervisor sees it end and starts another
                    raise QueryError(f"the query ran longer than {time_limit:g} s and was stopped", "timed-out")
                answer = worker.connection.recv()
                break
            except (BrokenPipeError, ConnectionResetError):
                # It ended without reading the request (it was dying when taken): not
                # this query's doing, so another worker answers it.
                worker.kill()
            except (EOFError, OSError) as error:
                # It died under the query. Oxigraph aborts (SIGABRT) when an allocation fails,
                # which under the worker's memory limit is the query asking for more.
                code = worker.exit_code(_DYING_SECONDS)
                worker.kill()
                if code == -signal.SIGABRT:
                    raise QueryError(_OVER_MEMORY, "too-costly") from error
                raise QueryError("the query engine failed on this query", "failed") from error
            finally:
                self._give_back(worker)
        if answer[0] == "error":
            raise QueryError(answer[1], answer[2])
        return answer[1], answer[2], answer[3]

    def ready_count(self) -> int:
        """How many workers are idle and ready for a query now."""
        with self._pool:
            return self._ready()

    def worker_pids(self) -> list[int]:
        """The process IDs of the live workers (starting, idle or busy)."""
        with self._pool:
            return sorted(w.pid for w in self._workers)

    def wait_ready(self, timeout: float) -> bool:
        """Wait until all ``sparql_workers`` are idle and ready; whether they were within ``timeout`` s."""
        with self._pool:
            return self._pool.wait_for(lambda: self._closed or self._ready() >= self.size, timeout) and not self._closed

    def close(self) -> None:
        """Stop the supervisor and every worker."""
        with self._pool:
            self._closed = True
            self._pool.notify_all()
            supervisor = self._supervisor
        self._wake()
        if supervisor is not None and supervisor is not threading.current_thread():
            supervisor.join(15)
        for worker in self._kill_all():  # none, unless the supervisor never ran
            worker.exit_code(5)
        if supervisor is None or not supervisor.is_alive():
            with self._pool:
                fds, self._wake_read, self._wake_write = (self._wake_read, self._wake_write), -1, -1
            for fd in fds:
                if fd >= 0:
                    os.close(fd)

    def __enter__(self) -> "QueryService":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- requests

    def _ready(self) -> int:
        return sum(1 for w in self._idle if not (w.dead or w.killed))

    def _take(self, deadline: float, counted: bool = True) -> _Worker:
        """An idle live worker, waiting until ``deadline`` for one; QueryError if none comes.

        At most ``size`` requests wait at once (``counted``), and any other is
        turned away at once: queries hold at most twice ``size`` of the web
        server's threads, so pages find one free. An answer worked out ahead
        holds none, and takes no request's place in that queue.
        """
        with self._pool:
            worker = self._idle_worker()
            if worker is not None:
                return worker
            if counted and self._waiting >= self.size:
                raise QueryError(_BUSY, "busy")
            self._waiting += int(counted)
            try:
                while True:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise QueryError(_BUSY, "busy")
                    self._pool.wait(remaining)
                    worker = self._idle_worker()
                    if worker is not None:
                        return worker
            finally:
                self._waiting -= int(counted)

    def _idle_worker(self) -> "_Worker | None":
        """An idle live worker, if there is one (under the pool's lock)."""
        if self._closed:
            raise QueryError("the query service is stopped", "unavailable")
        while self._idle:
            worker = self._idle.popleft()
            if worker.dead or worker.killed:
                continue
            if worker.exited():  # it died while idle: the supervisor replaces it
                worker.kill()
                continue
            return worker
        return None

    def _give_back(self, worker: _Worker) -> None:
        with self._pool:
            if worker.dead or worker.killed or self._closed:
                return
            self._idle.append(worker)
            self._pool.notify()
            stray = worker.generation != self._generation
            self._refresh = self._refresh or stray
        if stray:
            self._wake()

    # -- the supervisor thread

    def _supervise(self) -> None:
        """Keep ``size`` workers, replacing at once any that ends, until the service closes."""
        retry_at, delay = 0.0, 0.0
        try:
            while True:
                with self._pool:
                    if self._closed:
                        return
                    missing = self.size - len(self._workers)
                    generation = cast(Path, self._generation)  # start() set it before the supervisor ran
                if missing > 0 and time.monotonic() >= retry_at:
                    for _ in range(missing):
                        try:
                            worker = _Worker(context(), generation, self.memory_bytes, self.max_bytes, self.offline)
                        except Exception as error:  # noqa: BLE001 — reported, and tried again later
                            delay = self._failed_start(None, f"{type(error).__name__}: {error}", delay)
                            retry_at = time.monotonic() + delay
                            break
                        with self._pool:
                            self._workers.add(worker)
                with self._pool:
                    workers = list(self._workers)
                watched: dict = {w.process.sentinel: w for w in workers}
                starting = [w for w in workers if not w.ready and not w.failed]
                watched.update({w.connection: w for w in starting})
                timeout = None
                if starting:
                    timeout = max(0.0, min(w.started for w in starting) + START_TIMEOUT_SECONDS - time.monotonic())
                if len(workers) < self.size:
                    until_retry = max(0.0, retry_at - time.monotonic())
                    timeout = until_retry if timeout is None else min(timeout, until_retry)
                for item in multiprocessing.connection.wait([self._wake_read, *watched], timeout):
                    if item == self._wake_read:
                        self._drain_wake()
                        continue
                    worker = watched[item]
                    if item is worker.connection:
                        if not (worker.dead or worker.failed):
                            delay = self._hear_from(worker, delay)
                    else:
                        delay = self._bury(worker, delay)
                    if worker.failed:
                        retry_at = time.monotonic() + delay
                for worker in starting:
                    if not worker.ready and time.monotonic() - worker.started > START_TIMEOUT_SECONDS:
                        worker.kill()  # its sentinel fires next
                self._move_idle_workers()
        except Exception:
            log.exception("the SPARQL supervisor stopped")
            with self._pool:
                self._start_error = self._start_error or "the supervisor failed"
                self._pool.notify_all()
        finally:
            for worker in self._kill_all():
                worker.exit_code(5)

    def _hear_from(self, worker: _Worker, delay: float) -> float:
        """A starting worker's first message: ready, or why it could not start."""
        try:
            message = worker.connection.recv()
        except (EOFError, OSError):
            message = ("failed", f"the worker exited before it was ready (exit code {worker.exit_code()})")
        if message != ("ready",):
            return self._failed_start(worker, str(message[-1]), delay)
        with self._pool:
            worker.ready = True
            self._start_error = None
            if not self._closed:
                self._idle.append(worker)
                self._refresh = self._refresh or worker.generation != self._generation
            self._pool.notify_all()
        return 0.0

    def _failed_start(self, worker: _Worker | None, reason: str, delay: float) -> float:
        if worker is not None:
            worker.failed = True
            worker.kill()
        log.warning("a SPARQL worker could not start: %s", reason)
        with self._pool:
            self._start_error = reason
            self._pool.notify_all()
        return min(max(_RETRY_FIRST, delay * 2), _RETRY_MOST)

    def _bury(self, worker: _Worker, delay: float) -> float:
        """A worker's process has ended: forget it, so that the next turn starts another."""
        code = worker.exit_code(1)
        if not worker.ready and not worker.failed:
            delay = self._failed_start(worker, f"the worker exited before it was ready (exit code {code})", delay)
        elif worker.ready and not worker.killed:
            log.warning("SPARQL worker %s ended (exit code %s); starting another", worker.pid, code)
        with self._pool:
            worker.dead = True
            self._workers.discard(worker)
            with contextlib.suppress(ValueError):
                self._idle.remove(worker)
            self._pool.notify_all()
        return delay

    def _move_idle_workers(self) -> None:
        """Have idle workers that hold another generation open the default one (and let the old one go).

        One at a time, so that the others stay free for queries meanwhile.
        """
        with self._pool:
            if not self._refresh:
                return
            self._refresh = False
        while True:
            with self._pool:
                generation = cast(Path, self._generation)  # start() set it before the supervisor ran
                worker = next((w for w in self._idle if w.generation != generation and not (w.dead or w.killed)), None)
                if worker is None or self._closed:
                    return
                self._idle.remove(worker)
            try:
                worker.connection.send(("open", os.fspath(generation)))
                answer = worker.connection.recv() if worker.connection.poll(self.time_limit) else None
            except (EOFError, OSError):
                answer = None
            if answer is None:
                worker.kill()
            elif answer == ("opened",):
                worker.generation = generation
            else:  # it keeps the one it had; a query opens the generation it names
                log.warning("SPARQL worker %s could not open %s: %s", worker.pid, generation, answer[1])
                worker.generation = generation  # not again until the next switch
            with self._pool:
                if not (worker.dead or worker.killed or self._closed):
                    self._idle.append(worker)
                    self._pool.notify()

    def _kill_all(self) -> list[_Worker]:
        with self._pool:
            workers = list(self._workers)
            self._workers.clear()
            self._idle.clear()
            self._pool.notify_all()
        for worker in workers:
            worker.kill()
        return workers

    def _wake(self) -> None:
        # close() swaps the descriptor out under the lock; an error: awake already, or closed.
        with self._pool, contextlib.suppress(OSError):
            os.write(self._wake_write, b"x")

    def _drain_wake(self) -> None:
        try:
            while os.read(self._wake_read, 4096):
                pass
        except OSError:
            pass


@atexit.register  # before multiprocessing's own exit handler, registered earlier, stops the workers under the supervisor
def _close_every_service() -> None:
    for service in list(_STARTED):
        service.close()


def context():
    """The multiprocessing context every worker process of the engine starts from: a fork server that has imported the engine.

    A child of the fork server runs the parent's main script again when that
    is a file (``strategy-graph serve``, ``load``: Python 3.11's fork server
    does not preload it) unless the fork server imported it first: so it
    does, and the script imports strategy_graph.cli. Then a worker, for queries or for
    validation, forks ready. The first caller's preload holds.
    """
    context = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "forkserver":
        context.set_forkserver_preload([__name__, "graph.engine.units", "__main__"])
    return context
