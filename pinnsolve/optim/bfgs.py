"""Dense BFGS and the self-scaled BFGS methods (Urbán, Stefanou & Pons 2024, §3).

H is the full n × n inverse-Hessian approximation. Self-scaled BFGS divides H by τ before the
BFGS update, with b = −αρ sᵀg (g the gradient the step started from, ρ = 1/yᵀs):
τ = 1/b (Oren–Luenberger) or τ = min(1, 1/b) (Al-Baali). τ = 1 is plain BFGS.

Every dense method here is an inverse Broyden-class update, scaled:
    H⁺ = (H − Hy yᵀH / yᵀHy + φ·yᵀHy·v vᵀ) / τ + ρ s sᵀ,   v = ρs − Hy / yᵀHy,
which meets the secant equation H⁺y = s for any φ and τ (vᵀy = 0). BFGS is φ = 1, and
BFGS(H/τ) is exactly this form with φ = 1 (v does not change when H is scaled).
"""
from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Callable

import torch
from torch import Tensor

from pinnsolve.optim.quasi_newton import Curvature, positive_curvature


class DenseCurvature(Curvature):
    """A dense, symmetric H that starts as the identity; subclasses choose φ and τ per step."""

    def __init__(self, n: int, *, dtype: torch.dtype, device: torch.device) -> None:
        super().__init__(n, dtype=dtype, device=device)
        self.H = torch.eye(n, dtype=dtype, device=device)

    def direction(self, gradient: Tensor) -> Tensor:
        return -(self.H @ gradient)

    def reset(self, scale: float) -> None:
        self.H = scale * torch.eye(self.n, dtype=self.dtype, device=self.device)

    def update(self, s: Tensor, y: Tensor, *, step: float, gradient: Tensor) -> bool:
        ys = positive_curvature(s, y)
        if ys is None:
            return False
        Hy = self.H @ y
        yHy = float(torch.dot(y, Hy))
        b = -step * float(torch.dot(s, gradient)) / ys
        if not (yHy > 0 and b > 0):  # H indefinite along y, or the step did not descend
            return False
        rho = 1 / ys
        coefficients = self.coefficients(rho=rho, yHy=yHy, b=b)
        if coefficients is None:
            return False
        phi, tau = coefficients
        if not (math.isfinite(phi) and math.isfinite(tau) and tau > 0):
            return False
        v = rho * s - Hy / yHy
        self.H.mul_(1 / tau)
        add_outer_(self.H, Hy, -1 / (tau * yHy))
        if phi != 0:
            add_outer_(self.H, v, phi * yHy / tau)
        add_outer_(self.H, s, rho)
        return True

    @abstractmethod
    def coefficients(self, *, rho: float, yHy: float, b: float) -> tuple[float, float] | None:
        """(φ, τ) for this step, or None to skip the update."""

    def state_dict(self) -> dict[str, object]:
        return {"H": self.H.clone()}

    def load_state_dict(self, state: dict[str, object]) -> None:
        self.H = state["H"].to(dtype=self.dtype, device=self.device)  # type: ignore[union-attr]


def add_outer_(H: Tensor, u: Tensor, coefficient: float) -> None:
    """H += coefficient·u uᵀ in place, with no n × n temporary. √|coefficient| goes into u so that
    BLAS multiplies w_i·w_j by ±1: every term, and so H, stays symmetric to the last bit and
    never needs symmetrising (a transposed pass over H costs more than the update)."""
    w = u * math.sqrt(abs(coefficient))
    H.addr_(w, w, alpha=1.0 if coefficient > 0 else -1.0)


def unscaled(b: float) -> float:
    return 1.0


def oren_luenberger(b: float) -> float:
    return 1 / b


def al_baali(b: float) -> float:
    return min(1.0, 1 / b)


class BFGS(DenseCurvature):
    """(Self-scaled) BFGS: H⁺ = BFGS(H/τ), τ = ``tau(b)``."""

    def __init__(self, n: int, *, dtype: torch.dtype, device: torch.device, tau: Callable[[float], float] = unscaled) -> None:
        super().__init__(n, dtype=dtype, device=device)
        self.tau = tau

    def coefficients(self, *, rho: float, yHy: float, b: float) -> tuple[float, float]:
        return 1.0, self.tau(b)
