"""Milliseconds per iteration of each derivative engine, and pinnsolve against DeepXDE side by side.

    python benchmarks/speed.py                 # everything, then the speed page's tables
    python benchmarks/speed.py --device cuda   # the same on a GPU (DeepXDE stays on the CPU)
    python benchmarks/speed.py --parts side_by_side   # one part (the other keeps its results)
    python benchmarks/speed.py --collect       # only rewrite the tables from the results file
    python benchmarks/speed.py --profile       # where an Adam step's time goes, per engine
    python benchmarks/speed.py --startup       # where a Burgers defaults run's time before its first step goes

1. Per iteration, in this process, each engine's runs built side by side and timed in
   interleaved blocks (the median block counts; the machine's noise falls on every engine alike):
   Adam steps and quasi-Newton (SSBroyden2) steps, on (a) DeepXDE's Burgers example setup
   (3 × 20 tanh, 2540 residual + 80 boundary + 160 initial points, t in [0, 0.99], Adam lr 1e-3)
   in float32 and float64 and (b) every problem's study settings (experiment=study/PROBLEM). The first step of each run is timed
   on its own: for ``compiled`` it holds the compilation, done with Inductor's caches off (what a
   fresh machine pays; a warm cache on the same machine cuts it to seconds).
2. With DeepXDE installed (``pip install -e ".[bench]"``), DeepXDE's own time per Adam iteration
   on setup (a) in a subprocess of this run, and the time each tool needs to reach rel L2 3.6e-2
   on setup (a)'s problem, measured from starting the process (imports, start-up and compilation
   included): DeepXDE as its example trains (Adam, then L-BFGS), its error checked every 100
   iterations against pinnsolve's Hopf–Cole reference on the 256 × 100 grid; pinnsolve (the
   whole command until it stops at the target, its error checked every 10 iterations) on
   DeepXDE's setup with DeepXDE's trainer (15,000 Adam iterations, then L-BFGS, float32) and with
   its own (Adam, then SSBroyden2, float64), and with its Burgers defaults on t in [0, 0.99], before
   issue 29 (experiment=study/burgers) and now.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

# the first compiled step should show what a fresh machine pays, not what an earlier run left cached
os.environ.setdefault("TORCHINDUCTOR_FORCE_DISABLE_CACHES", "1")

import torch  # noqa: E402

from common import REPO, RESULTS, build, commit, composed, machine, write_section  # noqa: E402

ENGINES = ["autograd", "jets", "compiled"]
PROBLEMS = ["burgers", "poisson", "klein_gordon", "helmholtz", "klein_gordon_cubic"]
TARGET = 3.6e-2  # DeepXDE's Burgers example after 15,000 Adam iterations and L-BFGS
DEEPXDE_ADAM, DEEPXDE_POINTS = 15000, {"residual": 2540, "boundary": 80, "initial": 160}
SETUP_A = ["experiment=speed/burgers"]  # DeepXDE's example in pinnsolve: its points (DEEPXDE_POINTS), net and Adam
BLOCKS, ADAM_STEPS, QN_STEPS = 7, 20, 5
PARTS = ["per_iteration", "side_by_side"]
LBFGS_CHUNK = 100
SEED = 0  # both tools' (pinnsolve's seed=0 is its default)


class Timed:
    """One run's Adam and quasi-Newton phases, stepped on demand."""

    def __init__(self, overrides: list[str]) -> None:
        parts = build(overrides)
        model, trainer = parts.model, parts.trainer
        self.engine = trainer.loss.engine.name

        def loss():
            return trainer.loss(model, trainer.points)[0]

        self.adam, self.quasi_newton = trainer.phases
        start = time.perf_counter()
        self.adam.begin(model, loss)
        self.adam.step()
        self.first_step_s = time.perf_counter() - start
        self.quasi_newton.begin(model, loss)
        self.quasi_newton.step()

    def block(self, phase, steps: int) -> float:
        start = time.perf_counter()
        for _ in range(steps):
            phase.step()
        return (time.perf_counter() - start) / steps * 1e3


def per_iteration(label: str, overrides: list[str], device: str) -> list[dict]:
    """Each engine on ``overrides``: median ms per Adam and per quasi-Newton step, first step's s."""
    runs = {engine: Timed([*overrides, f"derivatives={engine}", f"device={device}"]) for engine in ENGINES}
    adam = {engine: [] for engine in ENGINES}
    quasi_newton = {engine: [] for engine in ENGINES}
    for _ in range(BLOCKS):
        for engine, run in runs.items():
            adam[engine].append(run.block(run.adam, ADAM_STEPS))
            quasi_newton[engine].append(run.block(run.quasi_newton, QN_STEPS))
    rows = [
        {
            "setup": label, "engine": engine, "adam_ms": statistics.median(adam[engine]),
            "quasi_newton_ms": statistics.median(quasi_newton[engine]), "first_step_s": runs[engine].first_step_s,
        }
        for engine in ENGINES
    ]
    for row in rows:
        print(f"{label:28s} {row['engine']:9s} adam {row['adam_ms']:7.2f} ms  quasi-Newton {row['quasi_newton_ms']:7.2f} ms  "
              f"first step {row['first_step_s']:6.1f} s", file=sys.stderr)
    return rows


def profile(device: str) -> None:
    """Where an Adam step's time goes on setup (a), float32, for each engine: torch.profiler's
    operators by their own time."""
    from torch.profiler import profile as torch_profile

    for engine in ENGINES:
        run = Timed([*SETUP_A, "precision=float32", f"derivatives={engine}", f"device={device}"])
        run.block(run.adam, ADAM_STEPS)
        with torch_profile() as recorded:
            run.block(run.adam, 100)
        print(f"\n## derivatives={engine}: 100 Adam steps\n")
        print(recorded.key_averages().table(sort_by="self_cpu_time_total", row_limit=12, max_name_column_width=50))


def startup_worker(launched: float) -> None:
    """Where a fresh process running the Burgers defaults spends its time before the first step:
    Python, the imports and composing the config; the Hopf–Cole reference; the rest of assembling
    the run (compiling the loss, drawing the points)."""
    from pinnsolve.assemble import assemble
    from pinnsolve.config import problem_from_config

    cfg = composed(["problem=burgers"])
    configured = time.time()
    problem_from_config(cfg).reference()
    referenced = time.time()
    assemble(cfg)  # computes the reference again, subtracted below
    assembled = time.time()
    print(json.dumps({
        "imports_and_config_s": configured - launched, "reference_s": referenced - configured,
        "compile_and_the_rest_s": assembled - referenced - (referenced - configured),
    }))


def startup(threads: int) -> None:
    """``startup_worker`` with Inductor's caches off (a fresh machine), then twice with them on
    (the second finds the first's kernels: any later run of the problem)."""
    for label, caches in (("caches off", False), ("caches on, first", True), ("caches on, again", True)):
        # "0", not unset: this file sets it to "1" unless it is set
        parts = worker(["--startup-worker", str(time.time())], threads,
                       TORCHINDUCTOR_FORCE_DISABLE_CACHES="0" if caches else "1")
        print(f"{label}: " + ", ".join(f"{name} {seconds:.2f}" for name, seconds in parts.items()))


# -- DeepXDE, in a process of its own --------------------------------------------------------------


def deepxde_worker(mode: str, started: float) -> None:
    """DeepXDE's Burgers example (examples/pinn_forward/Burgers.py): ``ms`` prints its steady ms
    per Adam iteration; ``target`` trains as the example does and prints when rel L2 reached TARGET."""
    import numpy as np
    import deepxde as dde

    from pinnsolve.problems.burgers import hopf_cole_converged

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", torch.get_num_threads())))
    dde.config.set_random_seed(SEED)  # its example is unseeded, and its time to the target moves with the start
    nu = 0.01 / np.pi

    def pde(x, y):
        dy_x = dde.grad.jacobian(y, x, i=0, j=0)
        dy_t = dde.grad.jacobian(y, x, i=0, j=1)
        dy_xx = dde.grad.hessian(y, x, i=0, j=0)
        return dy_t + y * dy_x - nu * dy_xx

    geomtime = dde.geometry.GeometryXTime(dde.geometry.Interval(-1, 1), dde.geometry.TimeDomain(0, 0.99))
    bc = dde.icbc.DirichletBC(geomtime, lambda x: 0, lambda _, on_boundary: on_boundary)
    ic = dde.icbc.IC(geomtime, lambda x: -np.sin(np.pi * x[:, 0:1]), lambda _, on_initial: on_initial)
    data = dde.data.TimePDE(
        geomtime, pde, [bc, ic], num_domain=DEEPXDE_POINTS["residual"], num_boundary=DEEPXDE_POINTS["boundary"],
        num_initial=DEEPXDE_POINTS["initial"],
    )
    model = dde.Model(data, dde.nn.FNN([2] + [20] * 3 + [1], "tanh", "Glorot normal"))
    model.compile("adam", lr=1e-3)
    if mode == "ms":
        model.train(iterations=100, display_every=10**9, verbose=0)
        blocks = []
        for _ in range(BLOCKS):
            start = time.perf_counter()
            model.train(iterations=100, display_every=10**9, verbose=0)
            blocks.append((time.perf_counter() - start) / 100 * 1e3)
        print(json.dumps({"adam_ms": statistics.median(blocks)}))
        return

    x, t = np.meshgrid(np.linspace(-1, 1, 256), np.linspace(0, 0.99, 100), indexing="ij")
    points = np.stack([x.ravel(), t.ravel()], axis=1)
    exact = hopf_cole_converged(x.ravel(), t.ravel(), nu, 1e-12)
    reached: dict[str, float] = {}

    class Target(dde.callbacks.Callback):
        def __init__(self, phase: str) -> None:
            super().__init__()
            self.phase, self.iterations = phase, 0

        def on_epoch_end(self) -> None:
            # an Adam epoch is one iteration; an L-BFGS epoch is LBFGS_CHUNK iterations
            self.iterations += 1 if self.phase == "adam" else LBFGS_CHUNK
            if self.iterations % 100 == 0:
                predicted = self.model.predict(points)[:, 0]
                error = np.linalg.norm(predicted - exact) / np.linalg.norm(exact)
                if error <= TARGET and not reached:
                    reached.update(seconds=time.time() - started, phase=self.phase, iterations=self.iterations, rel_l2=float(error))
                    self.model.stop_training = True

    model.train(iterations=DEEPXDE_ADAM, display_every=10**9, verbose=0, callbacks=[Target("adam")])
    if not reached:
        # DeepXDE runs torch's L-BFGS 1000 iterations per epoch (the history carries over between
        # epochs); shorter epochs, set before the optimiser is built, let the error be checked as
        # often as in the Adam phase
        options = dde.optimizers.config.LBFGS_options
        options["fun_per_step"] = options["fun_per_step"] * LBFGS_CHUNK // options["iter_per_step"]
        options["iter_per_step"] = LBFGS_CHUNK
        model.compile("L-BFGS")
        model.train(display_every=10**9, verbose=0, callbacks=[Target("lbfgs")])
    if not reached:
        final = np.linalg.norm(model.predict(points)[:, 0] - exact) / np.linalg.norm(exact)
        reached.update(seconds=None, rel_l2=float(final), elapsed_s=time.time() - started)
    print(json.dumps(reached))


def pinnsolve_worker(engine: str, device: str) -> None:
    """pinnsolve's steady ms per Adam iteration on setup (a), float32, timed as DeepXDE's is."""
    run = Timed([*SETUP_A, "precision=float32", f"derivatives={engine}", f"device={device}"])
    run.block(run.adam, 100)
    blocks = [run.block(run.adam, 100) for _ in range(BLOCKS)]
    print(json.dumps({"adam_ms": statistics.median(blocks), "first_step_s": run.first_step_s}))


def worker(arguments: list[str], threads: int, **environment: str) -> dict:
    """This file run with ``arguments`` in a fresh process: the JSON of its last line."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), DDE_BACKEND="pytorch", **environment)
    out = subprocess.run([sys.executable, __file__, *arguments], check=True, capture_output=True, text=True, cwd=REPO, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def side_by_side_rates(threads: int, device: str, rounds: int = 3) -> dict:
    """DeepXDE's and each pinnsolve engine's ms per Adam iteration on setup (a), float32, each in a
    fresh process, alternated over ``rounds`` so that the machine's drift falls on all alike;
    the median over rounds."""
    measured: dict[str, list[float]] = {"deepxde": [], **{engine: [] for engine in ENGINES}}
    for _ in range(rounds):
        measured["deepxde"].append(worker(["--deepxde-worker", "ms", str(time.time())], threads)["adam_ms"])
        for engine in ENGINES:
            measured[engine].append(worker(["--pinnsolve-worker", engine, device], threads)["adam_ms"])
    print(f"ms per Adam iteration, by round: {measured}", file=sys.stderr)
    return {name: statistics.median(values) for name, values in measured.items()} | {"rounds": measured}


def deepxde(mode: str, threads: int) -> dict:
    return worker(["--deepxde-worker", mode, str(time.time())], threads)


def pinnsolve_to_target(label: str, overrides: list[str], threads: int, device: str) -> dict:
    out = REPO / "outputs" / "benchmarks" / "speed" / label
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    env.pop("TORCHINDUCTOR_FORCE_DISABLE_CACHES", None)
    command = [
        "pinnsolve", *overrides, f"trainer.target_rel_l2={TARGET}", "trainer.log_every=10",
        "trainer.progress_bar=false", f"device={device}", f"hydra.run.dir={out}",
    ]
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=REPO, stdout=subprocess.DEVNULL, env=env)
    seconds = time.perf_counter() - start
    metrics = json.loads((out / "metrics.json").read_text())
    reached = metrics["rel_l2"] <= TARGET
    print(f"{label}: rel L2 {metrics['rel_l2']:.3e} in {seconds:.1f} s", file=sys.stderr)
    return {
        "seconds": seconds if reached else None, "rel_l2": metrics["rel_l2"], "train_time_s": metrics["train_time_s"],
        "iterations": {k: v for k, v in metrics.items() if k.startswith("iterations_")}, "command": " ".join(command[1:-1]),
    }


def deepxde_installed() -> bool:
    probe = subprocess.run([sys.executable, "-c", "import deepxde"], capture_output=True, env=dict(os.environ, DDE_BACKEND="pytorch"))
    return probe.returncode == 0


# -- tables ----------------------------------------------------------------------------------------


def tables(results: dict) -> str:
    rows = results["per_iteration"]
    lines = [
        "| setup | engine | ms per Adam iteration | ÷ autograd | ms per quasi-Newton iteration | ÷ autograd | first step (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    by_setup: dict[str, dict[str, dict]] = {}
    for row in rows:
        by_setup.setdefault(row["setup"], {})[row["engine"]] = row
    for setup, engines in by_setup.items():
        base = engines["autograd"]
        for engine, row in engines.items():
            lines.append(
                f"| {setup} | {engine} | {row['adam_ms']:.2f} | {row['adam_ms'] / base['adam_ms']:.2f} "
                f"| {row['quasi_newton_ms']:.2f} | {row['quasi_newton_ms'] / base['quasi_newton_ms']:.2f} | {row['first_step_s']:.1f} |"
            )
    text = "\n".join(lines)
    dx = results.get("deepxde")
    if dx:
        rates = results["rates"]
        best = min(ENGINES, key=rates.get)
        text += (
            f"\n\n**Side by side on setup (a), float32**, each tool in a fresh process, alternated over "
            f"{len(rates['rounds']['deepxde'])} rounds (medians): DeepXDE {dx['version']} takes {rates['deepxde']:.2f} ms per "
            f"Adam iteration; pinnsolve {rates[best]:.2f} ms with `derivatives={best}`, **{rates['deepxde'] / rates[best]:.2f}×** "
            f"DeepXDE's rate ({', '.join(f'{e} {rates[e]:.2f} ms' for e in ENGINES)}).\n\n"
            "| tool, setup and trainer | time to rel L2 3.6e-2 (s), start-up included | sooner than DeepXDE | how it got there |\n"
            "|---|---|---|---|\n"
        )
        target = dx["target"]
        # DeepXDE's time to the target, or where it never got there (its published 3.6e-2 is rounded), its whole run
        deepxde_s = target["elapsed_s"] if target["seconds"] is None else target["seconds"]

        def cell(seconds):
            return "not reached" if seconds is None else f"{seconds:.1f}"

        text += f"| DeepXDE {dx['version']}, its example (Adam lr 1e-3, then L-BFGS; float32) | {cell(target['seconds'])} | 1.0× | "
        if target["seconds"] is None:
            text += f"its end, {target['elapsed_s']:.0f} s: rel L2 {target['rel_l2']:.2e} |\n"
        elif target["phase"] == "lbfgs":
            text += f"{DEEPXDE_ADAM} Adam + {target['iterations']} L-BFGS iterations, rel L2 {target['rel_l2']:.2e} |\n"
        else:
            text += f"{target['iterations']} Adam iterations, rel L2 {target['rel_l2']:.2e} |\n"
        for label, run in results["to_target"].items():
            ratio = "" if run["seconds"] is None else f"{deepxde_s / run['seconds']:.1f}×"
            adam, quasi_newton = run["iterations"].values()
            ending = "the target" if run["seconds"] is not None else "its end"
            text += (
                f"| pinnsolve, {label} | {cell(run['seconds'])} | {ratio} | {adam} Adam + {quasi_newton} quasi-Newton "
                f"iterations, rel L2 {run['rel_l2']:.2e} at {ending} |\n"
            )
        text = text.rstrip("\n")
    else:
        text += ("\n\nNo side-by-side rows: DeepXDE was not installed for this run (`pip install -e \".[bench]\"`), "
                 "or `--parts` left that part out.")
    text += (
        f"\n\nMeasured by `python benchmarks/speed.py` on {results['machine']}, device {results['device']}, "
        f"commit {results['commit']}"
        + (f" (the per-iteration table at {results['per_iteration_commit']})" if results.get("per_iteration_commit", results["commit"]) != results["commit"] else "")
        + f". Medians of {BLOCKS} interleaved blocks ({ADAM_STEPS} Adam or {QN_STEPS} "
        "quasi-Newton steps each); the first step is timed apart, with Inductor's caches off (after the assembly, "
        "whose one evaluation of the loss has already compiled its forward pass: the first step compiles the gradient; "
        "the start-up below times the assembly)."
    )
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--profile", action="store_true", help="only print where an Adam step's time goes, per engine")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=PARTS, help="what to measure (default: both)")
    parser.add_argument("--collect", action="store_true", help="only rewrite the tables from the results file")
    parser.add_argument("--deepxde-worker", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--pinnsolve-worker", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--startup", action="store_true", help="only print where a Burgers defaults run's start-up goes")
    parser.add_argument("--startup-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.deepxde_worker:
        deepxde_worker(args.deepxde_worker[0], float(args.deepxde_worker[1]))
        return
    if args.pinnsolve_worker:
        pinnsolve_worker(*args.pinnsolve_worker)
        return
    if args.profile:
        profile(args.device)
        return
    if args.startup_worker:
        startup_worker(float(args.startup_worker))
        return
    if args.startup:
        startup(torch.get_num_threads())
        return
    # each device's results apart: a GPU run must not overwrite the CPU's table, or the reverse
    results_file = RESULTS / ("speed.json" if args.device == "cpu" else f"speed_{args.device}.json")
    if args.collect:
        results = json.loads(results_file.read_text())
    else:
        # a part not run keeps what the results file has for it
        results = json.loads(results_file.read_text()) if results_file.exists() and set(args.parts) != set(PARTS) else {}
        # each part names the commit it measured: a part run alone leaves the other's as it was
        results.update(machine=machine(), device=args.device)
        threads = torch.get_num_threads()
        RESULTS.mkdir(parents=True, exist_ok=True)
        if "per_iteration" in args.parts:
            rows = []
            for precision in ("float32", "float64"):
                rows += per_iteration(f"(a) {precision}", [*SETUP_A, f"precision={precision}"], args.device)
            for problem in PROBLEMS:
                rows += per_iteration(f"study/{problem}", [f"experiment=study/{problem}"], args.device)
            results["per_iteration"] = rows
            results["per_iteration_commit"] = commit()
            results.setdefault("commit", results["per_iteration_commit"])
            results_file.write_text(json.dumps(results, indent=1))
        if "side_by_side" in args.parts and deepxde_installed():
            import importlib.metadata

            results["commit"] = commit()
            results["rates"] = side_by_side_rates(threads, args.device)
            results["deepxde"] = {"version": importlib.metadata.version("deepxde"), "target": deepxde("target", threads)}
            print(f"DeepXDE: {results['deepxde']}", file=sys.stderr)
            results["to_target"] = {
                "DeepXDE's setup and trainer (15,000 Adam iterations at lr 1e-3, then L-BFGS; float32)": pinnsolve_to_target(
                    "deepxde_setup",
                    [*SETUP_A, "precision=float32", "trainer=adam_lbfgs", f"trainer.adam.iterations={DEEPXDE_ADAM}",
                     "trainer.quasi_newton.iterations=15000"],
                    threads, args.device,
                ),
                "DeepXDE's setup, pinnsolve's trainer (Adam, then SSBroyden2; float64)": pinnsolve_to_target(
                    "deepxde_setup_ssbroyden", [*SETUP_A, "trainer.quasi_newton.iterations=5000"], threads, args.device
                ),
                "its Burgers settings before issue 29 (`experiment=study/burgers`: 1,000 Adam iterations first)": pinnsolve_to_target(
                    "study", ["experiment=study/burgers", "problem.t_max=0.99"], threads, args.device
                ),
                "its Burgers defaults (4 × 20, 8,000 points redrawn by RAD; 300 Adam iterations, then SSBroyden2; float64)":
                    pinnsolve_to_target("defaults", ["problem=burgers", "problem.t_max=0.99"], threads, args.device),
            }
        elif "side_by_side" in args.parts:
            results.pop("deepxde", None)
        results_file.write_text(json.dumps(results, indent=1))
    text = tables(results)
    results_file.with_suffix(".md").write_text(text + "\n")
    write_section("speed" if results["device"] == "cpu" else f"speed_{results['device']}", text)
    print(text)


if __name__ == "__main__":
    main()
