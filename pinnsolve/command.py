"""The console commands, as thin as can be: the engine (torch, Hydra) is imported inside, so
that a Ctrl-C while it loads, or anywhere a command has no more to say, is one line and exit
status 130, not a traceback through the import machinery."""
from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any


def pinnsolve() -> Any:
    """``pinnsolve``: :func:`pinnsolve.cli.main`."""

    def load() -> Callable[[], Any]:
        from pinnsolve.cli import main

        return main

    return _command("pinnsolve", load)


def pinnsolve_report() -> Any:
    """``pinnsolve-report``: :func:`pinnsolve.report.sweep.main`."""

    def load() -> Callable[[], Any]:
        from pinnsolve.report.sweep import main

        return main

    return _command("pinnsolve-report", load)


def _command(command: str, load: Callable[[], Callable[[], Any]]) -> Any:
    # While the engine loads, a SIGINT ends the process at once: nothing has been done that could be
    # lost, and a KeyboardInterrupt raised inside an import can be swallowed by a library that
    # catches everything (seen once in the test suite: the command then ran on and exited 0).
    def stop_loading(signum: int, frame: Any) -> None:
        _say_interrupted(command)
        os._exit(130)

    previous = signal.signal(signal.SIGINT, stop_loading)
    try:
        main = load()
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        return main()
    except KeyboardInterrupt:
        _say_interrupted(command)
        sys.exit(130)


def _say_interrupted(command: str) -> None:
    sys.stderr.write(f"{command}: interrupted (SIGINT)\n")
    sys.stderr.flush()
