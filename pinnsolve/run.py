"""One run: config → assemble → train → evaluate → report."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from matplotlib.figure import Figure
from omegaconf import DictConfig, OmegaConf
from torch import nn

from pinnsolve.nn import activations
from pinnsolve.report import files, plots
from pinnsolve.train import checkpoint, interrupts
from pinnsolve.assemble import Assembly, assemble, plain
from pinnsolve.config import ConfigError, Settings
from pinnsolve.inverse import Observations
from pinnsolve.problem import Problem, Reference
from pinnsolve.run_directory import Claim, check_holds_only_a_run, clear_earlier_run, written
from pinnsolve.train.trainer import TrainingResult
from pinnsolve.trackers import TRACKERS, Tracker

log = logging.getLogger(__name__)


@dataclass
class Finished:
    """What a run leaves in memory: its assembled parts (the trained model among them), the
    trainer's result, the metrics and the prediction at the reference points, shape ``(N, m)``."""

    parts: Assembly
    result: TrainingResult
    metrics: dict[str, Any]
    predicted: np.ndarray


def run(cfg: DictConfig, output_dir: Path | None, *, resume: bool = False) -> Finished:
    """Train as ``cfg`` says and write the run's files into ``output_dir`` (None: write nothing,
    checkpoints included).

    Nothing in ``output_dir`` changes until the run has been assembled (every refusal comes
    first) and has claimed the directory; then an earlier run's files are removed, so that none
    is taken for this run's, or with ``resume`` the run continues from the directory's
    checkpoint. Every file is written whole or not at all, ``metrics.json`` last, so a directory
    that holds it holds a finished (or interrupted) run. Raises
    :class:`~pinnsolve.config.ConfigError` if ``cfg`` is invalid,
    :class:`~pinnsolve.run_directory.RunDirectoryError` if the directory is another run's or holds
    other files, :class:`~pinnsolve.train.checkpoint.CheckpointError` if the checkpoint cannot
    continue the run, each before anything there changes; an OSError names the file it could not write.
    """
    start = time.perf_counter()
    with warnings_collected() as warnings:
        parts = assemble(cfg)
        if output_dir is None:
            return _train(cfg, parts, None, resume, start, warnings)
        with Claim(output_dir, "output directory"):
            return _train(cfg, parts, output_dir, resume, start, warnings)


def _train(cfg: DictConfig, parts: Assembly, output_dir: Path | None, resume: bool, start: float, warnings: list[str]) -> Finished:
    problem, model, trainer, settings = parts.problem, parts.model, parts.trainer, parts.settings
    config = resolved(cfg)
    # what a checkpoint compares to tell its run from another: the tracker and the plots change nothing a run computes
    computed = {key: value for key, value in config.items() if key not in ("logger", "plots")}
    state, earlier_wall_s, save_checkpoint = None, 0.0, None
    if output_dir is not None and resume:
        saved = checkpoint.load(output_dir / checkpoint.FILE, computed, next(model.parameters()).device)
        state, earlier_wall_s = saved["trainer"], saved["wall_time_s"]
    # opened before anything in the directory changes: a tracker that cannot start refuses the run
    tracker = open_tracker(settings, config, output_dir, state["iteration"] if state is not None else None)
    if output_dir is not None:
        if resume:
            (output_dir / "metrics.json").unlink(missing_ok=True)  # the directory holds no finished run until this one ends
            parts.sampler.load_state_dict(saved["sampler"])
            torch.set_rng_state(saved["torch_rng"].cpu())
            log.info("resuming %s at iteration %d", output_dir, state["iteration"])
        else:
            check_holds_only_a_run(output_dir, "output directory")
            clear_earlier_run(output_dir)
    log.info("problem %s, variables %s, %d parameters", settings.problem_name, problem.variables, _count(model))
    if output_dir is not None:

        def save_checkpoint() -> None:
            checkpoint.save(output_dir / checkpoint.FILE, {
                "config": computed,
                "trainer": trainer.state_dict(),
                "sampler": parts.sampler.state_dict(),
                "torch_rng": torch.get_rng_state(),
                "wall_time_s": earlier_wall_s + time.perf_counter() - start,
            })

    with tracker:
        training_started_at = time.time()  # wall clock, so that a caller can tell its own start-up apart
        result = trainer.fit(model, state, checkpoint=save_checkpoint, interrupted=interrupts.reason, on_record=tracker.record)
        finished = _finished(parts, result, earlier_wall_s, start, training_started_at, warnings)
        if output_dir is not None:
            write(finished, output_dir)
        tracker.finish(finished.metrics, output_dir)
    log.info("%s: rel L2 %.3e, %s in %.1f s", result.status, finished.metrics["rel_l2"], result.stop_reason, finished.metrics["wall_time_s"])
    return finished


def _finished(parts: Assembly, result: TrainingResult, earlier_wall_s: float, start: float, training_started_at: float,
              warnings: list[str]) -> Finished:
    """The trained run's metrics and prediction."""
    problem, model, trainer, settings = parts.problem, parts.model, parts.trainer, parts.settings
    errors = parts.evaluator.errors(model)
    predicted = parts.evaluator.predict(model).cpu().double().numpy()
    components = list(trainer.loss.components)
    final = result.history[-1] if result.history else {}
    adaptive = activations.adaptive_layers(model.activations)
    metrics = {
        "problem": settings.problem_name,
        "variables": list(problem.variables),
        "unknowns": list(problem.unknowns),
        **({"reference_file": parts.evaluator.reference.origin} if parts.evaluator.reference.origin else {}),
        "activation": settings.activation.name,
        "activation_settings": OmegaConf.to_container(OmegaConf.structured(settings.activation), enum_to_str=True),
        "status": result.status,
        "stop_reason": result.stop_reason,
        **errors,
        "loss": final.get("loss"),
        **({"pde_loss": final.get("pde_loss")} if trainer.loss.penalised else {}),
        "loss_components": {name: final.get(name) for name in components},
        **{f"iterations_{name}": count for name, count in result.iterations.items()},
        "methods": {phase.name: phase.method for phase in trainer.phases},
        "derivatives": trainer.loss.engine.name,  # what derivatives=auto chose
        "train_time_s": result.train_time_s,
        "wall_time_s": earlier_wall_s + time.perf_counter() - start,
        "time_to_rel_l2": files.time_to_thresholds(result.history),
        "training_started_at": training_started_at,
        "seed": settings.seed,
        "precision": plain(settings.precision),
        "device": str(next(model.parameters()).device),
        "parameters": _count(model),
        "warnings": warnings,
    }
    if adaptive:
        metrics["slope_recovery"] = activations.slope_recovery(adaptive).item()
        metrics["slopes"] = activations.final_slopes(adaptive)
    if trainer.loss.coefficients is not None:
        metrics["identified"] = identified(trainer.loss.coefficients.current(), problem, parts.observations)
    return Finished(parts, result, metrics, predicted)


def write(finished: Finished, output_dir: Path) -> None:
    """A finished run's files in ``output_dir``, ``metrics.json`` last."""
    reference = finished.parts.evaluator.reference
    columns = {}
    for i, name in enumerate(reference.unknowns):
        columns[f"{name}_pred"], columns[f"{name}_ref"] = finished.predicted[:, i], reference.values[:, i]
    with written(output_dir / "prediction.npz") as handle:
        np.savez(handle, inputs=reference.inputs, **columns)
    checkpoint.save_tensors(output_dir / "model.pt", finished.parts.model.state_dict())
    files.write_history(output_dir / "history.csv", finished.result.history)
    parts = finished.parts
    if parts.settings.plots:
        drawn = figures(
            parts.problem, parts.model, reference, finished.predicted, finished.result.history, parts.trainer.loss.components,
            finished.metrics.get("identified"),
        )
        for name, figure in drawn.items():
            figure(output_dir / name)
    files.write_json(output_dir / "metrics.json", finished.metrics)


def identified(values: dict[str, float], problem: Problem, observations: Observations | None) -> dict[str, dict[str, Any]]:
    """Each identified coefficient's value, and where the measurements were drawn from the
    configured problem, its true value and the errors."""
    known = observations is not None and observations.synthetic
    entries = {}
    for name, value in values.items():
        true = float(getattr(problem, name)) if known else None
        entries[name] = {
            "value": value,
            "true": true,
            "abs_error": abs(value - true) if true is not None else None,
            "rel_error": abs(value - true) / abs(true) if true else None,
        }
    return entries


def figures(
    problem: Problem, model: nn.Module, reference: Reference, predicted: np.ndarray,
    history: Sequence[dict[str, Any]], components: Sequence[str], identified: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Callable[[Path | None], Figure]]:
    """The plots a run has, by file name: each draws its figure and saves it where it is told
    (None: not saved). ``predicted`` is the prediction at ``reference.inputs``, shape ``(N, m)``;
    ``identified``, the metrics' entries for the identified coefficients (:func:`identified`)."""
    drawn: dict[str, Callable[[Path | None], Figure]] = {
        "solution.png": lambda path: plots.plot_solution(path, problem.domain, reference, predicted),
    }
    if problem.domain.time is not None and reference.shape is not None:
        drawn["slices.png"] = lambda path: plots.plot_slices(path, problem.domain, reference, predicted)
    if history:
        drawn["loss.png"] = lambda path: plots.plot_losses(path, history, list(components))
        drawn["error.png"] = lambda path: plots.plot_error(path, history)
        if activations.adaptive_layers(model.activations):
            drawn["slopes.png"] = lambda path: plots.plot_slopes(path, history)
        if identified:
            true = {name: entry["true"] for name, entry in identified.items()}
            drawn["parameters.png"] = lambda path: plots.plot_parameters(path, history, true)
    if not all(isinstance(layer, activations.Fixed) for layer in model.activations):
        drawn["activations.png"] = lambda path: plots.plot_activations(
            path, model.activations, model.width, like=next(model.parameters())
        )
    return drawn


def open_tracker(settings: Settings, config: dict[str, Any], output_dir: Path | None, resumed_at: int | None) -> Tracker:
    """The tracker ``logger=`` names, for this run (``resumed_at``: the checkpoint's iteration)."""
    logger = settings.logger
    tracker = TRACKERS.get(logger.name, Tracker)
    try:
        return tracker.open(logger, problem=settings.problem_name, run_dir=output_dir, config=config, resumed_at=resumed_at)
    except Exception as error:  # a store it cannot reach, a folder it cannot make: the run has not started
        first = next((line for line in str(error).splitlines() if line.strip()), type(error).__name__)
        raise ConfigError(f"logger={logger.name}: cannot start: {first}") from None


def resolved(cfg: DictConfig) -> dict[str, Any]:
    """The config as plain values: what a run saves, and (less its ``logger`` node) what a
    checkpoint compares to tell its run from another."""
    return OmegaConf.to_container(cfg, resolve=True, enum_to_str=True)  # type: ignore[return-value]


@contextmanager
def warnings_collected() -> Iterator[list[str]]:
    """The messages pinnsolve logs as warnings inside the block, in order: a run's metrics carry
    them, so that a result the run warned about is never read as a plain success."""
    collected: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            collected.append(record.getMessage())

    handler, logger = Collect(logging.WARNING), logging.getLogger("pinnsolve")
    logger.addHandler(handler)
    try:
        yield collected
    finally:
        logger.removeHandler(handler)


def _count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
