"""A running viewer follows its store: a write is served without a restart, and long commands show progress only in a terminal."""

import fcntl
import json
import os
import re
import struct
import subprocess
import sys
import termios
import time
import urllib.request
from pathlib import Path

from graph import files
from tests.conftest import REPO, running_server

CLI = str(Path(sys.executable).with_name("strategy-graph"))


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


# The invented Example Town strategy, which the packaged dataset does not hold.
EXAMPLE = REPO / "examples" / "example-town.trig"


def test_a_write_to_the_store_is_served_without_a_restart(tmp_path):
    store = tmp_path / "store"
    subprocess.run([CLI, "init", "--store", str(store)], check=True, capture_output=True)
    with running_server(tmp_path, "--store", str(store), "--setting", "store_poll_seconds=0.2") as base:
        before = _get(base + "/")
        changed_before = re.search(r'<time datetime="([^"]+)"', before).group(1)
        assert "Example Town" not in before
        # A comment makes a query new to the viewer's kept answers, so that a worker answers it.
        count = lambda note="": json.loads(_get(base + "/sparql?query=" + urllib.request.quote(
            "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://w3id.org/strategy-graph/def#Strategy> } #" + note
        )))["results"]["bindings"][0]["n"]["value"]
        assert count() == "1"
        subprocess.run([CLI, "load", "--store", str(store), str(EXAMPLE)], check=True, capture_output=True)
        deadline = time.monotonic() + 30
        while "Example Town" not in _get(base + "/") and time.monotonic() < deadline:
            time.sleep(0.2)
        page = _get(base + "/")
        assert "Example Town" in page
        assert re.search(r'<time datetime="([^"]+)"', page).group(1) > changed_before
        # The answer kept for the old snapshot is not given for the new one ...
        assert count() == "2"
        # ... and the endpoint's workers answer from the same new snapshot, every one of them.
        assert {count(str(n)) for n in range(6)} == {"2"}
        # And the new strategy's gaps are there, read from the store's kept reports.
        gaps = _get(base + "/gaps")
        assert "Example Town" in gaps


def test_progress_shows_in_a_terminal_and_not_when_piped(tmp_path):
    paths = [str(p) for p in files.dataset_files()]
    piped = subprocess.run([CLI, "load", "--store", str(tmp_path / "piped"), *paths], capture_output=True, text=True)
    assert piped.returncode == 0 and piped.stderr == ""
    # A pseudo-terminal on stderr, as when a person runs the command, with a size (a new one has none).
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    done = subprocess.run([CLI, "load", "--store", str(tmp_path / "terminal"), *paths], stdout=subprocess.PIPE,
                          stderr=follower, text=True)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 0
    assert b"parsing" in shown and b"validating" in shown
