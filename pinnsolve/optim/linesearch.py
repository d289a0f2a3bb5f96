"""A line search satisfying the strong Wolfe conditions (Nocedal & Wright, Algorithms 3.5 and 3.6).

Along a direction p from x, with φ(α) = f(x + αp), it looks for α with
    φ(α) ≤ φ(0) + c1·α·φ′(0)      (sufficient decrease)
    |φ′(α)| ≤ c2·|φ′(0)|          (curvature)
by extrapolation until the minimum is bracketed, then zoom with safeguarded cubic
interpolation. A non-finite φ(α) counts as "too far" and shrinks the step.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from torch import Tensor


@dataclass(frozen=True)
class LineSearch:
    """Wolfe constants and the most function-and-gradient evaluations one search may spend."""

    c1: float = 1e-4
    c2: float = 0.9
    max_evals: int = 25

    def __post_init__(self) -> None:
        if not 0 < self.c1 < self.c2 < 1:
            raise ValueError(f"line search needs 0 < c1 < c2 < 1, got c1={self.c1}, c2={self.c2}")
        if self.max_evals < 1:
            raise ValueError(f"line search needs max_evals ≥ 1, got {self.max_evals}")


@dataclass
class Trial:
    """φ and φ′ at step ``alpha``, and the full gradient there (to be reused by the caller)."""

    alpha: float
    f: float
    slope: float
    gradient: Tensor | None


@dataclass
class SearchResult:
    """The accepted trial; ``wolfe`` is False when only sufficient decrease was reached
    (the evaluations ran out while zooming), ``evals`` counts evaluations spent."""

    trial: Trial
    wolfe: bool
    evals: int


# φ(α) -> (φ(α), φ′(α), ∇f(x + αp))
Phi = Callable[[float], tuple[float, float, Tensor]]


def _cubic_minimiser(a: Trial, b: Trial, low: float, high: float) -> float:
    """Minimiser of the cubic through (α, φ, φ′) at ``a`` and ``b``, clipped to [low, high];
    the midpoint where the cubic has none."""
    d1 = a.slope + b.slope - 3 * (a.f - b.f) / (a.alpha - b.alpha)
    square = d1 * d1 - a.slope * b.slope
    if square >= 0:
        d2 = math.copysign(math.sqrt(square), b.alpha - a.alpha)
        denominator = b.slope - a.slope + 2 * d2
        if denominator != 0:
            alpha = b.alpha - (b.alpha - a.alpha) * (b.slope + d2 - d1) / denominator
            if math.isfinite(alpha):
                return min(max(alpha, low), high)
    return (low + high) / 2


def strong_wolfe(phi: Phi, f0: float, slope0: float, alpha: float, settings: LineSearch) -> SearchResult | None:
    """Search from step ``alpha`` (> 0) along a descent direction (``slope0`` = φ′(0) < 0).

    Returns None when no step with sufficient decrease was found within ``settings.max_evals``.
    """
    if not slope0 < 0:
        raise ValueError(f"the direction must descend (φ′(0) < 0), got {slope0}")
    c1, c2 = settings.c1, settings.c2
    origin = Trial(0.0, f0, slope0, None)
    evals = 0

    def trial(step: float) -> Trial:
        nonlocal evals
        evals += 1
        f, slope, gradient = phi(step)
        return Trial(step, f, slope, gradient)

    def armijo(t: Trial) -> bool:
        return math.isfinite(t.f) and t.f <= f0 + c1 * t.alpha * slope0

    def curvature(t: Trial) -> bool:
        return abs(t.slope) <= -c2 * slope0

    def zoom(lo: Trial, hi: Trial) -> SearchResult | None:
        """``lo`` has sufficient decrease and the least φ so far; a Wolfe point lies between lo and hi."""
        while evals < settings.max_evals:
            width = hi.alpha - lo.alpha
            low, high = sorted((lo.alpha, hi.alpha))
            if abs(width) <= 1e-16 * max(1.0, abs(lo.alpha)):
                break
            if math.isfinite(hi.f) and math.isfinite(hi.slope):
                step = _cubic_minimiser(lo, hi, low, high)
                # keep clear of the interval's ends, where interpolation stalls
                margin = 0.1 * (high - low)
                if not low + margin <= step <= high - margin:
                    step = (lo.alpha + hi.alpha) / 2
            else:
                step = (lo.alpha + hi.alpha) / 2
            t = trial(step)
            if not armijo(t) or t.f >= lo.f:
                hi = t
            else:
                if curvature(t):
                    return SearchResult(t, True, evals)
                if t.slope * (hi.alpha - lo.alpha) >= 0:
                    hi = lo
                lo = t
        return SearchResult(lo, False, evals) if lo.alpha > 0 else None

    previous = origin
    while evals < settings.max_evals:
        t = trial(alpha)
        if not armijo(t) or (previous.alpha > 0 and t.f >= previous.f):
            return zoom(previous, t)
        if curvature(t):
            return SearchResult(t, True, evals)
        if t.slope >= 0:
            return zoom(t, previous)
        # still descending steeply: extrapolate, at least 10 % further and at most 10 times as far
        low, high = alpha + 0.1 * (alpha - previous.alpha), 10 * alpha
        previous, alpha = t, _cubic_minimiser(previous, t, low, high)
    return SearchResult(previous, False, evals) if previous.alpha > 0 else None
