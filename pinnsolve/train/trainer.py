"""Training: phases (Adam, then a quasi-Newton method) on a :class:`~pinnsolve.train.loss.PINNLoss`, with a history.

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

from pinnsolve.report.evaluation import Evaluator
from pinnsolve.train.loss import PINNLoss, TrainingPoints
from pinnsolve.optim import LineSearchFailed
from pinnsolve.train.phases import Phase

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stopping:
    """When to stop early: a rel L2 reached at an evaluation, a training-time budget; and when a run
    has diverged: a non-finite loss, or a loss above ``divergence_factor`` × the initial loss."""

    target_rel_l2: float | None = None
    time_budget_s: float | None = None
    divergence_factor: float | None = None


@dataclass
class TrainingResult:
    status: str  # "completed", "diverged" or "interrupted"
    iterations: dict[str, int]  # per phase name, in the order they ran
    train_time_s: float
    stop_reason: str
    history: list[dict[str, Any]] = field(default_factory=list)


class _Diverged(Exception):
    pass


class _Stop(Exception):
    pass


class _Interrupted(Exception):
    pass


class Trainer:
    """Runs ``phases`` in order (one with 0 iterations is skipped).

    Every ``log_every`` iterations (and at iteration 0 and the last) it records the loss
    components and the rel L2 error in ``history``. A diverging loss (see :class:`Stopping`)
    stops training with status ``diverged`` and restores the parameters of the last recorded
    finite state. ``resample(model)`` (if given) is called every ``resample_every`` iterations, in
    every phase, for fresh residual points; ``monitor`` (if given) adds columns of its own to
    every record (e.g. learned slopes).

    ``fit``'s ``checkpoint()`` (if given) is called every ``checkpoint_every`` iterations (0: never
    in a phase), at the end of each phase and when training ends; it reads :meth:`state_dict`, from
    which ``fit(model, state)`` continues exactly where that left off. ``interrupted()`` (if
    given) is asked after every iteration; when it returns a reason, training stops with status
    ``interrupted``.
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
        checkpoint_every: int = 0,
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
        self.checkpoint_every = checkpoint_every

    @property
    def total_iterations(self) -> int:
        return sum(phase.iterations for phase in self.phases)

    def fit(
        self,
        model: nn.Module,
        state: dict[str, Any] | None = None,
        *,
        checkpoint: Callable[[], None] | None = None,
        interrupted: Callable[[], str | None] | None = None,
        on_record: Callable[[dict[str, Any]], None] | None = None,
    ) -> TrainingResult:
        """Train ``model``, from the start or from a :meth:`state_dict` (the model's parameters
        are taken from it too); a state saved after training ended returns its result at once.
        ``on_record(row)`` (if given) is called with each history row as it is recorded."""
        self._model = model
        self._checkpoint, self._interrupted, self._on_record = checkpoint, interrupted, on_record
        self._history: list[dict[str, Any]] = []
        self._elapsed = 0.0
        self._iteration = 0
        self._done = {phase.name: 0 for phase in self.phases}
        self._phase_index = 0  # the phase in progress, or the next one
        self._in_phase = False  # whether that phase has begun, so that its optimiser has a state
        self._phase_state: dict[str, Any] | None = None  # a loaded state for it to continue from
        self._result: TrainingResult | None = None
        self._interrupt_row = False  # whether the history's last row was taken only because of an interrupt
        self._last_good_state = copy.deepcopy(model.state_dict())
        if state is not None:
            self._load(state)
            if self._result is not None:
                return self._result
        # disable=None: tqdm draws on a terminal only; piped into a file or a SLURM log, its redraws are noise
        self._bar = tqdm(total=self.total_iterations, initial=self._iteration, disable=None if self.progress_bar else True,
                         desc="training", dynamic_ncols=True)
        status, reason = "completed", "iterations done"
        try:
            with logging_redirect_tqdm():
                if state is None:
                    self._record()
                while self._phase_index < len(self.phases):
                    self._run(self.phases[self._phase_index])
                    self._phase_index, self._in_phase = self._phase_index + 1, False
                    self._save()
        except _Diverged as stop:
            status, reason = "diverged", str(stop)
            model.load_state_dict(self._last_good_state)
            log.error("training diverged: %s; kept the state of the last finite record", stop)
        except _Stop as stop:
            reason = str(stop)
            log.info("stopping early: %s", stop)
        except _Interrupted as stop:
            status, reason = "interrupted", str(stop)
            log.warning("training interrupted: %s", stop)
        finally:
            self._bar.close()
        result = TrainingResult(status, dict(self._done), self._elapsed, reason, self._history)
        if status != "interrupted":  # an interrupted run's checkpoint continues its phase
            self._result, self._in_phase = result, False
        self._save()
        return result

    def state_dict(self) -> dict[str, Any]:
        """During or after :meth:`fit`: the model, the points, the phase in progress and its
        optimiser's state, the counters, the clock and the history; the result once training ended."""
        return {
            "model": self._model.state_dict(),
            "last_good_state": self._last_good_state,
            "points": {"residual": self.points.residual, "regions": {r.value: t for r, t in self.points.regions.items()}},
            "phase": self._phase_index,
            "phase_state": self.phases[self._phase_index].state_dict() if self._in_phase else None,
            "iteration": self._iteration,
            "done": dict(self._done),
            "elapsed": self._elapsed,
            "history": self._history[:-1] if self._interrupt_row else self._history,
            "result": None if self._result is None else {k: v for k, v in vars(self._result).items() if k != "history"},
        }

    def _load(self, state: dict[str, Any]) -> None:
        if list(state["done"]) != list(self._done):
            raise ValueError(f"the state is of phases {list(state['done'])}, this trainer's are {list(self._done)}")
        self._model.load_state_dict(state["model"])
        self._last_good_state = state["last_good_state"]
        self.points.residual = state["points"]["residual"].to(self.points.residual)
        self.points.regions = {r: state["points"]["regions"][r.value].to(t) for r, t in self.points.regions.items()}
        self._phase_index, self._phase_state = state["phase"], state["phase_state"]
        self._iteration, self._done, self._elapsed = state["iteration"], dict(state["done"]), state["elapsed"]
        self._history = list(state["history"])
        if state["result"] is not None:
            self._result = TrainingResult(**state["result"], history=self._history)

    def _save(self) -> None:
        if self._checkpoint is not None:
            self._checkpoint()

    def _run(self, phase: Phase) -> None:
        if phase.iterations == 0:
            return
        start = time.perf_counter()
        phase.begin(self._model, lambda: self.loss(self._model, self.points)[0])
        if self._phase_state is not None:
            phase.load_state_dict(self._phase_state)
            self._phase_state = None
        self._in_phase = True
        for _ in range(self._done[phase.name], phase.iterations):
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
            self._check_divergence(value, f"{phase.method} iteration {self._done[phase.name] + 1}")
            self._done[phase.name] += 1
            now = time.perf_counter()
            self._advance(now - start, value)
            start = time.perf_counter()  # the record inside _advance is not training time

    # -- bookkeeping --------------------------------------------------------------------------

    def _check_divergence(self, loss: float, where: str) -> None:
        if not math.isfinite(loss):
            raise _Diverged(f"loss became {loss} at {where}")
        factor = self.stopping.divergence_factor
        initial = self._history[0]["loss"] if self._history else 0.0
        if factor is not None and initial > 0 and loss > factor * initial:
            raise _Diverged(
                f"loss grew to {loss:.3e} at {where}, more than {factor:g} × the initial {initial:.3e} (trainer.divergence_factor)"
            )

    def _advance(self, seconds: float, loss: float) -> None:
        self._iteration += 1
        self._elapsed += seconds
        self._bar.update(1)
        last = self._iteration == self.total_iterations
        budget = self.stopping.time_budget_s
        over_budget = budget is not None and self._elapsed >= budget and not last
        reason = self._interrupted() if self._interrupted is not None and not last else None
        if last or over_budget or self._iteration % self.log_every == 0:
            self._record()
        elif reason:
            # the state it stopped in, for this run's outputs; a checkpoint leaves it out, so that
            # the resumed run records what an uninterrupted one would
            self._history.append(self._row())
            self._interrupt_row = True
        else:
            self._bar.set_postfix(loss=f"{loss:.3e}", refresh=False)
        if over_budget:
            raise _Stop(f"time budget of {budget:g} s reached at iteration {self._iteration}")
        if reason:
            raise _Interrupted(f"{reason} at iteration {self._iteration}")
        if self.checkpoint_every and self._iteration % self.checkpoint_every == 0:
            self._save()

    def _record(self) -> None:
        row = self._row()
        self._history.append(row)
        if self._on_record is not None:
            self._on_record(row)
        self._check_divergence(row["loss"], f"iteration {self._iteration}")
        self._last_good_state = copy.deepcopy(self._model.state_dict())
        target = self.stopping.target_rel_l2
        if target is not None and row["rel_l2"] <= target:
            raise _Stop(f"rel L2 {row['rel_l2']:.3e} reached the target {target:g} at iteration {self._iteration}")

    def _row(self) -> dict[str, Any]:
        total, terms = self.loss(self._model, self.points)
        row: dict[str, Any] = {
            "iteration": self._iteration,
            "elapsed_s": self._elapsed,
            "loss": total.item(),
            **({"pde_loss": self.loss.pde_loss(terms).item()} if self.loss.penalised else {}),
            **{name: term.item() for name, term in terms.items()},
            "rel_l2": self.evaluator.rel_l2(self._model),
            **(self.monitor() if self.monitor is not None else {}),
        }
        self._bar.set_postfix(loss=f"{row['loss']:.3e}", rel_l2=f"{row['rel_l2']:.3e}")
        log.info("iteration %d  loss %.4e  rel_l2 %.4e  (%.1f s)", self._iteration, row["loss"], row["rel_l2"], self._elapsed)
        return row
