"""A problem written as the docs say runs through the whole pipeline, with no engine change:
one registered in the package, and the tutorial's, in a file of the user's, run by the
tutorial page's own commands."""
import json
import math
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

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
class Heat(ExactProblem):  # a problem shipped in the package: registered in PROBLEMS
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
    cfg = tiny_config("klein_gordon", "trainer.quasi_newton.iterations=30", "plots=true")
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


REPO = Path(__file__).resolve().parents[1]
TUTORIAL = REPO / "examples" / "own_pde"


TUTORIAL_PAGE = REPO / "docs" / "tutorials" / "own-pde.md"


def test_the_tutorials_problem_is_shown_in_the_docs_as_it_is_in_its_file():
    page = TUTORIAL_PAGE.read_text()
    shown = page.split("## Tutorial: a heat equation on an L-shaped plate")[1].split("```python\n")[1].split("```")[0]
    source = (TUTORIAL / "heat.py").read_text()
    # the page shows the class; the file's layout may break its lines differently
    assert " ".join(shown.split()) in " ".join(source.split())


def test_the_tutorial_runs_as_written_from_the_command_line_and_from_python(tmp_path):
    block = TUTORIAL_PAGE.read_text().split("<!-- tutorial:own-pde:begin -->")[1].split("<!-- tutorial:own-pde:end -->")[0]
    commands = re.search(r"```bash\n(.*?)```", block, re.S).group(1).strip().splitlines()
    assert commands[0].startswith("pinnsolve --config-dir my_conf problem=heat")
    workdir = tmp_path / "own_pde"  # a copy, so that the runs write nothing into the repository
    shutil.copytree(TUTORIAL, workdir, ignore=shutil.ignore_patterns("outputs", "__pycache__"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for command in commands:
        done = subprocess.run(command.replace("python ", f"{sys.executable} ", 1), shell=True, cwd=workdir, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{command}: {done.stderr[-2000:]}"
    metrics = json.loads((workdir / "outputs" / "heat" / "metrics.json").read_text())
    assert metrics["problem"] == "heat" and metrics["rel_l2"] < 1e-2
    assert metrics["loss_components"].keys() == {"residual", "initial", "insulated", "held"}
    from_python = json.loads((workdir / "outputs" / "heat_from_python" / "metrics.json").read_text())
    assert from_python["rel_l2"] < 1e-2 and "rel L2" in done.stdout
