"""Training: phases (Adam, then a quasi-Newton method) on a :class:`~pinnsolve.loss.PINNLoss`, with a history.

The clock (``elapsed``) counts optimisation only: it is paused while the trainer evaluates
errors and writes logs, so ``time_to_rel_l2`` measures the method, not the bookkeeping.
"""
from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from torch import Tensor, nn
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from pinnsolve.evaluation import Evaluator
from pinnsolve.loss import PINNLoss, TrainingPoints
from pinnsolve.optim import LineSearchFailed
from pinnsolve.phases import Phase

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stopping:
    """When to stop early: a rel L2 reached at an evaluation, or a training-time budget."""

    target_rel_l2: float | None = None
    time_budget_s: float | None = None


@dataclass
class TrainingResult:
    status: str  # "completed" or "diverged"
    iterations: dict[str, int]  # per phase name, in the order they ran
    train_time_s: float
    stop_reason: str
    history: list[dict[str, Any]] = field(default_factory=list)


class _Diverged(Exception):
    pass


class _Stop(Exception):
    pass


class Trainer:
    """Runs ``phases`` in order (one with 0 iterations is skipped).

    Every ``log_every`` iterations (and at iteration 0 and the last) it records the loss
    components and the rel L2 error in ``history``. A non-finite loss stops training with status
    ``diverged`` and restores the parameters of the last recorded finite state.
    ``resample(model)`` (if given) is called every ``resample_every`` iterations, in every phase,
    for fresh residual points; ``monitor`` (if given) adds columns of its own to every record
    (e.g. learned slopes).
    """

    def __init__(
        self,
        *,
        loss: PINNLoss,
        points: TrainingPoints,
        evaluator: Evaluator,
        phases: Sequence[Phase],
        log_every: int,
        stopping: Stopping = Stopping(),
        resample: Callable[[nn.Module], Tensor] | None = None,
        resample_every: int = 0,
        progress_bar: bool = True,
        monitor: Callable[[], dict[str, float]] | None = None,
    ) -> None:
        names = [phase.name for phase in phases]
        if len(set(names)) != len(names):
            raise ValueError(f"phases must have distinct names, got {names}")
        self.loss = loss
        self.points = points
        self.evaluator = evaluator
        self.phases = tuple(phases)
        self.log_every = log_every
        self.stopping = stopping
        self.resample = resample
        self.resample_every = resample_every
        self.progress_bar = progress_bar
        self.monitor = monitor

    @property
    def total_iterations(self) -> int:
        return sum(phase.iterations for phase in self.phases)

    def fit(self, model: nn.Module) -> TrainingResult:
        self._model = model
        self._history: list[dict[str, Any]] = []
        self._elapsed = 0.0
        self._iteration = 0
        self._done = {phase.name: 0 for phase in self.phases}
        self._last_good_state = copy.deepcopy(model.state_dict())
        self._bar = tqdm(total=self.total_iterations, disable=not self.progress_bar, desc="training", dynamic_ncols=True)
        status, reason = "completed", "iterations done"
        try:
            with logging_redirect_tqdm():
                self._record()
                for phase in self.phases:
                    self._run(phase)
        except _Diverged as stop:
            status, reason = "diverged", str(stop)
            model.load_state_dict(self._last_good_state)
            log.error("training diverged: %s; kept the state of the last finite record", stop)
        except _Stop as stop:
            reason = str(stop)
            log.info("stopping early: %s", stop)
        finally:
            self._bar.close()
        return TrainingResult(status, dict(self._done), self._elapsed, reason, self._history)

    def _run(self, phase: Phase) -> None:
        if phase.iterations == 0:
            return
        start = time.perf_counter()
        phase.begin(self._model, lambda: self.loss(self._model, self.points)[0])
        for _ in range(phase.iterations):
            if self.resample is not None and self.resample_every and self._iteration % self.resample_every == 0 and self._iteration > 0:
                self.points.residual = self.resample(self._model)
                phase.points_changed()
            try:
                value = phase.step()
            except LineSearchFailed as failure:
                self._elapsed += time.perf_counter() - start
                if self._history[-1]["iteration"] != self._iteration:
                    self._record()
                raise _Stop(
                    f"{phase.method} made no further progress after {self._done[phase.name]} of {phase.iterations} "
                    f"iterations ({failure})"
                ) from None
            if not math.isfinite(value):
                raise _Diverged(f"loss became {value} at {phase.method} iteration {self._done[phase.name] + 1}")
            self._done[phase.name] += 1
            now = time.perf_counter()
            self._advance(now - start, value)
            start = time.perf_counter()  # the record inside _advance is not training time

    # -- bookkeeping --------------------------------------------------------------------------

    def _advance(self, seconds: float, loss: float) -> None:
        self._iteration += 1
        self._elapsed += seconds
        self._bar.update(1)
        last = self._iteration == self.total_iterations
        budget = self.stopping.time_budget_s
        over_budget = budget is not None and self._elapsed >= budget and not last
        if last or over_budget or self._iteration % self.log_every == 0:
            self._record()
        else:
            self._bar.set_postfix(loss=f"{loss:.3e}", refresh=False)
        if over_budget:
            raise _Stop(f"time budget of {budget:g} s reached at iteration {self._iteration}")

    def _record(self) -> None:
        total, terms = self.loss(self._model, self.points)
        row: dict[str, Any] = {
            "iteration": self._iteration,
            "elapsed_s": self._elapsed,
            "loss": total.item(),
            **({"pde_loss": self.loss.pde_loss(terms).item()} if self.loss.penalties else {}),
            **{name: term.item() for name, term in terms.items()},
            "rel_l2": self.evaluator.rel_l2(self._model),
            **(self.monitor() if self.monitor is not None else {}),
        }
        self._history.append(row)
        self._bar.set_postfix(loss=f"{row['loss']:.3e}", rel_l2=f"{row['rel_l2']:.3e}")
        log.info("iteration %d  loss %.4e  rel_l2 %.4e  (%.1f s)", self._iteration, row["loss"], row["rel_l2"], self._elapsed)
        if not math.isfinite(row["loss"]):
            raise _Diverged(f"loss became {row['loss']} at iteration {self._iteration}")
        self._last_good_state = copy.deepcopy(self._model.state_dict())
        target = self.stopping.target_rel_l2
        if target is not None and row["rel_l2"] <= target:
            raise _Stop(f"rel L2 {row['rel_l2']:.3e} reached the target {target:g} at iteration {self._iteration}")
