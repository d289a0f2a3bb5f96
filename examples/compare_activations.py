"""Fixed tanh against neuron-wise adaptive slopes on Poisson, from Python (about 20 s on 2 cores).

    python examples/compare_activations.py                 # 300 Adam + 300 SSBroyden2 iterations each
    python examples/compare_activations.py --iterations 1000 --out my_dir

Each solve() composes the config as `pinnsolve problem=poisson activation=A ...` would and trains in
this process; nothing is written unless output_dir= is given. The script prints each run's error,
its prediction at the centre against the exact value, and draws both error histories.
"""
import argparse
from pathlib import Path

from matplotlib.figure import Figure

from pinnsolve import solve

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--iterations", type=int, default=300, help="Adam iterations, and as many quasi-Newton ones")
parser.add_argument("--out", type=Path, default=Path("outputs/examples"), help="where comparison.png goes")
args = parser.parse_args()

budget = [f"trainer.adam.iterations={args.iterations}", f"trainer.quasi_newton.iterations={args.iterations}",
          f"trainer.log_every={max(args.iterations // 10, 1)}", "trainer.progress_bar=false"]
solutions = {activation: solve("problem=poisson", f"activation={activation}", *budget)
             for activation in ("fixed", "neuron_wise")}

exact_centre = 0.5**2 * 0.5 * 0.5**2 * 0.5  # u = x²(1 − x) y²(1 − y)
print(f"{'activation':<12} {'rel L2':>10} {'u(0.5, 0.5)':>14} {'exact':>10} {'seconds':>8}")
for activation, solution in solutions.items():
    centre = solution.predict([[0.5, 0.5]])[0]
    print(f"{activation:<12} {solution.metrics['rel_l2']:>10.3e} {centre:>14.8f} {exact_centre:>10.8f} "
          f"{solution.metrics['wall_time_s']:>8.1f}")

figure = Figure(figsize=(6, 4), layout="constrained")
axes = figure.subplots()
for activation, solution in solutions.items():
    axes.semilogy([row["iteration"] for row in solution.history], [row["rel_l2"] for row in solution.history], label=activation)
axes.set(xlabel="iteration", ylabel="rel L2", title="Poisson: fixed against neuron-wise slopes")
axes.legend()
args.out.mkdir(parents=True, exist_ok=True)
figure.savefig(args.out / "comparison.png", dpi=110)
print(f"wrote {args.out / 'comparison.png'}")
