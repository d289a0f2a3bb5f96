"""What a PDE problem is: unknowns on a domain, residual equations, conditions, and a reference solution.

A problem knows nothing of networks: it sees only :class:`~pinnsolve.derivatives.Field`
objects (its unknowns and their derivatives at some points) and returns residuals.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor

from pinnsolve.conditions import Condition, DirichletCondition, Region, dirichlet, initial_rate, initial_value
from pinnsolve.derivatives import Field, Points
from pinnsolve.geometry import Geometry

__all__ = [
    "Condition", "DirichletCondition", "ExactProblem", "Problem", "Reference", "Region", "SampledExactProblem", "SecondOrderInTime",
    "boundary_dirichlet", "dirichlet", "require", "soft_conditions",
]


def require(condition: bool, message: str) -> None:
    """For problems' ``__post_init__``: a ValueError saying which parameter is out of range."""
    if not condition:
        raise ValueError(message)


@dataclass(frozen=True)
class Reference:
    """A reference solution at ``inputs`` (shape ``(N, d)``), float64: ``values`` of the
    ``unknowns``, shape ``(N, m)`` (a single unknown's may be given as ``(N,)``).

    The points form a tensor grid of ``shape`` (``Π shape == N``) in C order, which the plots use,
    or are scattered (``shape`` None). ``origin`` says where a reference read from a file came
    from (its path, checksum, rows kept and dropped), for the run's metrics.
    """

    inputs: np.ndarray
    values: np.ndarray
    shape: tuple[int, ...] | None
    unknowns: tuple[str, ...] = ("u",)
    origin: dict[str, Any] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.values.ndim == 1:
            object.__setattr__(self, "values", self.values[:, None])
        n = self.inputs.shape[0] if self.shape is None else int(np.prod(self.shape))
        if self.inputs.shape[0] != n or self.values.shape != (n, len(self.unknowns)):
            raise ValueError(
                f"reference grid {self.shape} holds {n} points of unknowns {list(self.unknowns)}, got inputs "
                f"{self.inputs.shape} and values {self.values.shape}"
            )

    @property
    def u(self) -> np.ndarray:
        """The only unknown's values, shape ``(N,)``."""
        if len(self.unknowns) != 1:
            raise ValueError(f"this reference holds unknowns {list(self.unknowns)}; take one column of values")
        return self.values[:, 0]

    def __getitem__(self, unknown: str) -> np.ndarray:
        """One unknown's values, shape ``(N,)``."""
        return self.values[:, self.unknowns.index(unknown)]


class Problem(ABC):
    """A PDE ``residual(u) = 0`` on ``domain`` with ``conditions``, for the ``unknowns``.

    ``residual`` returns one residual (shape ``(N,)``; the loss names it ``residual``) or, for a
    system, a dict of named equations, each its own loss term.

    ``coefficients`` names the fields the residual reads as the operator's coefficients: those an
    inverse problem may identify (:mod:`pinnsolve.inverse`). A forcing term belongs in a
    ``source(points)`` method: it is data of the PDE, and an identified problem keeps the
    configured problem's.
    """

    coefficients: ClassVar[tuple[str, ...]] = ()
    unknowns: ClassVar[tuple[str, ...]] = ("u",)

    @property
    @abstractmethod
    def domain(self) -> Geometry: ...

    @property
    @abstractmethod
    def conditions(self) -> tuple[Condition, ...]: ...

    @abstractmethod
    def residual(self, f: Field) -> Tensor | dict[str, Tensor]:
        """The PDE residual at ``f``'s points, shape ``(N,)``, or a system's residuals by equation name."""

    def equations(self, f: Field) -> dict[str, Tensor]:
        """:meth:`residual` as named equations: a single residual is named ``residual``."""
        r = self.residual(f)
        return r if isinstance(r, dict) else {"residual": r}

    @abstractmethod
    def reference(self) -> Reference:
        """The solution on the evaluation grid."""

    def observations(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]] | None:
        """Measurements that belong to the problem's statement (None: it has none): the points
        (shape ``(N, d)``), the values (shape ``(N,)``, or ``(N, k)``) and the unknowns they are
        of; noise, if any, drawn from ``rng``."""
        return None

    def alternative_references(self, reference: Reference) -> dict[str, np.ndarray]:
        """Other solutions to score against, at ``reference``'s points (shape ``(N, m)`` each), by
        name: a data case's exact solution, where the data file is itself only an approximation."""
        return {}

    @property
    def reference_size(self) -> int | None:
        """How many points :meth:`reference` holds, known without computing it (None: not known)."""
        return None

    @property
    def training_points(self) -> np.ndarray | None:
        """Points the residual must be trained at, shape ``(N, d)`` (data known there only), in place
        of sampled ones; None: the sampler draws them."""
        return None

    @property
    def variables(self) -> tuple[str, ...]:
        return self.domain.variables


class ExactProblem(Problem):
    """A problem with a closed-form solution, evaluated at its domain's evaluation points: on a box
    a tensor grid of ``eval_points_per_axis`` points per axis (:meth:`Geometry.evaluation_points`)."""

    eval_points_per_axis: int

    def __post_init__(self) -> None:
        require(self.eval_points_per_axis >= 2, f"eval_points_per_axis must be ≥ 2, got {self.eval_points_per_axis}")

    @property
    def evaluation_resolution(self) -> int:
        """What the domain's :meth:`~pinnsolve.geometry.Geometry.evaluation_points` is given."""
        return self.eval_points_per_axis

    @abstractmethod
    def exact(self, p: Points) -> Tensor:
        """The exact solution at ``p``: shape ``(N,)``, or ``(N, m)`` for m unknowns."""

    @property
    def reference_size(self) -> int:
        return self.domain.evaluation_size(self.evaluation_resolution)

    def reference(self) -> Reference:
        inputs, shape = self.domain.evaluation_points(self.evaluation_resolution)
        u = self.exact(Points(torch.as_tensor(inputs, dtype=torch.float64), self.variables))
        return Reference(inputs, u.numpy(), shape, self.unknowns)


class SampledExactProblem(ExactProblem):
    """A problem with a closed-form solution evaluated at ``eval_points`` uniform random points of
    its domain, the same for every run (PINNacle's scoring of its analytic cases)."""

    eval_points: int

    def __post_init__(self) -> None:
        require(self.eval_points >= 2, f"eval_points must be ≥ 2, got {self.eval_points}")

    @property
    def reference_size(self) -> int:
        return self.eval_points

    def reference(self) -> Reference:
        inputs = self.domain.uniform_points(self.eval_points)
        values = self.exact(Points(torch.as_tensor(inputs, dtype=torch.float64), self.variables))
        return Reference(inputs, values.numpy(), None, self.unknowns)


class SecondOrderInTime(ExactProblem):
    """An equation second order in time whose closed-form solution comes with its derivatives:
    its conditions are u and u_t at the initial time and u on the boundary."""

    @abstractmethod
    def exact_derivatives(self, p: Points) -> dict[str, Tensor]:
        """The solution ``u`` and its time derivative ``t`` at ``p`` (and whatever the forcing needs)."""

    def exact(self, p: Points) -> Tensor:
        return self.exact_derivatives(p)["u"]

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return (
            initial_value("initial", self.exact),
            initial_rate("initial_rate", "t", lambda p: self.exact_derivatives(p)["t"]),
            dirichlet("boundary", Region.BOUNDARY, self.exact),
        )


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
