"""Hard Dirichlet constraints: a network that meets its boundary data exactly.

u(x) = g(x) + φ(x)·N(x), where φ vanishes exactly on the domain's spatial boundary and g extends
the boundary data inside; both come from the domain (:mod:`pinnsolve.geometry`). On a box φ is
Π_i (x_i − low_i)(high_i − x_i) and g the transfinite (Coons) interpolation of the data from the
faces; on a ball φ = R − |x − c|. With zero data g = 0 and u = φ·N: the RAF paper's
x(1−x)y(1−y)·N on the unit square and (1 − |x|)·N on the unit ball.
"""
from __future__ import annotations

from collections.abc import Callable

from torch import Tensor, nn

from pinnsolve.derivatives import PLAIN, Ops, Points
from pinnsolve.geometry import Geometry
from pinnsolve.problem import Condition, DirichletCondition, Problem, Region


def boundary_dirichlet(problem: Problem) -> DirichletCondition:
    """The problem's one boundary condition, if it is of Dirichlet type and its domain can impose it
    exactly (else a ValueError saying why)."""
    boundary = [c for c in problem.conditions if c.region is Region.BOUNDARY]
    if len(boundary) != 1 or not isinstance(boundary[0], DirichletCondition):
        names = [c.name for c in boundary]
        raise ValueError(f"hard boundary conditions need one Dirichlet condition on the boundary; this problem has {names}")
    if boundary[0].value is not None:
        problem.domain.extension(boundary[0].value)  # a ValueError if the domain cannot extend the data
    return boundary[0]


def soft_conditions(problem: Problem, hard_bc: bool) -> tuple[Condition, ...]:
    """The conditions left to the loss: all, or all but the boundary's if it is imposed exactly."""
    if not hard_bc:
        return problem.conditions
    imposed = boundary_dirichlet(problem)
    return tuple(c for c in problem.conditions if c.name != imposed.name)


class HardDirichlet(nn.Module):
    """``network`` constrained to equal ``value`` (None: 0) on the spatial boundary of ``domain``; (N, d) → (N,).

    u = g + φ·N with the domain's φ and extension g (:class:`~pinnsolve.geometry.Geometry`); a
    ValueError if the domain cannot extend non-zero data.
    """

    def __init__(self, network: nn.Module, domain: Geometry, value: Callable[[Points], Tensor] | None) -> None:
        super().__init__()
        self.network = network
        self.domain = domain
        self.lift = None if value is None else domain.extension(value)

    @property
    def activations(self) -> nn.ModuleList:
        return self.network.activations

    @property
    def width(self) -> int:
        return self.network.width

    def forward(self, x: Tensor) -> Tensor:
        return self.compute(x, PLAIN)

    def compute(self, x: Tensor, ops: Ops):
        """u = g + φN in ``ops`` (see :mod:`pinnsolve.derivatives.engine`)."""
        u = self.domain.distance(x, ops) * self.network.compute(x, ops)
        return u if self.lift is None else ops.known(self.lift, x) + u
