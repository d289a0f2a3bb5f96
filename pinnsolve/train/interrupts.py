"""SIGINT and SIGTERM as requests to stop: the first is noted, and training stops at its next
iteration and writes what it has; a second SIGINT stops at once, as Python does by default.

One watch covers a single run or a whole sweep, so that a signal between a sweep's jobs stops
the jobs still to come rather than the process. Handlers are installed in the main thread only
(Python allows no other); elsewhere the watch sees no signals.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

WATCHED = (signal.SIGINT, signal.SIGTERM)
EXIT_STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}  # 128 + the signal's number, as shells report it

_received: signal.Signals | None = None
_depth = 0
_previous: dict[signal.Signals, object] = {}


def _note(number: int, frame: object) -> None:
    global _received
    if _received is not None and number == signal.SIGINT:
        raise KeyboardInterrupt
    _received = signal.Signals(number)


@contextmanager
def watch() -> Iterator[None]:
    """Note SIGINT and SIGTERM while inside (nested watches share the outermost one's)."""
    global _depth, _received
    outermost = _depth == 0 and threading.current_thread() is threading.main_thread()
    if outermost:
        _received = None
        for number in WATCHED:
            _previous[number] = signal.signal(number, _note)
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if outermost:
            for number in WATCHED:
                signal.signal(number, _previous.pop(number))


def received() -> signal.Signals | None:
    """The first signal noted by the current watch, if any."""
    return _received


def reason() -> str | None:
    """'SIGINT received' (or SIGTERM) once a signal was noted."""
    return f"{_received.name} received" if _received is not None else None
