"""What the benchmark scripts share: sweeps, the machine line, and the results sections of the docs."""
from __future__ import annotations

import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from argparse import ArgumentParser, Namespace, RawDescriptionHelpFormatter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
from matplotlib.figure import Figure

from pinnsolve.cli import EXIT_STATUS

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"


def processor() -> str:
    """The CPU's model name where Linux tells it, else what the platform module does."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


# a sweep's jobs two at a time through the joblib launcher; pinnsolve gives each one thread of the two cores
TWO_AT_A_TIME = ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]


def machine_two_at_a_time() -> str:
    """The machine line of a sweep run with :data:`TWO_AT_A_TIME`."""
    return f"{processor()}, {os.cpu_count()} cores, torch {torch.__version__}, 2 runs at a time, 1 thread each"


def machine() -> str:
    threads = os.environ.get("OMP_NUM_THREADS", str(torch.get_num_threads()))
    # device=auto, every benchmark's default, trains on the GPU where there is one
    gpu = f", GPU {torch.cuda.get_device_name()}" if torch.cuda.is_available() else ""
    return f"{processor()}, {os.cpu_count()} cores{gpu}, torch {torch.__version__}, {threads} thread(s) per run"


def commit() -> str:
    """The commit measured, with ``+changes`` when the working tree's code differs from it (results,
    README.md and the docs, which the benchmarks write themselves, do not count). Call it before running."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!README.md", ":!docs", ":!benchmarks/results"],
        cwd=REPO, capture_output=True, text=True,
    ).stdout
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


def write_section(name: str, text: str) -> None:
    """Replace what lies between ``<!-- results:NAME:begin -->`` and its end marker, in the page of
    docs/ (or README.md) that holds it. Figures in benchmarks/results/ are linked from a docs page
    as the site serves them, beside the results pages (docs/hooks.py)."""
    begin, end = f"<!-- results:{name}:begin -->", f"<!-- results:{name}:end -->"
    pages = [page for page in [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))] if begin in page.read_text()]
    if not pages:
        raise SystemExit(f"no page holds the marker {begin}")
    for page in pages:
        shown = text
        if page.parent != REPO:
            figures = os.path.relpath(REPO / "docs" / "results", page.parent)
            shown = text.replace("](benchmarks/results/", "](" + ("" if figures == "." else figures + "/"))
        head, rest = page.read_text().split(begin)
        _, tail = rest.split(end)
        page.write_text(f"{head}{begin}\n{shown}\n{end}{tail}")


def composed(overrides: list[str]):
    """The config `pinnsolve OVERRIDES` would run, without Hydra's node."""
    from hydra import compose, initialize_config_module
    from omegaconf import open_dict

    from pinnsolve.config import register_configs

    register_configs()
    with initialize_config_module(config_module="pinnsolve.conf", version_base="1.3"):
        cfg = compose(config_name="config", overrides=overrides)
    with open_dict(cfg):
        cfg.pop("hydra", None)
    return cfg


def build(overrides: list[str]):
    """A run assembled as `pinnsolve OVERRIDES` would, in this process (nothing written)."""
    from pinnsolve.assemble import assemble

    return assemble(composed(overrides))


def command_run(overrides: list[str], out: Path, threads: int | None, *, diverged_ok: bool = False) -> dict:
    """``pinnsolve OVERRIDES`` into ``out`` as a user would type it; its metrics, with the whole
    command's seconds (``process_time_s``: Python, torch and Hydra start-up included), the seconds
    before training began (``startup_s``: imports, composition, assembly, the reference) and the
    torch threads it had. A run that fails raises CalledProcessError; one that diverges too, unless
    ``diverged_ok`` (a comparison of methods counts a divergence as a result: its metrics say so)."""
    command = ["pinnsolve", *overrides, "trainer.progress_bar=false", f"hydra.run.dir={out}"]
    env = dict(os.environ, **({"OMP_NUM_THREADS": str(threads)} if threads else {}))
    launched, start = time.time(), time.perf_counter()
    finished = subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, env=env)
    if finished.returncode != 0 and not (diverged_ok and finished.returncode == EXIT_STATUS["diverged"]):
        raise subprocess.CalledProcessError(finished.returncode, command)
    metrics = json.loads((out / "metrics.json").read_text())
    metrics["process_time_s"] = time.perf_counter() - start
    metrics["startup_s"] = metrics["training_started_at"] - launched
    metrics["threads"] = int(env.get("OMP_NUM_THREADS", torch.get_num_threads()))
    return metrics


def spread(runs: list[dict], key: str) -> str:
    """The seeds' ``key`` (a count): one number if they agree, else their range."""
    low, high = min(m[key] for m in runs), max(m[key] for m in runs)
    return f"{low}" if low == high else f"{low}–{high}"


def timed_run(overrides: list[str], out: Path, budget_s: float, threads: int | None, device: str = "auto") -> dict:
    """``pinnsolve OVERRIDES`` stopped after ``budget_s`` seconds of training (the quasi-Newton
    phase is given more iterations than fit), into ``out``. Returns its metrics and its history
    as (training seconds, rel L2) pairs."""
    command = [
        "pinnsolve", *overrides, f"device={device}", f"trainer.time_budget_s={budget_s}", "trainer.quasi_newton.iterations=1000000",
        "trainer.log_every=50", "trainer.progress_bar=false", f"hydra.run.dir={out}",
    ]
    env = dict(os.environ, **({"OMP_NUM_THREADS": str(threads)} if threads else {}))
    subprocess.run(command, check=True, cwd=REPO, stdout=subprocess.DEVNULL, env=env)
    metrics = json.loads((out / "metrics.json").read_text())
    with (out / "history.csv").open() as handle:
        history = [(float(r["elapsed_s"]), float(r["rel_l2"])) for r in csv.DictReader(handle)]
    return {"metrics": metrics, "history": history}


def first_time_below(history: list[list[float]], level: float) -> float | None:
    """The training time at which rel L2 first reached ``level``; None if it never did."""
    return next((t for t, e in history if e <= level), None)


def time_to_cell(runs: list[dict], level: float) -> str:
    """Mean time to ``level`` over the runs that reached it, with how many did when not all."""
    times = [first_time_below(r["history"], level) for r in runs]
    reached = [t for t in times if t is not None]
    if not reached:
        return "never"
    return f"{np.mean(reached):.0f}" + (f" ({len(reached)}/{len(times)} seeds)" if len(reached) < len(times) else "")


def plot_curves(groups: dict[str, list[dict]], path: Path, title: str) -> None:
    """Rel L2 against training time, one curve per group: the mean over its runs of log rel L2,
    with a min–max band, up to the shortest run's end."""
    fig = Figure(figsize=(7, 5), layout="constrained")
    ax = fig.subplots()
    for label, runs in groups.items():
        histories = [np.asarray(r["history"]) for r in runs]
        if not histories:
            continue
        grid = np.linspace(0, min(h[-1, 0] for h in histories), 200)
        logs = np.array([np.interp(grid, h[:, 0], np.log10(h[:, 1])) for h in histories])
        (line,) = ax.semilogy(grid, 10 ** logs.mean(axis=0), label=label)
        ax.fill_between(grid, 10 ** logs.min(axis=0), 10 ** logs.max(axis=0), color=line.get_color(), alpha=0.2)
    ax.set(xlabel="training time (s)", ylabel="relative L2 error", title=title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    fig.savefig(path, dpi=110)


def threads_per_job(jobs: int) -> int | None:
    """Torch threads for each of ``jobs`` concurrent runs; None (torch's default) for one at a time."""
    return max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 else None


def command_grid(commands: dict[tuple[str, str], list[str]], seeds: list[int], out: Path, jobs: int,
                 shown: Callable[[list[str]], str]) -> dict[tuple[str, str], dict]:
    """Each (case, variant) command for every seed, ``jobs`` at a time, into out/CASE/VARIANT/seed_S;
    by pair: the commit measured, the machine, the command as ``shown`` writes it, and the runs'
    metrics (a diverged run's among them: its ``status`` says so)."""
    measured, threads = commit(), threads_per_job(jobs)
    tasks = [(pair, seed) for pair in commands for seed in seeds]

    def run(task: tuple[tuple[str, str], int]) -> dict:
        (key, variant), seed = task
        return command_run([*commands[key, variant], f"seed={seed}"], out / key / variant / f"seed_{seed}", threads, diverged_ok=True)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        finished = list(pool.map(run, tasks))
    for ((key, variant), seed), metrics in zip(tasks, finished):
        print(f"{key} {variant} seed {seed}: {metrics['status']}, L2RE {metrics['rel_l2']:.3e} in {metrics['process_time_s']:.0f} s",
              file=sys.stderr)
    where = f"{machine().rsplit(', ', 1)[0]}, {finished[0]['threads']} torch thread(s) per run, {jobs} run(s) at a time"
    return {pair: {"commit": measured, "machine": where, "command": shown(command),
                   "runs": [m for (p, _), m in zip(tasks, finished) if p == pair]} for pair, command in commands.items()}


def merged(old: dict | None, new: dict) -> dict:
    """``new``'s runs and ``old``'s of the seeds ``new`` did not run, where both ran the same command
    (else ``new`` alone). Each run keeps the commit and machine it was measured on; the entry's
    ``commit`` and ``machine`` list them all, in the order of the seeds."""
    for m in new["runs"]:
        m.setdefault("commit", new["commit"])
        m.setdefault("machine", new["machine"])
    if old is None or old["command"] != new["command"]:
        return new
    ran = {m["seed"] for m in new["runs"]}
    kept = [{"commit": old["commit"], "machine": old["machine"], **m} for m in old["runs"] if m["seed"] not in ran]
    runs = sorted(kept + new["runs"], key=lambda m: m["seed"])
    return {**new, "runs": runs, "commit": ", ".join(dict.fromkeys(m["commit"] for m in runs)),
            "machine": "; ".join(dict.fromkeys(m["machine"] for m in runs))}


def grid_tables(name: str, section: str, commands: dict[tuple[str, str], list[str]] | None, args: Namespace, out: Path,
                shown: Callable[[list[str]], str], order: tuple[Sequence[str], Sequence[str]], table: Callable[[dict], str],
                annotate: Callable[[str, str, dict], None] | None = None) -> None:
    """A (case, variant) comparison's flow: run ``commands`` for ``args.seeds`` (None: run nothing,
    as ``--collect``), merge their entries into benchmarks/results/NAME.json over the rows it holds
    (:func:`merged`), in ``order`` (the cases', then the variants'), and write its ``table`` to
    NAME.md and the ``section`` of the docs. ``annotate(case, variant, entry)`` adds to a new entry
    what the table needs beyond the runs' metrics, before it is saved."""
    results_file = RESULTS / f"{name}.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    if commands is not None:
        for (key, variant), entry in command_grid(commands, args.seeds, out, args.jobs, shown).items():
            if annotate is not None:
                annotate(key, variant, entry)
            row = results.setdefault(key, {})
            row[variant] = merged(row.get(variant), entry)
        cases, variants = order
        results = {key: {v: results[key][v] for v in variants if v in results[key]} for key in cases if key in results}
        RESULTS.mkdir(parents=True, exist_ok=True)
        results_file.write_text(json.dumps(results, indent=1) + "\n")
    text = table(results)
    (RESULTS / f"{name}.md").write_text(text + "\n")
    write_section(section, text)


def grid_arguments(description: str, cases: Sequence[str], default_cases: Sequence[str], variant: str,
                   variants: Sequence[str], data_cases: Sequence[str],
                   more: Callable[[ArgumentParser], None] = lambda parser: None) -> tuple[Namespace, Path | None]:
    """The command line every (case, variant) grid shares: which cases and which ``variant``s (e.g.
    ``--methods``) to run, the seeds, PINNacle's ref/ folder (needed to run any of ``data_cases``),
    the runs at a time, or only ``--collect``; ``more`` adds a script's own options. Returns the
    arguments and the folder, resolved (None if not given)."""
    parser = ArgumentParser(description=description, formatter_class=RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", default=list(default_cases), help=f"any of {list(cases)}")
    parser.add_argument(f"--{variant}", nargs="+", default=list(variants), help=f"any of {list(variants)}")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    more(parser)
    parser.add_argument("--data", type=Path, help="PINNacle's ref/ folder (the data cases' reference files)")
    parser.add_argument("--jobs", type=int, default=1, help="runs at a time; each gets cores/jobs threads")
    parser.add_argument("--collect", action="store_true", help="write the table from the .json, running nothing")
    args = parser.parse_args()
    if unknown := sorted(set(args.cases) - set(cases)) + sorted(set(getattr(args, variant)) - set(variants)):
        parser.error(f"unknown cases or {variant} {unknown}; cases: {list(cases)}; {variant}: {list(variants)}")
    needing = [key for key in args.cases if key in data_cases]
    if not args.collect and needing and args.data is None:
        parser.error(f"--data DIR is needed for {needing} (PINNacle's ref/ folder)")
    return args, args.data.resolve() if args.data else None


def study_arguments(description: str, problems: list[str], default_problems: list[str], variant: str,
                    variants: list[str]) -> Namespace:
    """The command line every budgeted study shares: which problems and which ``variant``s (e.g.
    ``--methods``) to run, the budget, the runs at a time, the device, or only ``--collect``."""
    parser = ArgumentParser(description=description, formatter_class=RawDescriptionHelpFormatter)
    parser.add_argument("problems", nargs="*", default=default_problems)
    parser.add_argument(f"--{variant}", nargs="*", default=variants)
    parser.add_argument("--budget", type=float, default=300.0, help="training seconds per run")
    parser.add_argument("--jobs", type=int, default=1, help="runs at a time; each gets cores/jobs threads")
    parser.add_argument("--device", default="auto", help="pinnsolve's device= for every run (auto, cpu, cuda)")
    parser.add_argument("--collect", action="store_true", help="only rewrite the tables and figures from the results file")
    args = parser.parse_args()
    for name, given, allowed in (("problems", args.problems, problems), (variant, getattr(args, variant), variants)):
        if unknown := sorted(set(given) - set(allowed)):
            parser.error(f"unknown {name} {unknown}; choose from {allowed}")
    return args


def budgeted_study(name: str, key: str, variants: dict[str, list[str]], problems: list[str], seeds: tuple[int, ...],
                   args: Namespace) -> dict[str, dict]:
    """Run ``pinnsolve experiment=study/P *OVERRIDES seed=S`` (the settings the studies pinned, see
    conf/experiment/study/) for every problem in ``args.problems``, every
    variant (a label and its overrides) and seed with the budget, jobs and device of ``args``
    (unless ``args.collect``), each run recorded with its label under ``key``; the problems run
    replace theirs in benchmarks/results/NAME.json. Returns that file's contents."""
    results_file = RESULTS / f"{name}.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    if args.collect:
        return results
    measured, threads = commit(), threads_per_job(args.jobs)

    def run(problem: str, label: str, seed: int) -> dict:
        out = REPO / "outputs" / "benchmarks" / name / problem / label / f"seed_{seed}"
        overrides = [f"experiment=study/{problem}", *variants[label], f"seed={seed}"]
        return {"problem": problem, key: label, "seed": seed, **timed_run(overrides, out, args.budget, threads, args.device)}

    tasks = [(p, v, s) for p in args.problems for v in variants for s in seeds]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        runs = list(pool.map(lambda task: run(*task), tasks))
    for r in runs:
        print(f"{r['problem']} {r[key]} seed {r['seed']}: rel L2 {r['metrics']['rel_l2']:.3e}", file=sys.stderr)
    for problem in args.problems:
        results[problem] = {
            "commit": measured, "machine": machine().rsplit(", ", 1)[0], "budget_s": args.budget,
            "command": f"python benchmarks/{name}.py {' '.join(sys.argv[1:])}".strip(),
            "per_run": f"{threads} thread(s) per run, {args.jobs} runs at a time" if threads else "all cores per run",
            "runs": [r for r in runs if r["problem"] == problem],
        }
    results = {p: results[p] for p in problems if p in results}
    RESULTS.mkdir(parents=True, exist_ok=True)
    results_file.write_text(json.dumps(results, indent=1) + "\n")
    return results


def comparison_report(name: str, key: str, labels: list[str], baseline: str, level: float, subject: str,
                      results: dict[str, dict]) -> str:
    """For each problem of a study's ``results`` (runs keyed by ``key``, one of ``labels``): a table
    of rel L2 (geometric mean over seeds, worst seed, ratio to ``baseline``), time to ``level`` and
    quasi-Newton iterations; a figure of the curves, benchmarks/results/NAME_PROBLEM.png, titled by
    ``subject``; and the line saying how the runs were measured."""
    sections = []
    for problem, entry in results.items():
        groups = {label: [r for r in entry["runs"] if r[key] == label] for label in labels}
        groups = {label: runs for label, runs in groups.items() if runs}
        seeds = sorted({r["seed"] for r in entry["runs"]})
        geomean = {label: float(np.exp(np.mean([np.log(r["metrics"]["rel_l2"]) for r in runs]))) for label, runs in groups.items()}
        lines = [
            f"**{problem}** ({entry['budget_s']:g} s of training per run, seeds {', '.join(map(str, seeds))})",
            "",
            f"| {key} | rel L2, geometric mean | worst seed | ÷ `{baseline}` (geometric means) | time to {level:.0e} (s), mean "
            "| quasi-Newton iterations, mean |",
            "|---|---|---|---|---|---|",
        ]
        for label, runs in groups.items():
            worst = max(r["metrics"]["rel_l2"] for r in runs)
            ratio = f"{geomean[label] / geomean[baseline]:.2f}" if baseline in geomean else "–"
            iterations = np.mean([r["metrics"]["iterations_quasi_newton"] for r in runs])
            lines.append(
                f"| `{label}` | {geomean[label]:.2e} | {worst:.2e} | {ratio} | {time_to_cell(runs, level)} | {iterations:.0f} |"
            )
        plot_curves(groups, RESULTS / f"{name}_{problem}.png", f"{problem}, {subject}: mean of log rel L2 over seeds, min–max band")
        sections.append(
            "\n".join(lines) + f"\n\n![{problem}](benchmarks/results/{name}_{problem}.png)\n\n"
            f"Measured by `{entry['command']}` on {entry['machine']}, commit {entry['commit']}, {entry['per_run']}."
        )
    return "\n\n".join(sections)
