"""The report of a sweep (``pinnsolve -m ...``): one row per job, and the jobs compared by group.

Jobs are grouped by their overrides except ``seed``, so the seeds of one setting form a group.
The report is rebuilt from the job directories alone, at the end of every sweep or later with
``pinnsolve-report SWEEP_DIR``. A job without ``metrics.json`` is listed with its status
(``failed`` with its error, or ``incomplete``), and one whose files cannot be read as ``failed``
with the file named, rather than stopping the report.
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import math
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
import yaml
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from pinnsolve.report.files import csv_text, read_history
from pinnsolve.report.plots import save_figure
from pinnsolve.run_directory import ERROR_FILE, write_text

log = logging.getLogger(__name__)

METRIC_COLUMNS = ("rel_l2", "max_abs_error", "loss", "wall_time_s", "train_time_s")  # then iterations_<phase>


@dataclass
class Job:
    """One job directory of a sweep."""

    name: str
    overrides: list[str]
    seed: int | None
    status: str
    metrics: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, float]] = field(default_factory=list)
    error: str = ""

    @property
    def setting(self) -> tuple[str, ...]:
        """The overrides that define the job's group: all but ``seed``."""
        return tuple(o for o in self.overrides if o.split("=", 1)[0].lstrip("+~") != "seed")


def _read_metrics(path: Path) -> dict[str, Any]:
    metrics = json.loads(path.read_text())
    if not isinstance(metrics, dict):
        raise ValueError(f"holds a {type(metrics).__name__}, not an object")
    return metrics


def read_job(directory: Path) -> Job:
    """The job in ``directory``: ``failed`` with its ``error.txt``, else as its ``metrics.json``
    says, else ``incomplete``. A file of the job that cannot be read makes it ``failed``, with
    the file and the reason as its error, so that one damaged job does not stop the report."""
    job = Job(directory.name, [], None, "incomplete")
    reading = ".hydra/overrides.yaml"
    try:
        job.overrides = [str(o) for o in OmegaConf.load(directory / ".hydra" / "overrides.yaml")]
        reading = ".hydra/config.yaml"
        config_file = directory / ".hydra" / "config.yaml"
        job.seed = OmegaConf.load(config_file).get("seed") if config_file.is_file() else None
        reading = ERROR_FILE
        if (directory / ERROR_FILE).is_file():
            job.status, job.error = "failed", (directory / ERROR_FILE).read_text().strip()
            return job
        reading = "metrics.json"
        if (directory / "metrics.json").is_file():
            job.metrics = _read_metrics(directory / "metrics.json")
            job.status = job.metrics.get("status", "completed")
        reading = "history.csv"
        job.history = read_history(directory / "history.csv")
        if job.metrics and not (directory / "history.csv").is_file():
            job.error = "no history.csv: its curves are left out of comparison.png"
            log.warning("job %s: %s", directory.name, job.error)
    except (OSError, ValueError, TypeError, KeyError, csv.Error, yaml.YAMLError, OmegaConfBaseException) as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        job.status, job.metrics, job.history = "failed", {}, []
        job.error = f"unreadable {reading}: {type(error).__name__}" + (f": {detail}" if detail else "")
        log.warning("job %s: %s", directory.name, job.error)
    return job


def read_sweep(sweep_dir: Path) -> list[Job]:
    """Every job directory (one holding ``.hydra/overrides.yaml``) under ``sweep_dir``, in job order."""
    directories = [p.parent.parent for p in sweep_dir.glob("*/.hydra/overrides.yaml")]
    directories.sort(key=lambda p: (0, int(p.name), "") if p.name.isdigit() else (1, 0, p.name))
    return [read_job(d) for d in directories]


def labels(jobs: Sequence[Job]) -> tuple[dict[tuple[str, ...], str], str]:
    """A label per group (the overrides in which groups differ) and the overrides all share."""
    settings = list(dict.fromkeys(job.setting for job in jobs))
    common = [o for o in settings[0] if all(o in s for s in settings)] if settings else []
    named = {s: " ".join(o for o in s if o not in common) or "(defaults)" for s in settings}
    return named, " ".join(common)


def iteration_columns(jobs: Sequence[Job]) -> list[str]:
    """``iterations_<phase>`` for every training phase any job ran, in the order they appear."""
    return list(dict.fromkeys(key for job in jobs for key in job.metrics if key.startswith("iterations_")))


def write_summary(path: Path, jobs: Sequence[Job], names: dict[tuple[str, ...], str]) -> None:
    metric_columns = [*METRIC_COLUMNS, *iteration_columns(jobs)]
    columns = ["job", "group", "seed", "status", *metric_columns, "overrides", "error"]
    rows = [
        {
            "job": job.name,
            "group": names[job.setting],
            "seed": job.seed,
            "status": job.status,
            **{key: job.metrics.get(key) for key in metric_columns},
            "overrides": " ".join(job.overrides),
            "error": job.error,
        }
        for job in jobs
    ]
    write_text(path, csv_text(columns, rows))


def _statistics(values: Sequence[float]) -> dict[str, float]:
    """Mean, sample standard deviation (0 for one value), min and max."""
    array = np.asarray(values, dtype=float)
    if array.size == 0:
        return {"mean": math.nan, "std": math.nan, "min": math.nan, "max": math.nan}
    std = float(array.std(ddof=1)) if array.size > 1 else 0.0
    return {"mean": float(array.mean()), "std": std, "min": float(array.min()), "max": float(array.max())}


def group_rows(jobs: Sequence[Job], names: dict[tuple[str, ...], str]) -> list[dict[str, Any]]:
    """Per group: job counts and the statistics over its finished jobs of rel L2, loss and wall time."""
    rows = []
    for setting, name in names.items():
        members = [job for job in jobs if job.setting == setting]
        finished = [job for job in members if job.metrics]
        row: dict[str, Any] = {"group": name, "jobs": len(members), "completed": sum(j.status == "completed" for j in members)}
        for key in ("rel_l2", "loss", "wall_time_s"):
            values = [job.metrics[key] for job in finished if job.metrics.get(key) is not None]
            row.update({f"{key}_{stat}": value for stat, value in _statistics(values).items()})
        rows.append(row)
    return rows


def write_groups(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    write_text(path, csv_text(list(rows[0]), rows))


def _band(histories: Sequence[list[dict[str, float]]], key: str) -> tuple[np.ndarray, np.ndarray]:
    """The iterations every history recorded, and ``key`` there, one row per history."""
    common = sorted(set.intersection(*(set(row["iteration"] for row in h) for h in histories)))
    values = [[{row["iteration"]: _value(row, key) for row in h}[i] for i in common] for h in histories]
    return np.asarray(common), np.asarray(values)


def _value(row: dict[str, float], key: str) -> float:
    if key == "pde_loss" and key not in row:
        return row["loss"]  # a run whose loss has no priors or penalties records no pde_loss: it is the loss
    return row[key]


def plot_comparison(path: Path, jobs: Sequence[Job], names: dict[tuple[str, ...], str], title: str) -> None:
    """Loss (and, where some run has penalties, the loss without them) and rel L2 against iteration
    per group: the mean over seeds and a min–max band."""
    panels = {"loss": "training loss"}
    if any(job.history and "pde_loss" in job.history[0] for job in jobs):
        panels["pde_loss"] = "loss without priors or penalties"
    panels["rel_l2"] = "relative L2 error"
    fig = Figure(figsize=(6.5 * len(panels), 5), layout="constrained")
    axes = fig.subplots(1, len(panels))
    for setting, name in names.items():
        histories = [job.history for job in jobs if job.setting == setting and job.history]
        if not histories:
            continue
        color = None
        for ax, key in zip(axes, panels):
            iterations, values = _band(histories, key)
            if iterations.size == 0:
                continue
            label = f"{name} ({len(histories)} run{'s' if len(histories) > 1 else ''})"
            (line,) = ax.semilogy(iterations, values.mean(axis=0), color=color, label=label)
            color = line.get_color()
            if len(histories) > 1:
                ax.fill_between(iterations, values.min(axis=0), values.max(axis=0), color=color, alpha=0.2)
    for ax, what in zip(axes, panels.values()):
        ax.set(xlabel="iteration", ylabel=what, title=f"{what}: mean over seeds, min–max band")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize="small")
    if title:
        fig.suptitle(textwrap.fill(title, 160), fontsize="small")
    save_figure(fig, path)


def write_report(sweep_dir: Path) -> list[Job]:
    """Write ``summary.csv``, ``groups.csv`` and ``comparison.png`` into ``sweep_dir``; returns the jobs."""
    jobs = read_sweep(sweep_dir)
    if not jobs:
        raise FileNotFoundError(f"no job directories (*/.hydra/overrides.yaml) under {sweep_dir}")
    names, common = labels(jobs)
    write_summary(sweep_dir / "summary.csv", jobs, names)
    write_groups(sweep_dir / "groups.csv", group_rows(jobs, names))
    plot_comparison(sweep_dir / "comparison.png", jobs, names, common)
    return jobs


def main(argv: Sequence[str] | None = None) -> int:
    """``pinnsolve-report SWEEP_DIR``: rebuild a sweep's report from its job directories."""
    parser = argparse.ArgumentParser(prog="pinnsolve-report", description=main.__doc__)
    parser.add_argument("sweep_dir", type=Path, help="the directory of a `pinnsolve -m` sweep")
    args = parser.parse_args(argv)
    if not args.sweep_dir.is_dir():
        what = "is a file, not a sweep directory" if args.sweep_dir.exists() else "does not exist"
        sys.stderr.write(f"pinnsolve-report: {args.sweep_dir} {what}\n")
        return 2
    try:
        jobs = write_report(args.sweep_dir)
    except FileNotFoundError as error:
        sys.stderr.write(f"pinnsolve-report: {error}\n")
        return 2
    finished = sum(job.status == "completed" for job in jobs)
    print(f"{args.sweep_dir}: {len(jobs)} jobs, {finished} completed; wrote summary.csv, groups.csv, comparison.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
