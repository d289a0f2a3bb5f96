"""Hard Dirichlet constraints: a network that meets its boundary data exactly.

u(x) = g(x) + φ(x)·N(x), where φ = Π_i (x_i − low_i)(high_i − x_i) over the spatial variables
vanishes on the box's spatial faces and g extends the boundary data inside: the transfinite
(Coons) interpolation of the data from the faces, which equals it on every face. With zero data
g = 0 and u = φ·N, the RAF paper's x(1−x)y(1−y)·N on the unit square.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable

import torch
from torch import Tensor, nn

from pinnsolve.derivatives import Jet, Points
from pinnsolve.geometry import Box
from pinnsolve.problem import Condition, DirichletCondition, Problem, Region


def boundary_dirichlet(problem: Problem) -> DirichletCondition:
    """The problem's one boundary condition, if it is of Dirichlet type (else a ValueError saying why)."""
    boundary = [c for c in problem.conditions if c.region is Region.BOUNDARY]
    if len(boundary) != 1 or not isinstance(boundary[0], DirichletCondition):
        names = [c.name for c in boundary]
        raise ValueError(f"hard boundary conditions need one Dirichlet condition on the boundary; this problem has {names}")
    return boundary[0]


def soft_conditions(problem: Problem, hard_bc: bool) -> tuple[Condition, ...]:
    """The conditions left to the loss: all, or all but the boundary's if it is imposed exactly."""
    if not hard_bc:
        return problem.conditions
    imposed = boundary_dirichlet(problem)
    return tuple(c for c in problem.conditions if c.name != imposed.name)


class HardDirichlet(nn.Module):
    """``network`` constrained to equal ``value`` (None: 0) on the spatial faces of ``box``; (N, d) → (N,)."""

    def __init__(self, network: nn.Module, box: Box, value: Callable[[Points], Tensor] | None) -> None:
        super().__init__()
        self.network = network
        self.box = box
        self.value = value

    @property
    def activations(self) -> nn.ModuleList:
        return self.network.activations

    @property
    def width(self) -> int:
        return self.network.width

    def _factors(self, x: Tensor) -> list[tuple[int, Tensor, Tensor]]:
        """(i, f_i, f_i') for each spatial variable: f_i = (x_i − low_i)(high_i − x_i), f_i'' = −2."""
        factors = []
        for i in self.box.spatial:
            low, high = self.box.low[i], self.box.high[i]
            factors.append((i, (x[:, i] - low) * (high - x[:, i]), low + high - 2 * x[:, i]))
        return factors

    def distance(self, x: Tensor) -> Tensor:
        """φ(x), zero exactly on the spatial faces; shape (N,)."""
        return torch.stack([f for _, f, _ in self._factors(x)]).prod(dim=0)

    def lift(self, x: Tensor) -> Tensor:
        """g(x): Σ over non-empty sets S of spatial variables of (−1)^{|S|+1} × the multilinear
        interpolation in S of the data at the faces' points; shape (N,)."""
        if self.value is None:
            return torch.zeros_like(x[:, 0])
        total = torch.zeros_like(x[:, 0])
        spatial = self.box.spatial
        for size in range(1, len(spatial) + 1):
            for subset in itertools.combinations(spatial, size):
                for corner in itertools.product((0, 1), repeat=size):
                    projected = x.clone()
                    weight = torch.ones_like(x[:, 0])
                    for i, side in zip(subset, corner):
                        low, high = self.box.low[i], self.box.high[i]
                        projected[:, i] = high if side else low
                        weight = weight * ((x[:, i] - low) if side else (high - x[:, i])) / (high - low)
                    total = total + (-1) ** (size + 1) * weight * self.value(Points(projected, self.box.variables))
        return total

    def forward(self, x: Tensor) -> Tensor:
        return self.lift(x) + self.distance(x) * self.network(x)

    def jet(self, x: Tensor) -> Jet:
        """u = g + φN:  u_i = g_i + φ_i N + φ N_i  and  u_ii = g_ii + φ_ii N + 2 φ_i N_i + φ N_ii."""
        n = self.network.jet(x)
        factors = self._factors(x)
        phi = torch.stack([f for _, f, _ in factors]).prod(dim=0)
        zero = torch.zeros_like(phi)
        phi_first, phi_second = [zero] * x.shape[1], [zero] * x.shape[1]
        for k, (i, _, df) in enumerate(factors):
            others = torch.stack([f for j, (_, f, _) in enumerate(factors) if j != k] + [torch.ones_like(phi)]).prod(dim=0)
            phi_first[i], phi_second[i] = df * others, -2 * others
        phi_first_t, phi_second_t = torch.stack(phi_first), torch.stack(phi_second)
        u = phi * n.u
        first = phi_first_t * n.u + phi * n.first
        second = phi_second_t * n.u + 2 * phi_first_t * n.first + phi * n.second
        if self.value is not None:
            g, g_first, g_second = _pure_derivatives(self.lift, x)
            u, first, second = u + g, first + g_first, second + g_second
        return Jet(u, first, second)


def _pure_derivatives(function: Callable[[Tensor], Tensor], x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """A pointwise function of the inputs with its first and pure second derivatives, by autograd."""
    value = function(x)
    (gradient,) = torch.autograd.grad(value, x, torch.ones_like(value), create_graph=True, materialize_grads=True)
    seconds = []
    for i in range(x.shape[1]):
        (row,) = torch.autograd.grad(gradient[:, i], x, torch.ones_like(value), create_graph=True, materialize_grads=True)
        seconds.append(row[:, i])
    return value, gradient.T, torch.stack(seconds)
