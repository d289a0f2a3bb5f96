"""What a run writes besides its plots: the history, the metrics, and when the error reached each threshold."""
from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pinnsolve.run_directory import write_text

THRESHOLDS = (1e-2, 1e-3, 1e-4, 1e-5)


def write_history(path: Path, history: Sequence[dict[str, Any]]) -> None:
    """One row per recorded iteration: iteration, elapsed_s, loss, each component, rel_l2."""
    columns = list(history[0]) if history else ["iteration", "elapsed_s", "loss", "rel_l2"]
    write_text(path, csv_text(columns, history))


def csv_text(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    """``rows`` as CSV with a header of ``columns``."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(columns))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def read_history(path: Path) -> list[dict[str, float]]:
    """A ``history.csv`` as :func:`write_history` wrote it (none: no rows), empty cells as NaN."""
    if not path.is_file():
        return []
    with path.open() as handle:
        return [{k: float(v) if v not in ("", None) else math.nan for k, v in row.items()} for row in csv.DictReader(handle)]


def write_json(path: Path, data: dict[str, Any]) -> None:
    """JSON with non-finite floats written as null (JSON has no NaN)."""

    def clean(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        return value

    write_text(path, json.dumps(clean(data), indent=2) + "\n")


def time_to_thresholds(history: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """Training seconds until rel L2 first fell to each threshold (at a recorded iteration)."""
    result: dict[str, float | None] = {}
    for threshold in THRESHOLDS:
        reached = [row["elapsed_s"] for row in history if row["rel_l2"] <= threshold]
        result[f"{threshold:.0e}"] = reached[0] if reached else None
    return result
