"""Self-scaled Broyden methods, SSBroyden1 and SSBroyden2 (Urbán, Stefanou & Pons 2024, §3).

The scaled Broyden-class update of :mod:`pinnsolve.optim.bfgs` with φ = (1 − θ) / (1 + aθ),
where ρ = 1/yᵀs, h = ρ yᵀHy, b = −αρ sᵀg, a = bh − 1 (≥ 0 for positive-definite H). With
ρ⁻ = min(1, h(1 − √(a/(1+a)))) and θ⁻ = (ρ⁻ − 1)/a, θ is chosen as
    SSBroyden1: θ⁺ = max(1, b(1 + √(a/(1+a)))), θ_SR1 = 1/(1 − b);
                θ = θ⁻ if b = 1, max(θ⁻, θ_SR1) if b > 1, min(θ⁺, θ_SR1) if b < 1;
    SSBroyden2: θ⁺ = 1/ρ⁻;  θ = max(θ⁻, min(θ⁺, (1 − b)/b));
and τ, with σ = 1 + θa, σₙ = |σ|^(1/(1−n)), ρ_k = min(1, 1/b):
    τ = min(ρ_k σₙ, σ) if θ ≤ 0, else ρ_k · min(σₙ, 1/θ).
When a = 0 (Hy parallel to s) every Broyden update coincides (v = 0) and θ⁻ = 0 is taken.
θ ≥ θ⁻ > −1/a keeps 1 + aθ > 0, so H⁺ stays positive definite.
"""
from __future__ import annotations

import math

import torch

from pinnsolve.optim.bfgs import DenseCurvature


def theta_ssbroyden1(a: float, b: float, rho_minus: float, theta_minus: float) -> float:
    root = math.sqrt(a / (1 + a))
    theta_plus = max(1.0, b * (1 + root))
    if b == 1:
        return theta_minus
    theta_sr1 = 1 / (1 - b)
    return max(theta_minus, theta_sr1) if b > 1 else min(theta_plus, theta_sr1)


def theta_ssbroyden2(a: float, b: float, rho_minus: float, theta_minus: float) -> float:
    return max(theta_minus, min(1 / rho_minus, (1 - b) / b))


THETA_RULES = {1: theta_ssbroyden1, 2: theta_ssbroyden2}


class SSBroyden(DenseCurvature):
    """SSBroyden with the θ rule ``variant`` (1 or 2)."""

    def __init__(self, n: int, *, dtype: torch.dtype, device: torch.device, variant: int) -> None:
        super().__init__(n, dtype=dtype, device=device)
        self.theta_rule = THETA_RULES[variant]

    def coefficients(self, *, rho: float, yHy: float, b: float) -> tuple[float, float] | None:
        h = rho * yHy
        a = max(b * h - 1, 0.0)  # ≥ 0 by Cauchy–Schwarz; rounding can dip below
        rho_minus = min(1.0, h * (1 - math.sqrt(a / (1 + a))))
        theta_minus = (rho_minus - 1) / a if a > 1e-12 else 0.0
        theta = self.theta_rule(a, b, rho_minus, theta_minus)
        sigma = 1 + theta * a
        if not (math.isfinite(theta) and sigma > 0):
            return None
        sigma_n = sigma ** (1 / (1 - self.n)) if self.n > 1 else 1.0
        rho_k = min(1.0, 1 / b)
        tau = min(rho_k * sigma_n, sigma) if theta <= 0 else rho_k * min(sigma_n, 1 / theta)
        return (1 - theta) / sigma, tau
