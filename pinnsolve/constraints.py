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

from pinnsolve.derivatives import PLAIN, Ops, Points
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

    def distance(self, x: Tensor, ops: Ops = PLAIN):
        """φ(x) = Π_i (x_i − low_i)(high_i − x_i) over the spatial variables, zero exactly on the spatial faces; shape (N,)."""
        phi = None
        for i in self.box.spatial:
            x_i = ops.column(x, i)
            factor = (x_i - self.box.low[i]) * (self.box.high[i] - x_i)
            phi = factor if phi is None else phi * factor
        return phi

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
        return self.compute(x, PLAIN)

    def compute(self, x: Tensor, ops: Ops):
        """u = g + φN in ``ops`` (see :mod:`pinnsolve.derivatives.engine`)."""
        u = self.distance(x, ops) * self.network.compute(x, ops)
        return u if self.value is None else ops.known(self.lift, x) + u
