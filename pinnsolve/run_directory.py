"""A run directory: the files a run writes, each whole or absent, and one run at a time changing them.

Every file goes through :func:`written` (a temporary beside it, flushed to disk, renamed over
it), so a kill, a full disk or a second Ctrl-C leaves the old file or the new one, never part of
one. A run claims its directory (:func:`claimed`) with an OS lock that dies with the process,
so a ``kill -9`` leaves no stale lock; while it holds the claim no other pinnsolve process may
start there. A directory holding anything a run does not write is refused rather than cleared:
a user's own ``model.pt`` is not an earlier run's.
"""
from __future__ import annotations

import fcntl
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

CONFIG_DIR = ".hydra"  # the config a run ran with, as Hydra saves it
LOG_FILE = "pinnsolve.log"
LOCK_FILE = ".pinnsolve.lock"
ERROR_FILE = "error.txt"  # a sweep's job that failed writes its error here, in place of metrics.json
PARTIAL = ".partial"  # the suffix of a file being written; one left behind was being written when its process died

# what a run writes into its directory besides CONFIG_DIR, LOG_FILE and LOCK_FILE, metrics.json last
RESULT_FILES = (
    "metrics.json", "history.csv", "model.pt", "prediction.npz", "checkpoint.pt", ERROR_FILE,
    "solution.png", "slices.png", "loss.png", "error.png", "slopes.png", "activations.png", "parameters.png",
)


TRACKER_DIR = "tensorboard"  # logger=tensorboard's event files, unless logger.log_dir is elsewhere
TRACKER_FILES = "events.out.tfevents."


_UMASK = os.umask(0o022)  # reading the umask means setting it: set it back at once
os.umask(_UMASK)


class RunDirectoryError(Exception):
    """A directory a run cannot use: another run holds it, it holds files that are not a run's, or it cannot be made."""


@contextmanager
def written(path: Path) -> Iterator[BinaryIO]:
    """A binary file whose contents become ``path`` when the block ends without an error; until
    then ``path`` is as it was, and an error leaves it so. An OSError (a full disk, a name too
    long, a directory in the way) is raised again naming ``path``."""
    temporary = None
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=PARTIAL)
        os.fchmod(descriptor, 0o666 & ~_UMASK)  # mkstemp's 0600 would hide results from the group a plain open() lets read them
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())  # the rename must not reach the disk before the contents
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        raise OSError(error.errno, error.strerror or str(error), str(path)) from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """``text`` as ``path``'s UTF-8 contents, whole or not at all."""
    with written(path) as handle:
        handle.write(text.encode())


class Claim:
    """``path`` (made if missing) held by this process until :meth:`release` (or the end of a
    ``with`` block): another process that claims it meanwhile gets a :class:`RunDirectoryError`;
    claims by this process nest. ``key`` names the setting the path came from, for the messages."""

    _held: dict[Path, list[int]] = {}  # directory -> [lock file descriptor, claims] held by this process

    def __init__(self, path: Path, key: str) -> None:
        self.path = Path(os.path.realpath(path))
        if self.path in Claim._held:
            Claim._held[self.path][1] += 1
            return
        try:
            path.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise RunDirectoryError(f"{key}: cannot use {path}: {error.strerror or error}") from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(descriptor, 32).decode(errors="replace").strip() or "unknown"
            os.close(descriptor)
            raise RunDirectoryError(
                f"{key}: another pinnsolve run (pid {holder}) is using {path}; wait for it to end or choose another directory"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        Claim._held[self.path] = [descriptor, 1]

    def release(self) -> None:
        held = Claim._held.get(self.path)
        if held is None:
            return
        held[1] -= 1
        if held[1] == 0:
            del Claim._held[self.path]
            os.close(held[0])  # releases the lock; the file stays, since removing it would race a claimant

    def __enter__(self) -> Claim:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class Attempt:
    """A run about to start in ``path``: refused if the directory holds anything a run does not
    write, else claimed, with what was there remembered so that a run refused before it starts
    can :meth:`undo` every trace of itself: a directory it made is removed, and an earlier run's
    saved config (which Hydra overwrites before pinnsolve can check the new one) is put back."""

    started: Attempt | None = None  # the command's single run, claimed before Hydra writes into its directory

    def __init__(self, path: Path, key: str) -> None:
        check_holds_only_a_run(path, key)
        self.path, self.existed = path, path.exists()
        config_dir = path / CONFIG_DIR
        self.saved = {p.name: p.read_bytes() for p in config_dir.iterdir() if p.is_file()} if config_dir.is_dir() else None
        self.claim = Claim(path, key)

    def undo(self) -> None:
        if not self.existed:
            shutil.rmtree(self.path, ignore_errors=True)
            return
        config_dir = self.path / CONFIG_DIR
        if self.saved is None:
            shutil.rmtree(config_dir, ignore_errors=True)
            return
        for entry in config_dir.iterdir() if config_dir.is_dir() else ():
            if entry.name not in self.saved:
                entry.unlink()
        config_dir.mkdir(exist_ok=True)
        for name, contents in self.saved.items():
            with written(config_dir / name) as handle:
                handle.write(contents)

    def release(self) -> None:
        self.claim.release()


def foreign(path: Path) -> list[str]:
    """What ``path`` holds that no run writes (none: the directory is missing, empty or a run's):
    any other name, and a run's name that is not a plain file (a directory, a link)."""
    if not path.is_dir():
        return []
    found = []
    for entry in sorted(path.iterdir()):
        name = entry.name
        if name == CONFIG_DIR:
            ok = entry.is_dir() and not entry.is_symlink()
        elif name == TRACKER_DIR:
            ok = _holds_only_event_files(entry)
        elif name in (*RESULT_FILES, LOG_FILE, LOCK_FILE) or name.endswith(PARTIAL):
            ok = entry.is_file() and not entry.is_symlink()
        else:
            ok = False
        if not ok:
            found.append(name + ("/" if entry.is_dir() else ""))
    return found


def _holds_only_event_files(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and all(
        entry.is_file() and not entry.is_symlink() and entry.name.startswith(TRACKER_FILES) for entry in path.iterdir()
    )


def check_holds_only_a_run(path: Path, key: str) -> None:
    """Refuse ``path`` if it holds anything a run does not write."""
    others = foreign(path)
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        raise RunDirectoryError(
            f"{key}: {path} holds files that are not a pinnsolve run's ({shown}); choose a new or empty directory, "
            "or a run's own"
        )


def clear_earlier_run(path: Path) -> None:
    """Remove the results an earlier run left in ``path`` and any file left half-written; the
    caller holds the claim, so nothing else is writing there."""
    removed = []
    for entry in path.iterdir():
        if entry.name in RESULT_FILES or entry.name.endswith(PARTIAL):
            entry.unlink()
            removed.append(entry.name)
        elif entry.name == TRACKER_DIR and _holds_only_event_files(entry):
            shutil.rmtree(entry)
            removed.append(entry.name + "/")
    if removed:
        log.info("removed an earlier run's files from %s: %s", path, ", ".join(sorted(removed)))
