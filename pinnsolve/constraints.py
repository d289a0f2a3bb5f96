"""Hard Dirichlet constraints: a network whose unknowns meet their boundary data exactly.

u(x) = g(x) + φ(x)·N(x) for each unknown with a Dirichlet condition on the whole boundary, where
φ vanishes exactly on the domain's spatial boundary and g extends that unknown's boundary data
inside; both come from the domain (:mod:`pinnsolve.geometry`). On a box φ is
Π_i (x_i − low_i)(high_i − x_i) and g the transfinite (Coons) interpolation of the data from the
faces; on a ball φ = R − |x − c|. With zero data g = 0 and u = φ·N: the RAF paper's
x(1−x)y(1−y)·N on the unit square and (1 − |x|)·N on the unit ball. Unknowns without such a
condition are the network's outputs as they are.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import torch
from torch import Tensor, nn

from pinnsolve.conditions import Condition, DirichletCondition, Region
from pinnsolve.derivatives import PLAIN, Ops, Points
from pinnsolve.geometry import Geometry
from pinnsolve.problem import Problem


def boundary_dirichlet(problem: Problem) -> dict[str, DirichletCondition]:
    """The Dirichlet conditions on the whole boundary, by the unknown each fixes, where the domain
    can impose them exactly; a ValueError saying why if there is none, or an unknown has two."""
    found: dict[str, DirichletCondition] = {}
    for c in problem.conditions:
        if isinstance(c, DirichletCondition) and c.region == Region.BOUNDARY:
            unknown = c.unknown or problem.unknowns[0]
            if unknown in found:
                raise ValueError(f"hard boundary conditions need one Dirichlet condition per unknown; {unknown} has "
                                 f"{found[unknown].name!r} and {c.name!r}")
            found[unknown] = c
    if not found:
        names = [c.name for c in problem.conditions if c.region.kind == "boundary"]
        raise ValueError(
            f"hard boundary conditions need a Dirichlet condition on the whole boundary; this problem's boundary conditions are {names}"
        )
    problem.domain.distance(torch.zeros(1, problem.domain.dim, dtype=torch.float64))  # a ValueError if it has no φ
    for condition in found.values():
        if condition.value is not None:
            problem.domain.extension(condition.value)  # a ValueError if the domain cannot extend the data
    return found


def soft_conditions(problem: Problem, hard_bc: bool) -> tuple[Condition, ...]:
    """The conditions left to the loss: all, or all but those imposed exactly."""
    if not hard_bc:
        return problem.conditions
    imposed = {c.name for c in boundary_dirichlet(problem).values()}
    return tuple(c for c in problem.conditions if c.name not in imposed)


class HardDirichlet(nn.Module):
    """``network`` with the unknowns of ``values`` constrained to equal their value (None: 0) on
    the spatial boundary of ``domain``; (N, d) → (N, m), one column per name of ``unknowns``.

    u = g + φ·N with the domain's φ and extension g (:class:`~pinnsolve.geometry.Geometry`); a
    ValueError if the domain cannot extend non-zero data.
    """

    def __init__(
        self,
        network: nn.Module,
        domain: Geometry,
        unknowns: tuple[str, ...],
        values: Mapping[str, Callable[[Points], Tensor] | None],
    ) -> None:
        super().__init__()
        self.network = network
        self.domain = domain
        self.unknowns = unknowns
        self.constrained = tuple(name in values for name in unknowns)
        self.lifts = tuple(None if values.get(name) is None else domain.extension(values[name]) for name in unknowns)

    @property
    def activations(self) -> nn.ModuleList:
        return self.network.activations

    @property
    def width(self) -> int:
        return self.network.width

    def forward(self, x: Tensor) -> Tensor:
        return self.compute(x, PLAIN)

    def compute(self, x: Tensor, ops: Ops):
        """u = g + φN in ``ops`` for each constrained unknown (see :mod:`pinnsolve.derivatives.engine`)."""
        outputs = ops.split(self.network.compute(x, ops))
        phi = self.domain.distance(x, ops)
        columns = []
        for n, constrained, lift in zip(outputs, self.constrained, self.lifts):
            if constrained:
                n = phi * n
                if lift is not None:
                    n = ops.known(lift, x) + n
            columns.append(n)
        return ops.join(columns)
