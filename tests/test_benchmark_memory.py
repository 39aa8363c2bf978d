"""The national benchmark's memory figure counts every descendant, those started by any thread (issue 29).

The query workers are started by the viewer's supervisor thread, not its main thread; the benchmark once counted
only the main thread's children and missed them.
"""

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

# A parent whose second thread starts a child holding 64 MiB; the parent prints the child's pid, then waits.
PARENT = """
import subprocess, sys, threading
CHILD = "import sys, time; block = b'x' * (64 * 1024 * 1024); print('ready', flush=True); time.sleep(60)"
def start():
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
    child.stdout.readline()
    print(child.pid, flush=True)
    child.wait()
threading.Thread(target=start).start()
"""


def national():
    """benchmarks/national.py, a script in a folder that is no package, imported by its path."""
    spec = importlib.util.spec_from_file_location("national", REPO / "benchmarks" / "national.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS in /proc/{pid}/status")


def test_children_of_every_thread_are_counted():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    try:
        counted = national().resident_mib(parent.pid) * 1024
        alone = resident_kib(parent.pid)
        assert resident_kib(child) > 60 * 1024
        assert counted >= alone + resident_kib(child) * 0.9, (counted, alone, resident_kib(child))
    finally:
        os.kill(child, signal.SIGTERM)
        parent.wait(10)
