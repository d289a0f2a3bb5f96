"""Configuration → objects. With :mod:`pinnsolve.config`, the only code that reads ``cfg``."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf
from torch import nn

from pinnsolve import activations
from pinnsolve.config import ConfigError, activation_config, problem_from_config, validate
from pinnsolve.evaluation import Evaluator
from pinnsolve.loss import Penalty, PINNLoss, TrainingPoints
from pinnsolve.network import MLP
from pinnsolve.problem import Problem, Region
from pinnsolve.samplers import SAMPLERS, CollocationSampler
from pinnsolve.trainer import AdamSettings, LBFGSSettings, Stopping, Trainer


def plain(value: Any) -> Any:
    """An enum member's value; anything else unchanged."""
    return value.value if isinstance(value, Enum) else value


def resolve_device(choice: str) -> torch.device:
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if choice == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device: 'cuda' was asked for but no CUDA device is available; use auto or cpu")
    return torch.device(choice)


def build_activation(cfg: DictConfig) -> activations.ActivationFactory:
    node = activation_config(cfg)
    return activations.fixed(plain(node.base))


def build_penalties(cfg: DictConfig, model: nn.Module) -> list[Penalty]:
    """Loss terms the activation adds on its own parameters (none for fixed activations)."""
    return []


def build_model(cfg: DictConfig, problem: Problem) -> nn.Module:
    """The network, initialised from ``cfg.seed`` alone (the global RNG is left as it was)."""
    box = problem.domain
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        return MLP(
            in_features=box.dim,
            depth=cfg.network.depth,
            width=cfg.network.width,
            activation=build_activation(cfg),
            low=box.low,
            high=box.high,
        )


@dataclass
class Assembly:
    """Everything a run needs, built from one config."""

    problem: Problem
    model: nn.Module
    evaluator: Evaluator
    trainer: Trainer


def assemble(cfg: DictConfig) -> Assembly:
    """Validate ``cfg`` and build the problem, model, training points, evaluator and trainer.

    The initial weights and every sample depend on ``cfg.seed`` alone.
    """
    validate(cfg)
    dtype = getattr(torch, plain(cfg.precision))
    device = resolve_device(plain(cfg.device))
    problem = problem_from_config(cfg)
    model = build_model(cfg, problem).to(device=device, dtype=dtype)
    try:
        loss = PINNLoss(
            problem,
            weights=dict(cfg.trainer.loss_weights),
            penalties=build_penalties(cfg, model),
            jets=plain(cfg.derivatives) == "jets",
        )
    except ValueError as error:
        raise ConfigError(f"trainer.loss_weights: {error}") from None

    s = cfg.sampler
    sampler = CollocationSampler(problem.domain, SAMPLERS[plain(s.name)](), np.random.default_rng(cfg.seed))
    draw = {Region.BOUNDARY: lambda: sampler.boundary(s.n_boundary), Region.INITIAL: lambda: sampler.initial(s.n_initial)}

    def tensor(array: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(array, dtype=dtype, device=device)

    points = TrainingPoints(
        residual=tensor(sampler.interior(s.n_residual)),
        regions={region: tensor(draw[region]()) for region in sorted(loss.regions, key=lambda r: r.value)},
    )
    evaluator = Evaluator(problem.reference(), dtype=dtype, device=device)
    t = cfg.trainer
    trainer = Trainer(
        loss=loss,
        points=points,
        evaluator=evaluator,
        adam=AdamSettings(**OmegaConf.to_container(t.adam)),
        lbfgs=LBFGSSettings(**OmegaConf.to_container(t.lbfgs)),
        log_every=t.log_every,
        stopping=Stopping(t.target_rel_l2, t.time_budget_s),
        resample=lambda: tensor(sampler.interior(s.n_residual)),
        resample_every=s.resample_every,
        progress_bar=t.progress_bar,
    )
    return Assembly(problem, model, evaluator, trainer)
