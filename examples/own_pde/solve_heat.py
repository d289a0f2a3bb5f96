"""The same heat problem from Python: an object of the class, no config file needed."""
from heat import Heat

from pinnsolve import solve

solution = solve(
    "network.depth=3", "network.width=20", "trainer.adam.iterations=200", "trainer.quasi_newton.iterations=200",
    problem=Heat(diffusivity=0.1, t_max=1.0, eval_points=5000),
    output_dir="outputs/heat_from_python",
)
print(f"rel L2 {solution.metrics['rel_l2']:.2e}; u(0.5, 0.5, 1) = {solution.predict([[0.5, 0.5, 1.0]])[0]:.6f}")
