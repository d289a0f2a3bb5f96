"""One run: config → assemble → train → evaluate → report."""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf

from pinnsolve import activations, report
from pinnsolve.assemble import assemble, plain
from pinnsolve.config import activation_config

log = logging.getLogger(__name__)


def run(cfg: DictConfig, output_dir: Path) -> dict[str, Any]:
    """Train as ``cfg`` says and write the run's files into ``output_dir``; returns the metrics.

    ``metrics.json`` is written last, so a directory that holds it holds a finished run.
    Raises :class:`~pinnsolve.config.ConfigError` before writing anything if ``cfg`` is invalid.
    """
    start = time.perf_counter()
    parts = assemble(cfg)
    problem, model, evaluator = parts.problem, parts.model, parts.evaluator
    log.info("problem %s, variables %s, %d parameters", cfg.problem.name, problem.variables, _count(model))
    result = parts.trainer.fit(model)

    output_dir.mkdir(parents=True, exist_ok=True)
    errors = evaluator.errors(model)
    u_pred = evaluator.predict(model).cpu().double().numpy()
    reference = evaluator.reference
    np.savez(output_dir / "prediction.npz", inputs=reference.inputs, u_pred=u_pred, u_ref=reference.u)
    torch.save(model.state_dict(), output_dir / "model.pt")
    report.write_history(output_dir / "history.csv", result.history)

    components = list(parts.trainer.loss.components)
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
        **({"pde_loss": final.get("pde_loss")} if parts.trainer.loss.penalties else {}),
        "loss_components": {name: final.get(name) for name in components},
        **{f"iterations_{name}": count for name, count in result.iterations.items()},
        "methods": {phase.name: phase.method for phase in parts.trainer.phases},
        "train_time_s": result.train_time_s,
        "wall_time_s": time.perf_counter() - start,
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


def _count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
