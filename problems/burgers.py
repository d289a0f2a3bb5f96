"""Viscous Burgers' equation u_t + λ u u_x = ν u_xx (λ = 1 unless identified) on [−1,1] × [0, t_max].

u(x, 0) = −sin(πx), u(±1, t) = 0 (Raissi, Perdikaris & Karniadakis 2019). The reference is the
Hopf–Cole solution, computed here by quadrature.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
from torch import Tensor

from pinnsolve.derivatives import Field
from pinnsolve.geometry import Box
from pinnsolve.problem import Condition, Problem, Reference, Region, dirichlet, require

_GAUSS_NODES, _GAUSS_WEIGHTS = np.polynomial.legendre.leggauss(16)


def hopf_cole(x: np.ndarray, t: np.ndarray, nu: float, panels: int, convection: float = 1.0) -> np.ndarray:
    """Hopf–Cole solution of u_t + λ u u_x = ν u_xx, u(x, 0) = −sin(πx), at points ``(x, t)``
    (equal shapes), by composite Gauss–Legendre quadrature.

    v = λu solves λ = 1's equation from v(x, 0) = −λ sin(πx), so with c = √(4νt) and A = λ/(2πν),
    u(x, t) = −∫ sin(π(x − cz)) w(z) dz / ∫ w(z) dz,   w(z) = exp(−z² − A cos(π(x − cz))).
    ``panels`` 16-point panels cover z ∈ [−L, L], where L² = 2A + 60 puts every neglected w below
    e⁻⁶⁰ of its largest value (the cosine term moves log w by at most 2|A|).
    """
    x, t = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(t, dtype=np.float64))
    a = convection / (2.0 * math.pi * nu)
    half_width = math.sqrt(2.0 * abs(a) + 60.0)
    edges = np.linspace(-half_width, half_width, panels + 1)
    centres, halves = (edges[1:] + edges[:-1]) / 2, (edges[1:] - edges[:-1]) / 2
    z = (centres[:, None] + halves[:, None] * _GAUSS_NODES).ravel()
    weights = (halves[:, None] * _GAUSS_WEIGHTS).ravel()

    flat_x, flat_t = x.ravel(), t.ravel()
    u = np.empty_like(flat_x)
    chunk = max(1, 2**22 // z.size)  # bounds the (points × nodes) work arrays to ~32 MB each
    for start in range(0, flat_x.size, chunk):
        xs = flat_x[start : start + chunk, None]
        shifted = math.pi * (xs - np.sqrt(4.0 * nu * flat_t[start : start + chunk, None]) * z)
        log_w = -(z**2) - a * np.cos(shifted)
        w = weights * np.exp(log_w - log_w.max(axis=1, keepdims=True))
        u[start : start + chunk] = -(w * np.sin(shifted)).sum(axis=1) / w.sum(axis=1)
    return u.reshape(x.shape)


def hopf_cole_converged(x: np.ndarray, t: np.ndarray, nu: float, tolerance: float, convection: float = 1.0) -> np.ndarray:
    """:func:`hopf_cole`, doubling the panels until two successive results differ by ≤ ``tolerance``."""
    panels = 32
    u = hopf_cole(x, t, nu, panels, convection)
    while panels < 2**14:
        panels *= 2
        refined = hopf_cole(x, t, nu, panels, convection)
        if np.max(np.abs(refined - u)) <= tolerance:
            return refined
        u = refined
    raise ValueError(f"the Hopf–Cole quadrature did not reach {tolerance:g} with {panels} panels (ν = {nu})")


@dataclass(frozen=True)
class BurgersEquation(Problem):
    """The equation, its domain and conditions; the reference is a subclass's."""

    coefficients: ClassVar[tuple[str, ...]] = ("nu", "convection")

    nu: float
    convection: float  # λ in u_t + λ u u_x = ν u_xx: 1 is Burgers' equation; an inverse problem identifies it
    t_max: float
    quadrature_tolerance: float

    def __post_init__(self) -> None:
        # below, the shock is thinner than any evaluation grid resolves, and the reference's quadrature takes minutes
        require(1e-6 <= self.nu <= 100, f"nu must be in [1e-6, 100], got {self.nu:g}")
        require(0 < self.t_max <= 100, f"t_max must be in (0, 100] (the reference's quadrature), got {self.t_max:g}")
        # float64's rounding in the quadrature's sums is about 1e-15: a smaller tolerance is never met
        require(self.quadrature_tolerance >= 1e-14, f"quadrature_tolerance must be ≥ 1e-14, got {self.quadrature_tolerance:g}")

    @property
    def domain(self) -> Box:
        return Box(("x", "t"), (-1.0, 0.0), (1.0, self.t_max), time="t")

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return (
            dirichlet("initial", Region.INITIAL, lambda p: -torch.sin(math.pi * p["x"])),
            dirichlet("boundary", Region.BOUNDARY),
        )

    def residual(self, f: Field) -> Tensor:
        return f.d("t") + self.convection * f.u * f.d("x") - self.nu * f.d("x", "x")


@dataclass(frozen=True)
class Burgers(BurgersEquation):
    reference_x_points: int
    reference_t_points: int

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("reference_x_points", "reference_t_points"):
            require(getattr(self, name) >= 2, f"{name} must be ≥ 2, got {getattr(self, name)}")

    @property
    def reference_size(self) -> int:
        return self.reference_x_points * self.reference_t_points

    def reference(self) -> Reference:
        """The standard grid: x = linspace(−1, 1, n_x), t = 0, Δt, …, t_max − Δt with Δt = t_max/n_t."""
        x = np.linspace(-1.0, 1.0, self.reference_x_points)
        t = np.arange(self.reference_t_points) * (self.t_max / self.reference_t_points)
        xx, tt = np.meshgrid(x, t, indexing="ij")
        u = hopf_cole_converged(xx, tt, self.nu, self.quadrature_tolerance, self.convection)
        shape = (self.reference_x_points, self.reference_t_points)
        return Reference(np.stack([xx.ravel(), tt.ravel()], axis=1), u.ravel(), shape)
