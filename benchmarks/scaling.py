"""How the cost of an iteration grows with the problem: milliseconds per iteration and peak memory
against the number of residual points and against the number of parameters, for Adam and the
quasi-Newton methods, each derivative engine, float32 and float64, with the fitted exponent of
each curve.

    python benchmarks/scaling.py               # every cell (about 40 min on 2 cores), then the tables and figures
    python benchmarks/scaling.py --collect     # the tables and figures again from benchmarks/results/scaling.json
    python benchmarks/scaling.py --quick       # a few cells, to try the script

The problem is Poisson on the unit square with the plain defaults (`experiment=none`: 1 tanh MLP,
Dirichlet data on the boundary, `sampler.n_boundary` = n_residual / 10). Each cell runs in a
process of its own (so that its peak resident memory is its own), builds the run as the command
would, takes one step of the phase (a compiled engine compiles there), then times blocks of steps
of at least half a second: the median block counts. A dense quasi-Newton method that cannot fit
in this machine's memory is refused by pinnsolve's own memory bound and shown as such.
Results go to benchmarks/results/scaling.{json,md}, scaling_points.png, scaling_parameters.png
and the scaling page of the docs.
"""
from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
from matplotlib.figure import Figure

from common import RESULTS, build, commit, machine, write_section

RESULTS_FILE = RESULTS / "scaling.json"
ENGINES = ["autograd", "jets", "compiled"]
POINTS = [1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000]
WIDTHS = [16, 32, 64, 128, 181]  # depth 4: about 900, 3,300, 12,700, 50,000 and 99,000 parameters
DEPTH, WIDTH, FIXED_POINTS = 4, 32, 10_000
METHODS = ["ssbroyden2", "bfgs", "lbfgs"]
BLOCK_S, BLOCKS = 0.5, 3


def overrides(points: int, width: int, engine: str, precision: str, phase: str, method: str) -> list[str]:
    return [
        "problem=poisson", "experiment=none", f"network.depth={DEPTH}", f"network.width={width}",
        f"sampler.n_residual={points}", f"sampler.n_boundary={max(points // 10, 100)}",
        f"derivatives={engine}", f"precision={precision}", "device=cpu",
        f"trainer.adam.iterations={1000 if phase == 'adam' else 0}",
        f"trainer.quasi_newton.iterations={1000 if phase == 'quasi_newton' else 0}",
        f"trainer.quasi_newton.method={method}", "trainer.progress_bar=false",
    ]


def cell(spec: dict) -> dict:
    """One measurement, in this process: ms per step (median block) and the first step's seconds."""
    from pinnsolve.config import ConfigError

    try:
        parts = build(overrides(spec["points"], spec["width"], spec["engine"], spec["precision"], spec["phase"], spec["method"]))
    except ConfigError as error:  # the memory bound: a dense matrix this machine cannot hold
        return {**spec, "refused": str(error)}
    model, trainer = parts.model, parts.trainer
    phase = trainer.phases[0 if spec["phase"] == "adam" else 1]
    phase.begin(model, lambda: trainer.loss(model, trainer.points)[0])
    start = time.perf_counter()
    phase.step()
    first = time.perf_counter() - start
    once = time.perf_counter()
    phase.step()
    steps = max(1, min(200, math.ceil(BLOCK_S / max(time.perf_counter() - once, 1e-6))))
    blocks = []
    for _ in range(BLOCKS):
        start = time.perf_counter()
        for _ in range(steps):
            phase.step()
        blocks.append((time.perf_counter() - start) / steps * 1e3)
    parameters = sum(p.numel() for p in model.parameters())
    return {**spec, "ms": statistics.median(blocks), "first_step_s": first, "parameters": parameters,
            "engine_used": trainer.loss.engine.name, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def cells(quick: bool) -> list[dict]:
    points = POINTS[:3] if quick else POINTS
    widths = WIDTHS[:3] if quick else WIDTHS
    specs = []
    for n in points:
        for engine in ENGINES:
            for precision in ("float64", "float32"):
                specs.append({"sweep": "points", "points": n, "width": WIDTH, "engine": engine, "precision": precision,
                              "phase": "adam", "method": "ssbroyden2"})
        for method in METHODS:
            specs.append({"sweep": "points", "points": n, "width": WIDTH, "engine": "compiled", "precision": "float64",
                          "phase": "quasi_newton", "method": method})
    for width in widths:
        for engine in ENGINES:
            for precision in ("float64", "float32"):
                specs.append({"sweep": "parameters", "points": FIXED_POINTS, "width": width, "engine": engine,
                              "precision": precision, "phase": "adam", "method": "ssbroyden2"})
        for method in METHODS:
            specs.append({"sweep": "parameters", "points": FIXED_POINTS, "width": width, "engine": "compiled",
                          "precision": "float64", "phase": "quasi_newton", "method": method})
    return specs


def measure(spec: dict) -> dict:
    done = subprocess.run([sys.executable, __file__, "--cell", json.dumps(spec)], capture_output=True, text=True)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
        return {**spec, "failed": tail}  # e.g. killed for memory
    return json.loads(done.stdout.strip().splitlines()[-1])


def label(row: dict) -> str:
    if row["phase"] == "adam":
        return f"Adam, {row['engine']}, {row['precision']}"
    return f"{row['method']}, {row['engine']}, {row['precision']}"


def curves(rows: list[dict], sweep: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in rows:
        if row["sweep"] == sweep:
            out.setdefault(label(row), []).append(row)
    return out


def x_of(row: dict, sweep: str) -> float:
    return row["points"] if sweep == "points" else row["parameters"]


def exponent(runs: list[dict], sweep: str) -> float | None:
    """The slope of log ms against log size over the three largest sizes that ran (where the
    size's own cost has outgrown the fixed cost of a step)."""
    ran = sorted((r for r in runs if "ms" in r), key=lambda r: x_of(r, sweep))[-3:]
    if len(ran) < 3:
        return None
    return float(np.polyfit(np.log([x_of(r, sweep) for r in ran]), np.log([r["ms"] for r in ran]), 1)[0])


def table(rows: list[dict], sweep: str) -> str:
    grouped = curves(rows, sweep)
    sizes = sorted({r["points"] if sweep == "points" else r["width"] for r in rows if r["sweep"] == sweep})
    if sweep == "points":
        heads = [f"{n:,}" for n in sizes]
    else:
        heads = []
        for w in sizes:
            found = next((r["parameters"] for r in rows if r["sweep"] == sweep and r["width"] == w and "parameters" in r), None)
            heads.append(f"{found:,}" if found else f"width {w}")
    lines = [f"| ms per iteration (peak memory, MB) | {' | '.join(heads)} | exponent |", "|---|" + "---|" * (len(sizes) + 1)]
    for name, runs in grouped.items():
        cells = []
        for size in sizes:
            run = next(r for r in runs if (r["points"] if sweep == "points" else r["width"]) == size)
            if "ms" in run:
                cells.append(f"{run['ms']:.3g} ({run['peak_rss_mb']:,.0f})")
            elif "refused" in run:
                cells.append("does not fit")
            else:
                cells.append("failed")
        slope = exponent(runs, sweep)
        lines.append(f"| {name} | {' | '.join(cells)} | {'—' if slope is None else f'{slope:.2f}'} |")
    return "\n".join(lines)


def figure(rows: list[dict], sweep: str) -> None:
    fig = Figure(figsize=(11, 4.5), layout="constrained")
    time_axes, memory_axes = fig.subplots(1, 2)
    for name, runs in curves(rows, sweep).items():
        ran = sorted((r for r in runs if "ms" in r), key=lambda r: x_of(r, sweep))
        if not ran:
            continue
        slope = exponent(runs, sweep)
        style = "-" if name.startswith("Adam") else "--"
        x = [x_of(r, sweep) for r in ran]
        line, = time_axes.loglog(x, [r["ms"] for r in ran], style, marker="o", ms=3,
                                 label=f"{name}" + ("" if slope is None else f" (slope {slope:.2f})"))
        memory_axes.loglog(x, [r["peak_rss_mb"] for r in ran], style, marker="o", ms=3, color=line.get_color())
    what = "residual points" if sweep == "points" else "parameters"
    time_axes.set(xlabel=what, ylabel="ms per iteration")
    memory_axes.set(xlabel=what, ylabel="peak resident memory (MB)")
    time_axes.legend(fontsize="x-small")
    fig.savefig(RESULTS / f"scaling_{sweep}.png", dpi=110)


def report(results: dict) -> None:
    rows = results["rows"]
    text = "\n".join([
        f"**Against the number of residual points** (a {DEPTH} × {WIDTH} tanh MLP, "
        f"{next((r['parameters'] for r in rows if r['sweep'] == 'points' and 'parameters' in r), 0):,} parameters)",
        "",
        table(rows, "points"),
        "",
        "![against points](benchmarks/results/scaling_points.png)",
        "",
        f"**Against the number of parameters** ({FIXED_POINTS:,} residual points; depth {DEPTH}, widths {', '.join(map(str, WIDTHS))})",
        "",
        table(rows, "parameters"),
        "",
        "![against parameters](benchmarks/results/scaling_parameters.png)",
        "",
        f"Measured by `python benchmarks/scaling.py` on {results['machine']}, commit {results['commit']}; "
        "each cell a process of its own, its median block of steps; peak memory is the process's resident set "
        "(torch and Python included); exponents are fitted over each curve's three largest sizes.",
    ])
    (RESULTS / "scaling.md").write_text(text + "\n")
    figure(rows, "points")
    figure(rows, "parameters")
    write_section("scaling", text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cell", help=argparse.SUPPRESS)
    parser.add_argument("--collect", action="store_true", help="rewrite the tables and figures from the results file")
    parser.add_argument("--quick", action="store_true", help="a few small cells only")
    args = parser.parse_args()
    if args.cell:
        print(json.dumps(cell(json.loads(args.cell))))
        return
    if args.collect:
        report(json.loads(RESULTS_FILE.read_text()))
        return
    measured = commit()
    rows = []
    for spec in cells(args.quick):
        row = measure(spec)
        rows.append(row)
        shown = f"{row['ms']:.3g} ms, {row['peak_rss_mb']:.0f} MB" if "ms" in row else row.get("refused", row.get("failed", ""))[:100]
        print(f"{spec['sweep']:10s} {spec['points']:>9,} pts  width {spec['width']:>3}  {label(spec):40s} {shown}", file=sys.stderr)
    results = {"commit": measured, "machine": machine(), "rows": rows}
    RESULTS_FILE.write_text(json.dumps(results, indent=1) + "\n")
    report(results)


if __name__ == "__main__":
    main()
