"""Hard Dirichlet constraints: a network whose unknowns meet their boundary data exactly.

u(x) = g(x) + φ(x)·N(x) for each unknown with a Dirichlet condition on the whole boundary, where
φ vanishes exactly on the domain's spatial boundary and g extends that unknown's boundary data
inside; both come from the domain (:mod:`pinnsolve.geometry`). On a box φ is
Π_i (x_i − low_i)(high_i − x_i) and g the transfinite (Coons) interpolation of the data from the
faces; on a ball φ = R − |x − c|. With zero data g = 0 and u = φ·N: the RAF paper's
x(1−x)y(1−y)·N on the unit square and (1 − |x|)·N on the unit ball. Unknowns without such a
condition are the network's outputs as they are. Which unknowns those are, the problem says
(:func:`pinnsolve.problem.boundary_dirichlet`).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from torch import Tensor, nn

from pinnsolve.derivatives import PLAIN, Ops, Points
from pinnsolve.geometry import Geometry


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
