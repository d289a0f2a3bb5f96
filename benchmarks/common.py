"""What the benchmark scripts share: sweeps, the machine line, and README sections."""
from __future__ import annotations

import csv
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"


def machine() -> str:
    threads = os.environ.get("OMP_NUM_THREADS", str(torch.get_num_threads()))
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, {threads} thread(s) per run"


def commit() -> str:
    """The commit measured, with ``+changes`` when the working tree differs from it."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True, text=True).stdout
    return f"{head}+changes" if dirty.strip() else head


def run_sweep(argv: list[str], sweep_dir: Path) -> list[dict[str, str]]:
    """Run ``pinnsolve -m`` into a fresh ``sweep_dir``; returns the rows of its groups.csv."""
    shutil.rmtree(sweep_dir, ignore_errors=True)
    print(" ".join(argv), file=sys.stderr)
    subprocess.run([*argv, f"hydra.sweep.dir={sweep_dir}"], check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    return read_groups(sweep_dir)


def read_groups(sweep_dir: Path) -> list[dict[str, str]]:
    """The rows of a finished sweep's groups.csv."""
    with (sweep_dir / "groups.csv").open() as handle:
        return list(csv.DictReader(handle))


def write_readme_section(name: str, text: str) -> None:
    """Replace what lies between ``<!-- results:NAME:begin -->`` and its end marker in README.md."""
    begin, end = f"<!-- results:{name}:begin -->", f"<!-- results:{name}:end -->"
    readme = REPO / "README.md"
    head, rest = readme.read_text().split(begin)
    _, tail = rest.split(end)
    readme.write_text(f"{head}{begin}\n{text}\n{end}{tail}")
