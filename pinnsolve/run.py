"""One run: config → assemble → train → evaluate → report."""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf

from pinnsolve import activations, checkpoint, interrupts, report
from pinnsolve.assemble import assemble, plain
from pinnsolve.config import activation_config
from pinnsolve.sweep import ERROR_FILE

log = logging.getLogger(__name__)


# what a run writes into its directory (Hydra's .hydra/ and the log aside)
RUN_FILES = (
    "metrics.json", "history.csv", "model.pt", "prediction.npz", checkpoint.FILE, ERROR_FILE,
    "solution.png", "slices.png", "loss.png", "error.png", "slopes.png", "activations.png",
)


def run(cfg: DictConfig, output_dir: Path, *, resume: bool = False) -> dict[str, Any]:
    """Train as ``cfg`` says and write the run's files into ``output_dir``; returns the metrics.

    An earlier run's files in ``output_dir`` are removed first, so that none is taken for this
    run's; with ``resume``, the run continues from the directory's checkpoint instead.
    ``metrics.json`` is written last, so a directory that holds it holds a finished (or
    interrupted) run. Raises :class:`~pinnsolve.config.ConfigError` before training if ``cfg`` is
    invalid, :class:`~pinnsolve.checkpoint.CheckpointError` if the checkpoint cannot continue it.
    """
    start = time.perf_counter()
    if resume:
        (output_dir / "metrics.json").unlink(missing_ok=True)
    else:
        clear_earlier_run(output_dir)
    parts = assemble(cfg)
    problem, model, evaluator, trainer = parts.problem, parts.model, parts.evaluator, parts.trainer
    log.info("problem %s, variables %s, %d parameters", cfg.problem.name, problem.variables, _count(model))
    output_dir.mkdir(parents=True, exist_ok=True)
    config = resolved(cfg)
    state, earlier_wall_s = None, 0.0
    if resume:
        saved = checkpoint.load(output_dir / checkpoint.FILE, config, next(model.parameters()).device)
        parts.sampler.load_state_dict(saved["sampler"])
        torch.set_rng_state(saved["torch_rng"].cpu())
        state, earlier_wall_s = saved["trainer"], saved["wall_time_s"]
        log.info("resuming %s at iteration %d", output_dir, state["iteration"])

    def save_checkpoint() -> None:
        checkpoint.save(output_dir / checkpoint.FILE, {
            "config": config,
            "trainer": trainer.state_dict(),
            "sampler": parts.sampler.state_dict(),
            "torch_rng": torch.get_rng_state(),
            "wall_time_s": earlier_wall_s + time.perf_counter() - start,
        })

    result = trainer.fit(model, state, checkpoint=save_checkpoint, interrupted=interrupts.reason)

    errors = evaluator.errors(model)
    u_pred = evaluator.predict(model).cpu().double().numpy()
    reference = evaluator.reference
    np.savez(output_dir / "prediction.npz", inputs=reference.inputs, u_pred=u_pred, u_ref=reference.u)
    torch.save(model.state_dict(), output_dir / "model.pt")
    report.write_history(output_dir / "history.csv", result.history)

    components = list(trainer.loss.components)
    report.plot_solution(output_dir / "solution.png", problem.domain, reference, u_pred)
    if problem.domain.time is not None:
        report.plot_slices(output_dir / "slices.png", problem.domain, reference, u_pred)
    if result.history:
        report.plot_losses(output_dir / "loss.png", result.history, components)
        report.plot_error(output_dir / "error.png", result.history)
    adaptive = activations.adaptive_layers(model.activations)
    if adaptive and result.history:
        report.plot_slopes(output_dir / "slopes.png", result.history)
    if not all(isinstance(layer, activations.Fixed) for layer in model.activations):
        report.plot_activations(output_dir / "activations.png", model.activations, model.width, like=next(model.parameters()))

    final = result.history[-1] if result.history else {}
    metrics = {
        "problem": cfg.problem.name,
        "variables": list(problem.variables),
        "activation": cfg.activation.name,
        "activation_settings": OmegaConf.to_container(activation_config(cfg), enum_to_str=True),
        "status": result.status,
        "stop_reason": result.stop_reason,
        **errors,
        "loss": final.get("loss"),
        **({"pde_loss": final.get("pde_loss")} if trainer.loss.penalties else {}),
        "loss_components": {name: final.get(name) for name in components},
        **{f"iterations_{name}": count for name, count in result.iterations.items()},
        "methods": {phase.name: phase.method for phase in trainer.phases},
        "derivatives": trainer.loss.engine.name,  # what derivatives=auto chose
        "train_time_s": result.train_time_s,
        "wall_time_s": earlier_wall_s + time.perf_counter() - start,
        "time_to_rel_l2": report.time_to_thresholds(result.history),
        "seed": cfg.seed,
        "precision": plain(cfg.precision),
        "device": str(next(model.parameters()).device),
        "parameters": _count(model),
    }
    if adaptive:
        metrics["slope_recovery"] = activations.slope_recovery(adaptive).item()
        metrics["slopes"] = activations.final_slopes(adaptive)
    report.write_json(output_dir / "metrics.json", metrics)
    log.info("%s: rel L2 %.3e, %s in %.1f s", result.status, errors["rel_l2"], result.stop_reason, metrics["wall_time_s"])
    return metrics


def resolved(cfg: DictConfig) -> dict[str, Any]:
    """The config as plain values: what a checkpoint compares to tell its run from another."""
    return OmegaConf.to_container(cfg, resolve=True, enum_to_str=True)  # type: ignore[return-value]


def clear_earlier_run(output_dir: Path) -> None:
    """Remove the files an earlier run left in ``output_dir`` (a rerun into the same directory)."""
    found = [output_dir / name for name in RUN_FILES if (output_dir / name).exists()]
    for path in found:
        path.unlink()
    if found:
        log.warning("removed an earlier run's files from %s: %s", output_dir, ", ".join(p.name for p in found))


def _count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
