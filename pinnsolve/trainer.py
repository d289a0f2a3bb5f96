"""Training: Adam, then L-BFGS, on a :class:`~pinnsolve.loss.PINNLoss`, with a history.

The clock (``elapsed``) counts optimisation only: it is paused while the trainer evaluates
errors and writes logs, so ``time_to_rel_l2`` measures the method, not the bookkeeping.
"""
from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from pinnsolve.evaluation import Evaluator
from pinnsolve.loss import PINNLoss, TrainingPoints

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdamSettings:
    """Adam for ``iterations`` steps; the rate is multiplied by ``decay_rate`` every ``decay_steps``;
    ``weight_decay`` is torch's L2 penalty on every parameter."""

    iterations: int
    lr: float
    decay_rate: float
    decay_steps: int
    weight_decay: float = 0.0


@dataclass(frozen=True)
class LBFGSSettings:
    """torch's L-BFGS with a strong-Wolfe line search; see :meth:`Trainer._run_lbfgs` for ``rescale_factor``."""

    iterations: int
    lr: float
    history_size: int
    max_evals_per_iteration: int
    tolerance_grad: float
    tolerance_change: float
    rescale_factor: float


@dataclass(frozen=True)
class Stopping:
    """When to stop early: a rel L2 reached at an evaluation, or a training-time budget."""

    target_rel_l2: float | None = None
    time_budget_s: float | None = None


@dataclass
class TrainingResult:
    status: str  # "completed" or "diverged"
    iterations_adam: int
    iterations_lbfgs: int
    train_time_s: float
    stop_reason: str
    history: list[dict[str, Any]] = field(default_factory=list)


class _Diverged(Exception):
    pass


class _Stop(Exception):
    pass


class Trainer:
    """Runs Adam for ``adam.iterations`` then L-BFGS for ``lbfgs.iterations`` (0 skips either).

    Every ``log_every`` iterations (and at iteration 0 and the last) it records the loss
    components and the rel L2 error in ``history``. A non-finite loss stops training with status
    ``diverged`` and restores the parameters of the last recorded finite state.
    ``resample`` (if given) is called every ``resample_every`` Adam iterations for fresh residual points;
    ``monitor`` (if given) adds columns of its own to every record (e.g. learned slopes).
    """

    def __init__(
        self,
        *,
        loss: PINNLoss,
        points: TrainingPoints,
        evaluator: Evaluator,
        adam: AdamSettings,
        lbfgs: LBFGSSettings,
        log_every: int,
        stopping: Stopping = Stopping(),
        resample: Callable[[], Tensor] | None = None,
        resample_every: int = 0,
        progress_bar: bool = True,
        monitor: Callable[[], dict[str, float]] | None = None,
    ) -> None:
        self.loss = loss
        self.points = points
        self.evaluator = evaluator
        self.adam = adam
        self.lbfgs = lbfgs
        self.log_every = log_every
        self.stopping = stopping
        self.resample = resample
        self.resample_every = resample_every
        self.progress_bar = progress_bar
        self.monitor = monitor

    def fit(self, model: nn.Module) -> TrainingResult:
        self._model = model
        self._history: list[dict[str, Any]] = []
        self._elapsed = 0.0
        self._iteration = 0
        self._last_good_state = copy.deepcopy(model.state_dict())
        total = self.adam.iterations + self.lbfgs.iterations
        self._bar = tqdm(total=total, disable=not self.progress_bar, desc="training", dynamic_ncols=True)
        status, reason = "completed", "iterations done"
        try:
            with logging_redirect_tqdm():
                self._record()
                self._run_adam()
                self._run_lbfgs()
        except _Diverged as stop:
            status, reason = "diverged", str(stop)
            model.load_state_dict(self._last_good_state)
            log.error("training diverged: %s; kept the state of the last finite record", stop)
        except _Stop as stop:
            reason = str(stop)
            log.info("stopping early: %s", stop)
        finally:
            self._bar.close()
        adam_done = min(self._iteration, self.adam.iterations)
        lbfgs_done = self._iteration - adam_done
        return TrainingResult(status, adam_done, lbfgs_done, self._elapsed, reason, self._history)

    # -- phases ------------------------------------------------------------------------------

    def _run_adam(self) -> None:
        if self.adam.iterations == 0:
            return
        optimizer = torch.optim.Adam(self._model.parameters(), lr=self.adam.lr, weight_decay=self.adam.weight_decay)
        scheduler = torch.optim.lr_scheduler.StepLR(
            optimizer, step_size=self.adam.decay_steps, gamma=self.adam.decay_rate
        )
        for step in range(1, self.adam.iterations + 1):
            start = time.perf_counter()
            if self.resample is not None and self.resample_every and step > 1 and (step - 1) % self.resample_every == 0:
                self.points.residual = self.resample()
            optimizer.zero_grad(set_to_none=True)
            total, _ = self.loss(self._model, self.points)
            value = total.item()
            if not math.isfinite(value):
                raise _Diverged(f"loss became {value} at Adam iteration {step}")
            total.backward()
            optimizer.step()
            scheduler.step()
            self._advance(1, time.perf_counter() - start, value)

    def _run_lbfgs(self) -> None:
        """L-BFGS on the loss divided by ``scale``, chunked so that records fall on ``log_every``.

        torch's L-BFGS keeps a curvature pair only if yᵀs > 1e-10, an absolute threshold: on
        PINN losses of 1e-7 and below it drops every pair and crawls like gradient descent.
        Dividing the loss by its value at the start (and again, with a fresh optimiser, each time
        it has fallen by ``rescale_factor``) keeps yᵀs well above it without changing the minimiser.
        """
        if self.lbfgs.iterations == 0:
            return
        s = self.lbfgs
        params = [p for p in self._model.parameters() if p.requires_grad]

        def new_optimizer() -> torch.optim.LBFGS:
            return torch.optim.LBFGS(
                params,
                lr=s.lr,
                history_size=s.history_size,
                line_search_fn="strong_wolfe",
                tolerance_grad=s.tolerance_grad,
                tolerance_change=s.tolerance_change,
            )

        def closure() -> Tensor:
            optimizer.zero_grad(set_to_none=True)
            total, _ = self.loss(self._model, self.points)
            scaled = total / scale
            scaled.backward()
            return scaled

        scale = self._history[-1]["loss"]  # the latest record: any loss of this magnitude serves
        optimizer = new_optimizer()
        done = 0
        while done < s.iterations:
            # run up to the next logging step in one call, so L-BFGS keeps its own loop
            chunk = min(self.log_every - self._iteration % self.log_every, s.iterations - done)
            group = optimizer.param_groups[0]
            group["max_iter"], group["max_eval"] = chunk, chunk * s.max_evals_per_iteration
            before = [p.detach().clone() for p in params]
            count_before = optimizer.state[params[0]].get("n_iter", 0)
            start = time.perf_counter()
            optimizer.step(closure)
            seconds = time.perf_counter() - start
            advanced = optimizer.state[params[0]]["n_iter"] - count_before
            if not all(torch.isfinite(p).all() for p in params):
                raise _Diverged(f"parameters became non-finite in L-BFGS after iteration {self._iteration}")
            moved = any(not torch.equal(a, b.detach()) for a, b in zip(before, params))
            advanced = min(advanced, s.iterations - done)
            done += advanced
            # every chunk ends on a record, which evaluates the loss at the accepted parameters
            self._advance(advanced, seconds, force_record=True)
            if not moved:
                raise _Stop(
                    f"L-BFGS made no further progress after {done} of {s.iterations} iterations "
                    "(no descent direction or the line search failed)"
                )
            if self._history[-1]["loss"] < scale / s.rescale_factor:
                scale = self._history[-1]["loss"]
                optimizer = new_optimizer()

    # -- bookkeeping --------------------------------------------------------------------------

    def _advance(self, iterations: int, seconds: float, loss: float | None = None, *, force_record: bool = False) -> None:
        self._iteration += iterations
        self._elapsed += seconds
        self._bar.update(iterations)
        last = self._iteration == self.adam.iterations + self.lbfgs.iterations
        budget = self.stopping.time_budget_s
        over_budget = budget is not None and self._elapsed >= budget and not last
        if force_record or last or over_budget or self._iteration % self.log_every == 0:
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
