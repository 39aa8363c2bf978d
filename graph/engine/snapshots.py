"""A store on disk: generations of one Oxigraph folder, published whole, read by many processes at once.

A store folder holds:

- ``current``: which generation is live, and when it was written (JSON,
  replaced atomically, so a reader sees the old generation or the new one);
- ``gen-NNNNNN/``: an Oxigraph folder, flushed, never written once published;
- ``gen-NNNNNN.readers``: every process reading that generation holds a
  shared lock on it, and a generation is deleted only when nobody does;
- ``write.lock``: held by the one process writing.

A write copies the live generation (Oxigraph's backup hard-links its files,
so this takes milliseconds), changes the copy, flushes and closes it, and
publishes it.
Until it is published nothing a reader can see has changed, and after any
error the copy is deleted: the store is exactly as it was.
"""

import datetime
import fcntl
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

import pyoxigraph as ox

from graph.engine.store import GraphSourceError

T = TypeVar("T")

# The names in a store folder (described above), each defined here once.
_POINTER = "current"
_WRITE_LOCK = "write.lock"
_READERS = ".readers"
_GENERATION_PREFIX, _DIGITS = "gen-", 6
_GENERATION = re.compile(rf"{_GENERATION_PREFIX}(\d{{{_DIGITS}}})")


def _generation(number: int) -> str:
    return f"{_GENERATION_PREFIX}{number:0{_DIGITS}d}"


def _readers(generation: Path) -> Path:
    """The readers' lock file of a generation."""
    return generation.with_suffix(_READERS)


def in_store(generation: Path) -> bool:
    """Whether ``generation`` is one of a store folder's, whose readers' lock keeps it (not a folder of its own)."""
    return (generation.parent / _POINTER).is_file()


class NoStore(GraphSourceError):
    """Nothing was ever written at the folder given as a store; ``store`` is the folder."""

    def __init__(self, message: str, store: Path):
        super().__init__(message)
        self.store = store


class NotAStore(NoStore):
    """The folder holds files, but not a store's (or a store of an earlier version's); ``store`` is the folder."""


@dataclass(frozen=True)
class Generation:
    """The live generation of a store: its folder and when it was written."""

    path: Path
    written: datetime.datetime


def live(store: Path) -> Generation | None:
    """The generation a reader of ``store`` sees now; None if nothing was ever written."""
    pointer = store / _POINTER
    try:
        state = json.loads(pointer.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if store.is_dir() and any(store.iterdir()) and not (store / _WRITE_LOCK).exists():
            raise NotAStore(f"{store}: not a strategy-graph store (or one made by an earlier version)", store) from None
        return None
    except (OSError, ValueError) as error:
        raise GraphSourceError(f"{pointer}: unreadable ({error})") from error
    return Generation(store / state["generation"], datetime.datetime.fromisoformat(state["written"]))


def hold(generation: Path) -> IO[bytes] | None:
    """The shared readers' lock that keeps a generation of a store from deletion while it is open; None if it is gone.

    Close the returned file to let the generation go.
    """
    lock = open(_readers(generation), "a+b")  # noqa: SIM115 — returned open: the lock lasts as long as the reader
    fcntl.flock(lock, fcntl.LOCK_SH)
    if generation.is_dir():
        return lock
    lock.close()  # a write deleted it between the reader's look at `current` and the lock
    return None


class Reader:
    """One process's read-only view of a generation; while it is open the generation is not deleted."""

    def __init__(self, store: Path):
        for _ in range(5):  # a write may publish, and delete the old generation, between the reads
            generation = live(store)
            if generation is None:
                raise NoStore(f"{store}: no store here", store)
            self._lock = hold(generation.path)
            if self._lock is not None:
                break
        else:
            raise GraphSourceError(f"{store}: the store changed too often to be opened; try again")
        self.generation = generation
        try:
            self.store = ox.Store.read_only(str(generation.path))
        except OSError as error:
            self._lock.close()
            raise GraphSourceError(f"{generation.path}: the store cannot be opened: {error}") from error

    def close(self) -> None:
        """Let the generation go (a later write may then delete it)."""
        self.__dict__.pop("store", None)
        if self._lock is not None:  # always, once __init__ returned
            self._lock.close()


def rewrite(store: Path, change: Callable[[ox.Store], T], check: Callable[[ox.Store], bool] | None = None) -> T | None:
    """Apply ``change`` to a writable copy of the live generation, and publish the copy; return what ``change`` returned.

    ``check``, if given, sees the flushed copy read-only before it is
    published, and publishes it by returning True; otherwise, and after any
    error, the copy is deleted and the store is exactly as it was (None is
    returned when ``check`` refused). Writers queue on ``write.lock``, so two
    writes never lose each other's changes.
    """
    if store.exists() and not store.is_dir():
        raise GraphSourceError(f"{store}: not a folder")
    if store.exists():
        live(store)  # refuses a folder that is not a store before anything is written into it
    store.mkdir(parents=True, exist_ok=True)
    with open(store / _WRITE_LOCK, "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = live(store)
        numbers = [int(m.group(1)) for p in store.iterdir() if (m := _GENERATION.fullmatch(p.name))]
        path = store / _generation(max(numbers, default=0) + 1)
        try:
            if current is not None:
                ox.Store.read_only(str(current.path)).backup(str(path))
            result = _changed(path, change)
            if check is not None and not check(ox.Store.read_only(str(path))):
                shutil.rmtree(path, ignore_errors=True)
                return None
            _publish(store, path)
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        # Under the write lock, so that no generation being written is taken for an old one.
        collect(store)
    return result


def _changed(path: Path, change: Callable[[ox.Store], T]) -> T:
    """Run ``change`` on the folder opened for writing, flush it, and close it.

    Nothing else may hold the writable store once this returns: its
    background compaction would delete files that a reader of the published
    generation needs.
    """
    target = ox.Store(str(path))
    result = change(target)
    target.flush()
    del target
    return result


def _publish(store: Path, generation: Path) -> None:
    state = {"generation": generation.name, "written": datetime.datetime.now(datetime.UTC).isoformat()}
    temporary = (store / _POINTER).with_suffix(".tmp")
    with open(temporary, "w", encoding="utf-8") as out:
        json.dump(state, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, store / _POINTER)
    directory = os.open(store, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def collect(store: Path) -> None:
    """Delete the generations that are not live and that no process reads (call it holding the write lock)."""
    generation = live(store)
    for path in store.iterdir():
        if not _GENERATION.fullmatch(path.name) or (generation and path == generation.path):
            continue
        with open(_readers(path), "a+b") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a reader still has it open
            shutil.rmtree(path, ignore_errors=True)
            _readers(path).unlink(missing_ok=True)
