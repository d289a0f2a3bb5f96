"""What every tracker does, and the no-op one that ``logger=none`` gets."""
from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any


class Tracker:
    """Receives a run's history rows as they are recorded and its metrics when it ends; this base
    class records nothing (``logger=none``).

    A subclass names the module it needs (``library``) and the pinnsolve extra that installs it
    (``extra``), so that a run asking for a tracker whose library is missing is refused up front.
    """

    library: str = ""
    extra: str = ""

    @classmethod
    def open(cls, logger: Any, *, problem: str, run_dir: Path | None, config: Mapping[str, Any], resumed_at: int | None) -> Tracker:
        """A tracker for one run: ``logger`` is its :class:`~pinnsolve.config.LoggerConfig`,
        ``run_dir`` the run's directory (None: the run writes none), ``config`` the run's resolved
        config, ``resumed_at`` the iteration a resumed run continues from (None: a new run)."""
        return cls()

    def record(self, row: Mapping[str, Any]) -> None:
        """One history row (the columns of ``history.csv``), at step ``row["iteration"]``."""

    def finish(self, metrics: Mapping[str, Any], run_dir: Path | None) -> None:
        """The run's final metrics (``metrics.json``'s), and its directory's files where it has one."""

    def close(self, failed: bool) -> None:
        """The run is over: ``failed`` if it ended in an exception before :meth:`finish`."""

    def __enter__(self) -> Tracker:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: Any) -> None:
        # an error fails the tracked run; a Ctrl-C (BaseException) leaves it stopped, not failed
        self.close(failed=kind is not None and issubclass(kind, Exception))


def scalars(values: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, float]]:
    """The finite numbers in ``values`` as ``(name, value)``, nested mappings' as ``outer.inner``
    (booleans, strings, lists and nulls are not scalars to plot)."""
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from scalars(value, f"{name}.")
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            yield name, float(value)


def measures(row: Mapping[str, Any]) -> Iterator[tuple[str, float]]:
    """A history row's numbers but its step, ``iteration``."""
    return ((name, value) for name, value in scalars(row) if name != "iteration")


def last_iteration(metrics: Mapping[str, Any]) -> int:
    """The step a finished run ended at: the iterations of all its phases."""
    return sum(value for key, value in metrics.items() if key.startswith("iterations_"))


def flat(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested config as one level of ``a.b.c`` keys (lists kept as they are)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flat(value, f"{name}."))
        else:
            out[name] = value
    return out
