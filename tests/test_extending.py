"""A problem written as the README says runs through the whole pipeline, with no engine change."""
import json
import math
from dataclasses import dataclass

import torch
from omegaconf import OmegaConf, open_dict
from torch import Tensor

from pinnsolve.derivatives import Field, Points
from pinnsolve.geometry import Box
from pinnsolve.problem import Condition, ExactProblem, Region, dirichlet
from pinnsolve.problems import PROBLEMS
from pinnsolve.run import run

from conftest import tiny_config


@dataclass(frozen=True)
class Heat(ExactProblem):  # the README's example, verbatim
    kappa: float
    eval_points_per_axis: int

    @property
    def domain(self) -> Box:
        return Box(("x", "t"), (0.0, 0.0), (1.0, 1.0), time="t")

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return (dirichlet("initial", Region.INITIAL, self.exact), dirichlet("boundary", Region.BOUNDARY, self.exact))

    def residual(self, f: Field) -> Tensor:
        return f.d("t") - self.kappa * f.d("x", "x")

    def exact(self, p: Points) -> Tensor:
        return torch.exp(-self.kappa * math.pi**2 * p["t"]) * torch.sin(math.pi * p["x"])


def test_a_new_problem_runs_end_to_end(tmp_path, monkeypatch):
    monkeypatch.setitem(PROBLEMS, "heat", Heat)
    cfg = tiny_config("klein_gordon", "trainer.quasi_newton.iterations=30")
    with open_dict(cfg):
        cfg.problem = OmegaConf.create({"name": "heat", "kappa": 0.1, "eval_points_per_axis": 9})
        cfg.trainer.loss_weights = {"residual": 1.0, "initial": 1.0, "boundary": 1.0}
    metrics = run(cfg, tmp_path / "heat").metrics
    assert metrics["problem"] == "heat" and metrics["variables"] == ["x", "t"]
    assert metrics["rel_l2"] < 0.5
    assert json.loads((tmp_path / "heat" / "metrics.json").read_text())["status"] == "completed"
    assert (tmp_path / "heat" / "slices.png").is_file()


@dataclass(frozen=True)
class Dispersive(Heat):
    """u_t + u_xxx = f, a third derivative: beyond what jets carry."""

    def residual(self, f: Field) -> Tensor:
        return f.d("t") + f.d("x", "x", "x")


def test_a_third_derivative_sends_auto_to_autograd_and_is_refused_by_jets(monkeypatch):
    import pytest

    from pinnsolve.assemble import assemble
    from pinnsolve.config import ConfigError

    monkeypatch.setitem(PROBLEMS, "dispersive", Dispersive)

    def config(engine, iterations):
        cfg = tiny_config("klein_gordon", f"derivatives={engine}", f"trainer.quasi_newton.iterations={iterations}")
        with open_dict(cfg):
            cfg.problem = OmegaConf.create({"name": "dispersive", "kappa": 0.1, "eval_points_per_axis": 9})
            cfg.trainer.loss_weights = {"residual": 1.0, "initial": 1.0, "boundary": 1.0}
        return cfg

    assert assemble(config("auto", 10**4)).trainer.loss.engine.name == "autograd"
    for engine in ("jets", "compiled"):
        with pytest.raises(ConfigError, match=rf"^derivatives: {engine} cannot serve this run: jets carry derivatives up to second order, and \['u_xxx'\] are asked for; use derivatives=autograd$"):
            assemble(config(engine, 4))
