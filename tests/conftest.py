"""Shared helpers: float64 tensors and the real Hydra configs, shrunk for speed."""
from __future__ import annotations

import logging
import os
import signal
import sys

import pytest
import torch
from hydra import compose, initialize_config_module
from omegaconf import DictConfig, open_dict

from pinnsolve import cli, derivatives
from pinnsolve.config import register_configs

PROBLEM_CONFIGS = [
    "burgers", "poisson", "klein_gordon", "klein_gordon_cubic", "helmholtz", "sine_gordon", "low_regularity", "oscillatory", "fit",
]

# pytest-xdist's workers share the cores: each takes its part, not all of them, and so do the
# pinnsolve processes a test starts (torch reads OMP_NUM_THREADS when imported): a process with a
# thread per core beside another worker oversubscribes the machine and ran the suite 2x slower
if "PYTEST_XDIST_WORKER_COUNT" in os.environ:
    share = max(1, (os.cpu_count() or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"]))
    torch.set_num_threads(share)
    os.environ["OMP_NUM_THREADS"] = str(share)

# overrides that make any problem train in about a second
TINY = [
    "sampler.n_residual=64",
    "sampler.n_boundary=16",
    "sampler.n_initial=16",
    "network.depth=2",
    "network.width=8",
    "trainer.adam.iterations=6",
    "trainer.quasi_newton.iterations=4",
    "trainer.log_every=2",
    "trainer.progress_bar=false",
    "plots=false",  # most of a tiny run's time (benchmarks/plots_cost.py); a test that reads the figures asks for them
]


# problems measured at scattered points (eval_points of them), not on a grid
SCATTERED_EVALUATION = ("low_regularity", "poisson_nd", "heat2d_ms", "wave1d_c", "poisson_inv")


def up_to_second(d: int) -> frozenset[tuple[int, ...]]:
    """Every derivative key of order ≤ 2 in ``d`` variables, mixed ones included."""
    return frozenset([(), *((i,) for i in range(d)), *((i, j) for i in range(d) for j in range(i, d))])


def of_every(keys, unknowns=("u",)) -> frozenset:
    """Derivative keys in the variables as keys of each unknown (keys already naming an unknown kept)."""
    return frozenset(
        key if len(key) == 2 and isinstance(key[1], tuple) else (i, key) for key in keys for i in range(len(unknowns))
    )


def evaluate(model, inputs, variables, engine: str, keys=None, unknowns=("u",)) -> derivatives.Field:
    """``model`` at ``inputs`` as a Field of ``unknowns`` from the named engine, holding ``keys``
    (default: all up to second order, of every unknown)."""
    keys = of_every(up_to_second(len(variables)) if keys is None else keys, unknowns)
    return derivatives.engine(engine).field(model, inputs, variables, unknowns, keys)


def load_config(*overrides: str, with_hydra: bool = False) -> DictConfig:
    """The composed pinnsolve config (what the CLI would run) with ``overrides``; ``with_hydra``:
    with Hydra's node too (``hydra.runtime.choices``: the option each group got)."""
    register_configs()
    with initialize_config_module(config_module="pinnsolve.conf", version_base="1.3"):
        return compose(config_name="config", overrides=list(overrides), return_hydra_config=with_hydra)


def coarse_reference(problem: str, points_per_axis: int) -> list[str]:
    """Overrides that shrink ``problem``'s reference to about ``points_per_axis`` points per axis
    (Burgers: a coarse quadrature grid, the same for every size)."""
    if problem == "burgers":
        return ["problem.reference_x_points=17", "problem.reference_t_points=5"]
    if problem in SCATTERED_EVALUATION:  # scattered points
        return [f"problem.eval_points={points_per_axis**2}"]
    return [f"problem.eval_points_per_axis={points_per_axis}"]


def tiny_config(problem: str, *overrides: str) -> DictConfig:
    """A config for ``problem`` that trains in about a second; Burgers gets a coarse reference grid."""
    cfg = load_config(f"problem={problem}", *TINY, *coarse_reference(problem, 9), *overrides)
    with open_dict(cfg):
        cfg.pop("hydra", None)
    return cfg


@pytest.fixture
def float64():
    return torch.float64


@pytest.fixture(autouse=True)
def root_logging_restored():
    """Hydra run in-process points the root logger at the test's captured stdout, which pytest
    closes afterwards; later tests' logging must not write there."""
    root = logging.getLogger()
    before = root.level, list(root.handlers)
    yield
    root.level, root.handlers = before[0], before[1]


def pinnsolve_in_process(args: list[str], monkeypatch, capsys) -> tuple[int, str]:
    """``pinnsolve ARGS`` run by the command's entry point in this process: its exit status and stderr."""
    monkeypatch.delenv("HYDRA_FULL_ERROR", raising=False)  # as a user's shell has it
    monkeypatch.setattr(sys, "argv", ["pinnsolve", *args])
    handler = signal.getsignal(signal.SIGINT)  # an interrupted run's exit ignores Ctrl-C from then on; this process goes on
    try:
        cli.main()
    except SystemExit as stop:
        return stop.code, capsys.readouterr().err
    finally:
        signal.signal(signal.SIGINT, handler)
    return 0, capsys.readouterr().err
