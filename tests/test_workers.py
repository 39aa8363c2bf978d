"""The SPARQL query workers, as real processes over generations (Oxigraph folders) made here.

Timings are not asserted: the bounds below only stop a test that hangs.
Replacement and switch times are measured apart (see graph/engine/workers.py).
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.engine import QueryError, QueryService
from graph.formats import FORMS

EX = "https://example.org/"
GRAPH = EX + "graph/test"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{EX}Strategy> }}"
# CSV for a SELECT, and no format at all for the other forms (CSV has no boolean).
CSV = {form: "csv" if form == "SELECT" else None for form in FORMS}
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # 300^4 rows
HANG = 60  # seconds: only a hang takes this long


def make_generation(path: Path, strategies: int, padding: int = 300) -> Path:
    """A flushed, closed Oxigraph folder with ``strategies`` strategies and ``padding`` other statements."""
    store = ox.Store(str(path))
    graph = ox.NamedNode(GRAPH)
    store.extend(ox.Quad(ox.NamedNode(f"{EX}strategy/{i}"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                         ox.NamedNode(EX + "Strategy"), graph) for i in range(strategies))
    store.extend(ox.Quad(ox.NamedNode(f"{EX}thing/{i}"), ox.NamedNode(EX + "value"), ox.Literal(i), graph) for i in range(padding))
    store.flush()
    del store
    return path


def count(service: QueryService, query: str = COUNT, **options) -> int:
    payload, media_type, _ = service.run(query, CSV, **options)
    assert media_type == "text/csv"
    return int(payload.decode().splitlines()[1])


def alive(pid: int) -> bool:
    """Whether the process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def gone(pid: int) -> bool:
    """Whether the process has ended and been reaped (a zombie's other threads may still hold its files)."""
    return not Path(f"/proc/{pid}").exists()


def wait_until(predicate, what: str) -> None:
    deadline = time.monotonic() + HANG
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"still not {what} after {HANG} s")
        time.sleep(0.02)


@pytest.fixture
def generations(tmp_path):
    """Two generations of one store: one strategy before a write, two after."""
    return make_generation(tmp_path / "gen-1", 1), make_generation(tmp_path / "gen-2", 2)


@pytest.fixture
def services():
    """Makes started services (two workers) and closes them after the test."""
    started = []

    def make(generation: Path, **settings) -> QueryService:
        service = QueryService({"sparql_workers": 2, "sparql_time_limit_seconds": 5, **settings})
        started.append(service)
        service.start(generation)
        return service

    yield make
    for service in started:
        service.close()


@pytest.mark.parametrize("started_in", ["the server's thread", "the request thread"])
def test_workers_outlive_the_request_thread_that_first_used_them(services, generations, started_in):
    """Regression: PR_SET_PDEATHSIG killed the workers when the (waitress) thread that started them ended."""
    box = {}

    def request():
        if started_in == "the request thread":
            box["service"] = services(generations[0])
        box["answer"] = count(box["service"])
        box["pids"] = box["service"].worker_pids()

    if started_in == "the server's thread":
        box["service"] = services(generations[0])
    thread = threading.Thread(target=request)
    thread.start()
    thread.join(HANG)
    assert not thread.is_alive() and box["answer"] == 1
    time.sleep(0.5)  # a death signal, had it been sent, has arrived
    service, pids = box["service"], box["pids"]
    assert len(pids) == 2 and all(alive(pid) for pid in pids)
    assert [count(service) for _ in range(4)] == [1] * 4
    assert service.worker_pids() == pids


def test_a_killed_worker_is_replaced_before_the_next_query_needs_it(services, generations):
    service = services(generations[0], sparql_time_limit_seconds=1)
    before = service.worker_pids()
    with pytest.raises(QueryError) as stopped:
        service.run(SLOW)
    assert stopped.value.reason == "timed-out" and "was stopped" in str(stopped.value)
    # No query is sent while the pool refills: the supervisor does it on its own.
    wait_until(lambda: service.ready_count() == 2 and service.worker_pids() != before, "refilled")
    after = service.worker_pids()
    (killed,), (replacement,) = set(before) - set(after), set(after) - set(before)
    assert not alive(killed) and alive(replacement)
    assert [count(service) for _ in range(4)] == [1] * 4
    assert service.worker_pids() == after


def test_all_workers_answer_from_the_callers_generation(services, generations):
    """Regression: after a write, identical queries answered from different snapshots."""
    gen1, gen2 = generations
    service = services(gen1, sparql_queue_seconds=HANG)  # none of the three below may be turned away as busy
    assert count(service) == 1
    service.switch(gen2)
    assert service.generation == gen2
    barrier, answers = threading.Barrier(3), []

    def ask():
        barrier.wait(HANG)
        answers.append(count(service))

    # More than the workers, all at once; no more than wait at once (two), while a worker may be moving to gen2.
    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(HANG)
    assert answers == [2] * 3
    assert count(service, generation=gen1) == 1  # a request serving the old snapshot still sees it
    assert [count(service) for _ in range(4)] == [2] * 4


def test_a_request_may_name_a_generation_the_workers_have_not_seen(services, tmp_path, generations):
    service = services(generations[0])
    gen3 = make_generation(tmp_path / "gen-3", 3)
    assert count(service, generation=gen3) == 3
    assert count(service) == 1


def test_a_crashed_worker_is_replaced_and_never_handed_a_query(services, generations):
    service = services(generations[0])
    before = service.worker_pids()
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: gone(victim), "gone")
    # Whether or not the supervisor has noticed yet, no query goes to the dead worker.
    assert [count(service) for _ in range(4)] == [1] * 4
    wait_until(lambda: service.ready_count() == 2 and victim not in service.worker_pids(), "refilled")
    (replacement,) = set(service.worker_pids()) - set(before)
    assert alive(replacement)
    assert [count(service) for _ in range(4)] == [1] * 4


def test_a_worker_that_dies_under_a_query_answers_500_without_a_trace(services, generations):
    service = services(generations[0])
    before = service.worker_pids()
    failure = {}

    def slow():
        try:
            service.run(SLOW)
        except QueryError as error:
            failure["error"] = error

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)  # the query is running
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    thread.join(HANG)
    assert failure["error"].reason == "failed" and str(failure["error"]) == "the query engine failed on this query"
    wait_until(lambda: service.ready_count() == 2 and not set(service.worker_pids()) & set(before), "refilled")
    assert count(service) == 1


def test_the_checks_run_in_the_worker_on_the_generations_graphs(services, generations):
    service = services(generations[0])
    assert count(service, f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}> WHERE {{ ?s a <{EX}Strategy> }}") == 1
    cases = {
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }": ("refused", "FROM <file:///etc/passwd> is refused"),
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }": ("refused", "SERVICE is refused"),
        "SELECT * WHERE { ?s ?p ?o . # x\\u000aSERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }": ("refused", "SERVICE is refused"),
        "DROP ALL": ("read-only", "read-only"),
        "SELECT * WHERE { ?s ?p }": ("malformed", "malformed query"),
        "ASK {}": ("not-acceptable", "none of the accepted types"),  # CSV has no boolean
    }
    for query, (reason, message) in cases.items():
        with pytest.raises(QueryError) as refused:
            service.run(query, CSV)
        assert refused.value.reason == reason and message in str(refused.value), query
        assert "Traceback" not in str(refused.value)
    with pytest.raises(QueryError) as unknown:
        service.run(COUNT, protocol_dataset=(["file:///etc/passwd"], []))
    assert unknown.value.reason == "refused"


def test_a_protocol_graph_the_store_does_not_hold_is_an_empty_graph(services, generations):
    service = services(generations[0])
    assert count(service) == 1
    payload, _, _ = service.run(COUNT, CSV, protocol_dataset=([EX + "graph/other"], [EX + "graph/none"]))
    assert payload.decode().splitlines() == ["n", "0"]
    payload, _, _ = service.run(f"SELECT (COUNT(*) AS ?n) FROM <{EX}graph/other> WHERE {{ ?s ?p ?o }}", CSV)
    assert payload.decode().splitlines() == ["n", "0"]


def test_rows_and_bytes_are_capped(services, generations):
    service = services(generations[0], sparql_max_rows=5, sparql_max_result_bytes=2_000)
    payload, _, truncated = service.run("SELECT ?s WHERE { ?s ?p ?o }", CSV)
    assert truncated and len(payload.decode().splitlines()) == 6
    with pytest.raises(QueryError) as large:
        service.run('SELECT ?v WHERE { BIND (CONCAT("x", STR(NOW()), "' + "y" * 3_000 + '") AS ?v) }', CSV)
    assert large.value.reason == "too-large"


def test_every_worker_has_the_memory_ceiling(services, generations):
    service = services(generations[0], sparql_worker_memory_bytes=3_000_000_000)
    for pid in service.worker_pids():
        limits = Path(f"/proc/{pid}/limits").read_text().splitlines()
        (line,) = [line for line in limits if line.startswith("Max address space")]
        assert line.split()[3:5] == ["3000000000", "3000000000"]


def test_busy_workers_refuse_as_busy(services, generations):
    service = services(generations[0], sparql_workers=1, sparql_time_limit_seconds=1)
    barrier, errors = threading.Barrier(3), []

    def slow():
        barrier.wait(HANG)
        try:
            service.run(SLOW)
        except QueryError as error:
            errors.append(error)

    threads = [threading.Thread(target=slow) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(HANG)
    # One runs into the time limit; the others find the one worker busy (the endpoint answers both with 503).
    assert sorted(e.reason for e in errors) in (["busy", "busy", "timed-out"], ["busy", "timed-out", "timed-out"])
    assert any("busy" in str(e) for e in errors) and any("was stopped" in str(e) for e in errors)
    assert service.wait_ready(HANG) and count(service) == 1


def test_no_more_requests_wait_than_there_are_workers(services, generations):
    """Regression: every request queued for a worker, so runaway queries held all of the web server's threads."""
    service = services(generations[0], sparql_workers=1, sparql_time_limit_seconds=2, sparql_queue_seconds=HANG)
    outcomes = {}

    def ask(name, query):
        try:
            outcomes[name] = count(service, query)
        except QueryError as error:
            outcomes[name] = error.reason

    runaway = threading.Thread(target=ask, args=("runaway", SLOW))
    runaway.start()
    time.sleep(0.5)  # it has the one worker
    waiting = threading.Thread(target=ask, args=("waiting", COUNT))
    waiting.start()
    time.sleep(0.5)  # it waits for the worker
    ask("turned away", COUNT)
    assert outcomes == {"turned away": "busy"}  # at once: the other two are still running and waiting
    runaway.join(HANG)
    waiting.join(HANG)
    assert outcomes == {"turned away": "busy", "runaway": "timed-out", "waiting": 1}


def test_close_stops_every_worker(generations):
    service = QueryService({"sparql_workers": 2})
    service.start(generations[0])
    pids = service.worker_pids()
    service.close()
    wait_until(lambda: all(gone(pid) for pid in pids), "stopped")
    with pytest.raises(QueryError) as stopped:
        service.run(COUNT)
    assert stopped.value.reason == "unavailable"


def test_a_generation_that_cannot_be_opened_stops_the_start(tmp_path):
    from graph.engine import GraphSourceError

    service = QueryService({"sparql_workers": 1})
    with pytest.raises(GraphSourceError, match="could not start"):
        service.start(tmp_path / "nothing-here")
    assert service.worker_pids() == []


def test_workers_die_with_the_server_even_in_a_query(generations):
    script = (
        "import sys, threading, time\n"
        "from graph.engine.workers import QueryService\n"
        "service = QueryService({'sparql_workers': 2, 'sparql_time_limit_seconds': 600})\n"
        f"service.start({str(generations[0])!r})\n"
        f"threading.Thread(target=service.run, args=({SLOW!r},), daemon=True).start()\n"
        "while service.ready_count() == 2:\n"
        "    time.sleep(0.01)\n"
        "print(*service.worker_pids(), flush=True)\n"
        "time.sleep(600)\n"
    )
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(pid) for pid in server.stdout.readline().split()]
        assert len(pids) == 2 and all(alive(pid) for pid in pids)
        server.kill()  # no shutdown code runs; one worker is in the middle of a query
        server.wait(HANG)
        wait_until(lambda: not any(alive(pid) for pid in pids), "gone with the server")
    finally:
        server.kill()
        server.wait(HANG)


def test_a_query_over_the_workers_memory_limit_is_stopped_as_such_not_as_a_crash(services, tmp_path):
    """Regression: Oxigraph aborts when an allocation fails under the memory limit, and the client got 500
    "the query engine failed"; it is the query that asked for too much, and the next query is answered."""
    generation = make_generation(tmp_path / "gen", 1, padding=3000)
    service = services(generation, sparql_worker_memory_bytes=1_200_000_000, sparql_time_limit_seconds=30)
    assert service.wait_ready(HANG)
    hungry = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?f ?c LIMIT 1"  # 3,000² rows, sorted: gigabytes
    with pytest.raises(QueryError) as stopped:
        service.run(hungry)
    assert stopped.value.reason == "too-costly"
    assert str(stopped.value) == "the query needed more memory than a worker may use, and was stopped; ask for less"
    assert count(service) == 1


def _close_then_abort(connection, seconds: float) -> None:
    """A worker's way of dying under its memory ceiling, slowly: its pipe closes, then it aborts."""
    connection.close()
    time.sleep(seconds)
    os.abort()


def test_a_worker_slow_to_die_after_its_pipe_closed_is_still_read_as_over_memory():
    """Regression: under CI, a worker aborting under its memory ceiling took over 1 s to end after its
    pipe closed; the service waited 1 s, read no exit code, and told the client "the query engine failed"."""
    import multiprocessing

    from graph.engine.workers import _exit_code

    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    process = context.Process(target=_close_then_abort, args=(theirs, 1.5), daemon=True)
    process.start()
    theirs.close()
    with pytest.raises(EOFError):
        ours.recv()  # the pipe closed while the process still runs, as under a query
    assert process.exitcode is None
    assert _exit_code(process, HANG) == -signal.SIGABRT


def test_an_answer_worked_out_ahead_has_its_own_budget_and_stops_once_no_longer_wanted(services, generations):
    """precompute runs beyond the request limit, under its own; and a worker on one no longer wanted (a newer
    snapshot served) is stopped at once, rather than holding the turn of the next for up to that budget."""
    service = services(generations[0], sparql_time_limit_seconds=0, sparql_precompute_seconds=HANG)
    payload, media_type, _ = service.precompute(COUNT, CSV, generations[0])
    assert media_type == "text/csv" and payload.decode().splitlines()[1] == "1"
    before = service.worker_pids()
    with pytest.raises(QueryError) as stopped:
        service.precompute(SLOW, CSV, generations[0], wanted=lambda: False)
    assert stopped.value.reason == "unavailable" and "no longer wanted" in str(stopped.value)
    wait_until(lambda: service.ready_count() == 2 and service.worker_pids() != before, "refilled")
    assert len(set(before) - set(service.worker_pids())) == 1
