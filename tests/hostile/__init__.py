"""The red team's corpus: generators of hostile inputs, and a way to run a command on one within bounds.

Each generator writes its file into a folder the test gives it and returns
the path; none holds the whole payload in memory when it can stream it. A
test runs the command on it with ``run_bounded``: in a child process with a
memory ceiling and a time limit, so that a regression fails the test rather
than the machine.
"""

import resource
import subprocess
import sys
from pathlib import Path

CLI = str(Path(sys.executable).with_name("strategy-graph"))


def run_bounded(args: list[str], cwd: Path, seconds: float = 60, memory_bytes: int = 2 << 30,
                stdin: str | None = None) -> subprocess.CompletedProcess:
    """``strategy-graph ARGS`` in ``cwd``, stopped at ``seconds`` (TimeoutExpired) and at ``memory_bytes`` of address space."""

    def bound() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    return subprocess.run([CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=seconds, preexec_fn=bound,
                          input=stdin)
