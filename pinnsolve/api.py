"""The Python API: :func:`solve` trains from the command line's overrides, :func:`load` reads a run
directory back; both give a :class:`Solution` to predict with and plot.

    from pinnsolve import solve
    solution = solve("problem=poisson", "activation=neuron_wise")    # writes nothing
    solution.metrics["rel_l2"], solution.predict([[0.5, 0.5]]), solution.plot("loss")
"""
from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, is_dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml
from hydra import compose, initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import CompactHydraException
from matplotlib.figure import Figure
from numpy.typing import ArrayLike
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException
from torch import nn

from pinnsolve.report.files import read_history
from pinnsolve.train import checkpoint, interrupts
from pinnsolve.assemble import build_model, plain, resolve_device
from pinnsolve.config import (
    RUN_CONFIG, ConfigError, check_experiment, check_output_dir, load_run_config, one_line, problem_config, register_configs,
    settings_for, validate,
)
from pinnsolve.conditions import Condition
from pinnsolve.geometry import Box
from pinnsolve.problem import Problem, Reference
from pinnsolve.run_directory import Attempt, RunDirectoryError, write_text
from pinnsolve.train.checkpoint import CheckpointError
from pinnsolve.run import figures, run

log = logging.getLogger(__name__)


@dataclass
class Solution:
    """A trained model with its problem, config, metrics (``metrics.json``'s dict) and history
    (``history.csv``'s rows); ``run_dir`` is where its files are (None: it wrote none)."""

    config: DictConfig
    problem: Problem
    model: nn.Module
    metrics: dict[str, Any]
    history: list[dict[str, float]]
    run_dir: Path | None = None
    components: Sequence[str] = field(default=())  # the loss components, for the loss plot

    @property
    def variables(self) -> tuple[str, ...]:
        return self.problem.variables

    @property
    def unknowns(self) -> tuple[str, ...]:
        return self.problem.unknowns

    def predict(self, points: ArrayLike) -> np.ndarray:
        """The solution at ``points``, an ``(N, d)`` array whose columns are :attr:`variables` in
        order: shape ``(N,)`` for a problem of one unknown, ``(N, m)`` (columns :attr:`unknowns`) for a system."""
        outputs = self._outputs(points)
        return outputs[:, 0] if outputs.shape[1] == 1 else outputs

    def _outputs(self, points: ArrayLike) -> np.ndarray:
        array = np.asarray(points, dtype=np.float64)
        if array.ndim != 2 or array.shape[1] != len(self.variables):
            raise ValueError(f"points: expected an (N, {len(self.variables)}) array of {list(self.variables)}, got shape {array.shape}")
        parameter = next(self.model.parameters())
        with torch.no_grad():
            outputs = self.model(torch.as_tensor(array, dtype=parameter.dtype, device=parameter.device))
        return outputs.cpu().double().numpy()

    @cached_property
    def reference(self) -> Reference:
        """The problem's reference solution on its evaluation grid (computed once, on first use)."""
        return self.problem.reference()

    def plot(self, name: str = "solution", path: str | Path | None = None) -> Figure:
        """The figure a run writes as ``NAME.png`` (solution, slices, loss, error, slopes,
        activations, parameters: those this run has), saved to ``path`` if given."""
        drawn = figures(
            self.problem, self.model, self.reference, self._outputs(self.reference.inputs), self.history, self.components,
            self.metrics.get("identified"),
        )
        available = [file.removesuffix(".png") for file in drawn]
        if name not in available:
            raise ValueError(f"plot: no {name!r} figure for this run; it has {available}")
        return drawn[f"{name}.png"](None if path is None else Path(path))


def compose_config(*overrides: str, problem: Problem | None = None) -> DictConfig:
    """The config ``pinnsolve OVERRIDES`` would run, checked as the command checks it; Hydra's
    global state is left as it was (a Hydra app may call this). ``problem``, an object of a
    Problem dataclass, replaces the config's problem (its class as ``_target_``, its fields as the
    values; ``problem.hard_bc=...`` still applies), with ``experiment=none`` unless one is named.
    Raises :class:`ConfigError`."""
    check_overrides(overrides)
    if problem is not None and not isinstance(problem, Problem):
        named = f"; a problem by name is an override: solve('problem={problem}')" if isinstance(problem, str) else ""
        raise ConfigError(f"problem: an object of a Problem dataclass, got {type(problem).__name__} {problem!r}{named}")
    if problem is not None:
        keys = [o.split("=")[0].lstrip("+~") for o in overrides]
        if "problem" in keys:
            raise ConfigError("problem: give the problem object or a problem= override, not both")
        fields = [k for k in keys if k.startswith("problem.") and k != "problem.hard_bc"]
        if fields:
            raise ConfigError(f"{fields[0]}: the problem object holds its own values; set them on the object (only problem.hard_bc applies)")
        if not is_dataclass(problem):  # its fields are its config: a run is saved, resumed and loaded from them
            raise ConfigError(f"problem: {type(problem).__name__} is not a dataclass; declare it with @dataclass(frozen=True)")
        if not any(o.split("=")[0].lstrip("+~") == "experiment" for o in overrides):
            overrides = (*overrides, "experiment=none")
    register_configs()
    global_hydra = GlobalHydra.instance()
    outer = global_hydra.hydra if global_hydra.is_initialized() else None
    global_hydra.clear()
    try:
        with initialize_config_module(config_module="pinnsolve.conf", version_base="1.3"):
            try:
                cfg = compose(config_name="config", overrides=list(overrides), return_hydra_config=True)
            except (CompactHydraException, OmegaConfBaseException, ValueError) as error:
                raise ConfigError(one_line(error)) from None
            check_experiment(cfg.hydra.runtime.choices)
    finally:
        if outer is not None:
            GlobalHydra.instance().initialize(outer)
    with open_dict(cfg):
        del cfg["hydra"]
        if problem is not None:
            cfg.problem = OmegaConf.create({**problem_config(problem), "hard_bc": cfg.problem.get("hard_bc", False)})
    validate(cfg)
    return cfg


def check_overrides(overrides: Sequence[object]) -> None:
    """The overrides are what ``solve`` promises to take: strings of one ``key=value`` each
    (``solve("problem=poisson", "seed=1")``), and no ``hydra.*`` key, which only the command reads
    (``solve`` writes where ``output_dir`` says)."""
    for override in overrides:
        if not isinstance(override, str):
            hint = "; pass them as separate arguments, solve(*overrides)" if isinstance(override, (list, tuple)) else ""
            raise ConfigError(f"overrides: each is a string 'key=value', got {type(override).__name__} {override!r}{hint}")
        if len(override.split()) > 1 and all("=" in word for word in override.split()):
            words = ", ".join(repr(word) for word in override.split())
            raise ConfigError(f"overrides: {override!r} holds several overrides; pass each as its own argument: solve({words})")
        if override.lstrip("+~").startswith("hydra."):
            raise ConfigError(f"{override.split('=')[0]}: Hydra's settings are the command's; solve writes into output_dir=...")


def solve(*overrides: str, problem: Problem | None = None, output_dir: str | Path | None = None) -> Solution:
    """Train as ``pinnsolve OVERRIDES`` would (``solve("problem=burgers", "seed=1")``), or a
    problem object of your own: ``solve("trainer.adam.iterations=500", problem=Heat(...))``.

    ``output_dir=None`` writes nothing; a directory gets every file the command writes, with the
    config in ``.hydra/config.yaml`` as Hydra saves it, so that :func:`load` and
    ``pinnsolve resume=`` take it. SIGINT stops training at the next iteration and returns what
    it has (``metrics["status"] == "interrupted"``).
    """
    cfg = compose_config(*overrides, problem=problem)
    run_dir = None if output_dir is None else Path(output_dir)
    if run_dir is None:
        with interrupts.watch():
            finished = run(cfg, None)
    else:
        check_output_dir(run_dir, "output_dir")
        attempt = _claim(run_dir)
        try:
            (run_dir / RUN_CONFIG).parent.mkdir(parents=True, exist_ok=True)
            write_text(run_dir / RUN_CONFIG, OmegaConf.to_yaml(cfg))
            write_text(run_dir / ".hydra" / "overrides.yaml", yaml.safe_dump(list(overrides)))
            with interrupts.watch():
                finished = run(cfg, run_dir)
        except (ConfigError, CheckpointError):
            attempt.undo()  # a run refused before it started leaves the directory as it found it
            raise
        finally:
            attempt.release()
    return Solution(
        cfg, finished.parts.problem, finished.parts.model, finished.metrics, finished.result.history, run_dir,
        tuple(finished.parts.trainer.loss.components),
    )


def _claim(run_dir: Path) -> Attempt:
    try:
        return Attempt(run_dir, "output_dir")
    except RunDirectoryError as error:
        raise ConfigError(str(error)) from None


def load(run_dir: str | Path, *, device: str | None = None) -> Solution:
    """The trained model of a finished run directory (``.hydra/config.yaml`` and ``model.pt``),
    with its metrics and history, on ``device`` (default: the config's, ``auto`` picking CUDA
    where there is one)."""
    run_dir = Path(run_dir)
    model_file = run_dir / "model.pt"
    if not (run_dir / RUN_CONFIG).is_file():
        raise FileNotFoundError(f"{run_dir}: not a run directory (no .hydra/config.yaml)")
    if not model_file.is_file():
        state = "it was interrupted before its end" if (run_dir / checkpoint.FILE).is_file() else "it did not finish"
        raise FileNotFoundError(f"{run_dir}: no model.pt ({state}; `pinnsolve resume={run_dir}` continues it)")
    try:
        cfg = load_run_config(run_dir)
    except ConfigError as error:
        raise ConfigError(f"{run_dir}: {error}") from None
    metrics_file = run_dir / "metrics.json"
    metrics = json.loads(metrics_file.read_text()) if metrics_file.is_file() else {}
    state = torch.load(model_file, map_location="cpu", weights_only=True)
    try:
        settings = validate(cfg)
    except ConfigError as error:
        # the problem's data (a fit target, a reference file) may have moved: the network needs
        # none of it to predict, only the box its inputs are scaled by, which model.pt holds
        settings = _without_data(cfg, metrics, state, error)
    problem = settings.problem
    target = resolve_device(device or plain(settings.device))
    model = build_model(settings).to(device=target, dtype=getattr(torch, plain(settings.precision)))
    model.load_state_dict(state)
    return Solution(
        cfg, problem, model, metrics, read_history(run_dir / "history.csv"), run_dir,
        tuple(metrics.get("loss_components", {})),
    )


@dataclass(frozen=True)
class DataUnavailable(Problem):
    """A run's problem that can no longer be made (its data file moved): its variables, unknowns
    and the box the network scales its inputs by, enough to rebuild the model and predict; its
    residual and reference say why they are missing."""

    names: tuple[str, ...]
    outputs: tuple[str, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    reason: str

    @property
    def unknowns(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.outputs

    @property
    def domain(self) -> Box:
        return Box(self.names, self.low, self.high)

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return ()

    def residual(self, f: Any) -> torch.Tensor:
        raise ConfigError(f"the problem cannot be made any more ({self.reason})")

    def reference(self) -> Reference:
        raise ConfigError(f"no reference: the problem cannot be made any more ({self.reason})")


def _without_data(cfg: DictConfig, metrics: dict[str, Any], state: dict[str, torch.Tensor], error: ConfigError) -> Any:
    """The settings of a run whose problem cannot be made (``error``), with a :class:`DataUnavailable`
    in its place; ``error`` again where that cannot rebuild the model (no metrics naming the
    variables, no input box in ``model.pt``, or a hard constraint, which needs the problem)."""
    centre = next((value for key, value in state.items() if key.endswith("scaling.centre")), None)
    half = next((value for key, value in state.items() if key.endswith("scaling.half_width")), None)
    if centre is None or half is None or "variables" not in metrics or cfg.problem.get("hard_bc"):
        raise ConfigError(f"{error}") from None
    log.warning("the problem cannot be made (%s); predicting with the saved network, without its reference", error)
    stand_in = DataUnavailable(
        tuple(metrics["variables"]), tuple(metrics["unknowns"]), tuple((centre - half).tolist()), tuple((centre + half).tolist()), str(error)
    )
    return settings_for(cfg, stand_in)
