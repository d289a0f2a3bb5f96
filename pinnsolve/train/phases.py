"""Training phases: a first-order phase (Adam), then a quasi-Newton phase.

A phase knows how to take one iteration on a loss; the :class:`~pinnsolve.train.trainer.Trainer`
runs the phases in order and does the bookkeeping (records, stopping, resampling, divergence).
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

import torch
from torch import Tensor, nn

from pinnsolve import optim

LossFunction = Callable[[], Tensor]  # the total loss at the model's current parameters and points


class Phase(ABC):
    """One optimiser run for ``iterations`` steps; ``name`` keys its iteration count in the metrics."""

    name: str
    method: str
    iterations: int

    @abstractmethod
    def begin(self, model: nn.Module, loss: LossFunction) -> None: ...

    @abstractmethod
    def step(self) -> float:
        """One iteration; returns the loss it saw (NaN or inf if it diverged)."""

    def points_changed(self) -> None:
        """The collocation points were redrawn: the loss is a new function."""

    @abstractmethod
    def state_dict(self) -> dict[str, object]:
        """After :meth:`begin`: what the next step depends on besides the model (for a checkpoint)."""

    @abstractmethod
    def load_state_dict(self, state: dict[str, object]) -> None:
        """After :meth:`begin`: continue from a :meth:`state_dict`, the model already restored."""


@dataclass(frozen=True)
class AdamSettings:
    """Adam for ``iterations`` steps; the rate is multiplied by ``decay_rate`` every ``decay_steps``;
    ``weight_decay`` is torch's L2 penalty on every parameter."""

    iterations: int
    lr: float
    decay_rate: float
    decay_steps: int
    weight_decay: float = 0.0


def _adam(params: list[nn.Parameter], **settings: float) -> torch.optim.Adam:
    """torch's fused Adam (one kernel for every parameter: about 0.5 ms less per step than the
    per-tensor loop on a small PINN) where this torch and device have it, else the same algorithm unfused."""
    try:
        return torch.optim.Adam(params, fused=True, **settings)
    except RuntimeError:  # torch < 2.4 on CPU, or a device without the fused kernel
        return torch.optim.Adam(params, **settings)


class AdamPhase(Phase):
    name = method = "adam"

    def __init__(self, settings: AdamSettings) -> None:
        self.settings = settings
        self.iterations = settings.iterations

    def begin(self, model: nn.Module, loss: LossFunction) -> None:
        s = self.settings
        self.loss = loss
        self.optimizer = _adam(list(model.parameters()), lr=s.lr, weight_decay=s.weight_decay)
        self.scheduler = torch.optim.lr_scheduler.StepLR(self.optimizer, step_size=s.decay_steps, gamma=s.decay_rate)

    def step(self) -> float:
        self.optimizer.zero_grad(set_to_none=True)
        total = self.loss()
        value = total.item()
        if math.isfinite(value):
            total.backward()
            self.optimizer.step()
            self.scheduler.step()
        return value

    def state_dict(self) -> dict[str, object]:
        return {"optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict()}

    def load_state_dict(self, state: dict[str, object]) -> None:
        self.optimizer.load_state_dict(state["optimizer"])  # type: ignore[arg-type]
        self.scheduler.load_state_dict(state["scheduler"])  # type: ignore[arg-type]


class LossTransform(Enum):
    """What the quasi-Newton phase minimises: the loss L, √L or log L (same minimisers; the
    transforms flatten the landscape's scale as L falls by orders of magnitude)."""

    none = "none"
    sqrt = "sqrt"
    log = "log"

    def forward(self, loss: Tensor) -> Tensor:
        return {"none": lambda v: v, "sqrt": torch.sqrt, "log": torch.log}[self.value](loss)

    def inverse(self, value: float) -> float:
        return {"none": lambda v: v, "sqrt": lambda v: v * v, "log": math.exp}[self.value](value)


@dataclass(frozen=True)
class QuasiNewtonSettings:
    """``method`` (a key of :data:`pinnsolve.optim.METHODS`) for ``iterations`` steps on the
    transformed loss; ``history_size`` is L-BFGS's; ``reset_on_resample`` forgets the curvature
    when the points are redrawn (default: carried over)."""

    method: str
    iterations: int
    history_size: int
    loss_transform: LossTransform
    reset_on_resample: bool
    line_search: optim.LineSearch


def _flat(tensors: Sequence[Tensor]) -> Tensor:
    return torch.cat([t.reshape(-1) for t in tensors])


class QuasiNewtonPhase(Phase):
    name = "quasi_newton"

    def __init__(self, settings: QuasiNewtonSettings) -> None:
        self.settings = settings
        self.method = settings.method
        self.iterations = settings.iterations

    def begin(self, model: nn.Module, loss: LossFunction) -> None:
        s = self.settings
        self.loss = loss
        self.params = [p for p in model.parameters() if p.requires_grad]
        x = _flat([p.detach() for p in self.params])
        curvature = optim.curvature(s.method, x.numel(), dtype=x.dtype, device=x.device, history_size=s.history_size)
        self.driver = optim.QuasiNewton(self._objective, x, curvature, s.line_search)

    def _place(self, x: Tensor) -> None:
        offset = 0
        with torch.no_grad():
            for p in self.params:
                p.copy_(x[offset : offset + p.numel()].view_as(p))
                offset += p.numel()

    def _objective(self, x: Tensor) -> tuple[float, Tensor]:
        self._place(x)
        value = self.settings.loss_transform.forward(self.loss())
        if not torch.isfinite(value):
            return math.inf, torch.full_like(x, math.nan)
        gradients = torch.autograd.grad(value, self.params, allow_unused=True, materialize_grads=True)
        return value.item(), _flat(gradients)

    def step(self) -> float:
        try:
            self.driver.step()
        finally:
            self._place(self.driver.x)
        return self.settings.loss_transform.inverse(self.driver.f)

    def points_changed(self) -> None:
        self.driver.refresh()
        if self.settings.reset_on_resample:
            self.driver.reset_curvature()

    def state_dict(self) -> dict[str, object]:
        return self.driver.state_dict()

    def load_state_dict(self, state: dict[str, object]) -> None:
        self.driver.load_state_dict(state)
        self._place(self.driver.x)
