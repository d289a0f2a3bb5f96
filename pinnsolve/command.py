"""The console commands, as thin as can be: the engine (torch, Hydra) is imported inside, so
that a Ctrl-C while it loads, or anywhere a command has no more to say, is one line and exit
status 130, not a traceback through the import machinery."""
from __future__ import annotations

import sys
from typing import Any


def pinnsolve() -> Any:
    """``pinnsolve``: :func:`pinnsolve.cli.main`."""
    try:
        from pinnsolve.cli import main

        return main()
    except KeyboardInterrupt:
        _interrupted("pinnsolve")


def pinnsolve_report() -> Any:
    """``pinnsolve-report``: :func:`pinnsolve.report.sweep.main`."""
    try:
        from pinnsolve.report.sweep import main

        return main()
    except KeyboardInterrupt:
        _interrupted("pinnsolve-report")


def _interrupted(command: str) -> None:
    sys.stderr.write(f"{command}: interrupted (SIGINT)\n")
    sys.exit(130)
