"""./dev waits for another package install to finish rather than failing at once on apt's lock (issue 25, item 15).

apt locks with fcntl: the tests hold the same lock from a child process for a few seconds, as another installer would.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

HELD = 4  # seconds another installer holds the lock

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("apt-get"), reason="needs apt-get, run as root")

_HOLD = """
import fcntl, os, sys, time
handle = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o640)
fcntl.lockf(handle, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def _while_held(lock: Path, command: str) -> tuple[subprocess.CompletedProcess, float]:
    """Runs ``command`` (bash, with dev's functions) while another process holds ``lock``; its result and how long it took."""
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(lock), str(HELD)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        start = time.monotonic()
        done = subprocess.run(["bash", "-c", f"source ./dev && {command}"], cwd=REPO, capture_output=True, text=True, timeout=120)
        return done, time.monotonic() - start
    finally:
        holder.wait(timeout=30)


def test_a_package_list_update_waits_for_the_lists_lock(tmp_path):
    # A private lists folder and no sources: the same locking as the machine's own update, without touching its lists.
    lists = tmp_path / "lists"
    (lists / "partial").mkdir(parents=True)
    private = f"-o Dir::State::Lists={lists} -o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts={tmp_path / 'none'}"
    done, took = _while_held(lists / "lock", f"apt_get {private} update -q")
    assert done.returncode == 0, done.stderr
    assert took >= HELD - 1
    assert "waiting up to 600s for another package install to finish" in done.stderr


def test_an_install_waits_for_the_package_managers_lock():
    # coreutils is always installed: apt takes its lock, finds nothing to do, and changes nothing.
    done, took = _while_held(Path("/var/lib/dpkg/lock-frontend"), "apt_get install -y -q --no-upgrade coreutils")
    assert done.returncode == 0, done.stderr
    assert took >= HELD - 1


def test_an_error_that_is_not_the_lock_is_not_waited_for():
    start = time.monotonic()
    done = subprocess.run(["bash", "-c", "source ./dev && apt_get install -y -q no-such-package-strategy-graph"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 100 and "Unable to locate package no-such-package-strategy-graph" in done.stderr
    assert "waiting" not in done.stderr and time.monotonic() - start < 30
