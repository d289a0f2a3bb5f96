"""The quasi-Newton iteration shared by every method: direction, line search, curvature update.

A method is a :class:`Curvature`: an approximation of the inverse Hessian H that gives the
direction p = −H g and takes each step's pair (s, y). :class:`QuasiNewton` owns the iterate
and runs the loop on a flat parameter vector; the methods differ only in their update.

What happens at the edges (Urbán, Stefanou & Pons 2024 leave these to SciPy's BFGS):
- the direction does not descend (gᵀp ≥ 0, or not finite): H has lost positive definiteness
  along g. H is reset to γI (γ = sᵀy/yᵀy of the last pair, 1 before any) and the step retried.
  Factoring H every step to test definiteness would cost O(n³); this test is free.
- the line search finds no step with sufficient decrease: H is reset and the search retried
  once along the new direction; if that fails too, :class:`LineSearchFailed` is raised.
- yᵀs is not positive to within rounding (yᵀs ≤ ε‖y‖‖s‖; strong Wolfe rules this out in exact
  arithmetic), or an update comes out non-finite: the step is kept and the update skipped.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from pinnsolve.optim.linesearch import LineSearch, strong_wolfe

# f(x) -> (value, gradient); x and the gradient are flat vectors of the parameters' dtype
Objective = Callable[[Tensor], tuple[float, Tensor]]


class LineSearchFailed(RuntimeError):
    """No step along the quasi-Newton direction, nor along a reset one, decreased the objective."""


class Curvature(ABC):
    """An inverse-Hessian approximation for ``n`` parameters."""

    def __init__(self, n: int, *, dtype: torch.dtype, device: torch.device) -> None:
        self.n, self.dtype, self.device = n, dtype, device

    @abstractmethod
    def direction(self, gradient: Tensor) -> Tensor:
        """−H·g."""

    @abstractmethod
    def update(self, s: Tensor, y: Tensor, *, step: float, gradient: Tensor) -> bool:
        """Take the pair s = x⁺ − x, y = g⁺ − g of a step of length ``step`` along the direction
        from the gradient ``gradient`` (at x). Returns False where the update was skipped."""

    @abstractmethod
    def reset(self, scale: float) -> None:
        """Forget the curvature: H = scale·I."""

    @abstractmethod
    def state_dict(self) -> dict[str, object]: ...

    @abstractmethod
    def load_state_dict(self, state: dict[str, object]) -> None: ...


def positive_curvature(s: Tensor, y: Tensor) -> float | None:
    """yᵀs if it is positive beyond rounding, else None."""
    ys = float(torch.dot(y, s))
    bound = torch.finfo(s.dtype).eps * float(torch.linalg.vector_norm(y) * torch.linalg.vector_norm(s))
    return ys if math.isfinite(ys) and ys > bound else None


@dataclass
class StepInfo:
    """What one iteration did: the line-search evaluations it spent, whether H was reset,
    and whether the curvature update was applied."""

    evals: int
    reset: bool
    updated: bool


class QuasiNewton:
    """Minimises an :data:`Objective` from ``x`` with the curvature model ``curvature``.

    ``x`` is the iterate; the objective may leave whatever it evaluated last in the model, so
    the caller puts ``x`` back into the parameters after a step.

    The first trial step of each search follows from the previous decrease (Nocedal & Wright
    eq. 3.60, as SciPy's BFGS): α₀ = min(1, 2.02·(f_prev − f)/(−gᵀp)), so that a step of
    the last one's decrease is tried first; the first iteration takes ‖αp‖ ≈ 1.
    """

    def __init__(self, objective: Objective, x: Tensor, curvature: Curvature, line_search: LineSearch) -> None:
        self.objective = objective
        self.curvature = curvature
        self.line_search = line_search
        self.x = x.detach().clone()
        self._last_pair_scale = 1.0
        self.refresh()

    def refresh(self) -> None:
        """Re-evaluate f and g at x (the objective changed, e.g. fresh collocation points)."""
        self.f, self.g = self.objective(self.x)
        self.f_previous = self.f + float(torch.linalg.vector_norm(self.g)) / 2

    def reset_curvature(self) -> None:
        self.curvature.reset(self._last_pair_scale)

    def state_dict(self) -> dict[str, object]:
        """Everything the next step depends on: the iterate, f and g there, the previous f (the
        first trial step follows from it), the reset scale and the curvature."""
        return {
            "x": self.x.clone(), "f": self.f, "g": self.g.clone(), "f_previous": self.f_previous,
            "last_pair_scale": self._last_pair_scale, "curvature": self.curvature.state_dict(),
        }

    def load_state_dict(self, state: dict[str, object]) -> None:
        self.x = state["x"].to(self.x)  # type: ignore[union-attr]
        self.g = state["g"].to(self.g)  # type: ignore[union-attr]
        self.f, self.f_previous = float(state["f"]), float(state["f_previous"])  # type: ignore[arg-type]
        self._last_pair_scale = float(state["last_pair_scale"])  # type: ignore[arg-type]
        self.curvature.load_state_dict(state["curvature"])  # type: ignore[arg-type]

    def step(self) -> StepInfo:
        """One iteration; raises :class:`LineSearchFailed` if no decrease can be found."""
        for reset in (False, True):
            if reset:
                self.reset_curvature()
            p = self.curvature.direction(self.g)
            slope = float(torch.dot(self.g, p))
            if not (math.isfinite(slope) and slope < 0):
                continue  # H is not positive definite along g: retry from a reset H
            alpha0 = 1.0
            if self.f_previous > self.f:
                alpha0 = min(1.0, 2.02 * (self.f_previous - self.f) / -slope)
            x = self.x

            def phi(alpha: float) -> tuple[float, float, Tensor]:
                f, g = self.objective(x + alpha * p)
                return f, float(torch.dot(g, p)), g

            found = strong_wolfe(phi, self.f, slope, alpha0, self.line_search)
            if found is not None:
                return self._accept(p, found.trial.alpha, found.trial.f, found.trial.gradient, found.evals, reset)
        raise LineSearchFailed("the line search found no decrease, even after resetting the curvature")

    def _accept(self, p: Tensor, alpha: float, f: float, g: Tensor, evals: int, reset: bool) -> StepInfo:
        s = alpha * p
        y = g - self.g
        updated = self.curvature.update(s, y, step=alpha, gradient=self.g)
        ys = positive_curvature(s, y)
        if ys is not None:
            self._last_pair_scale = ys / float(torch.dot(y, y))
        self.x = self.x + s
        self.f_previous, self.f, self.g = self.f, f, g
        return StepInfo(evals, reset, updated)
