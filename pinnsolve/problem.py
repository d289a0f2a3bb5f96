"""What a PDE problem is: a domain, a residual, conditions, and a reference solution.

A problem knows nothing of networks: it sees only :class:`~pinnsolve.derivatives.Field`
objects (a field and its derivatives at some points) and returns residuals.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar
from enum import Enum

import numpy as np
import torch
from torch import Tensor

from pinnsolve.derivatives import Field, Points
from pinnsolve.geometry import Geometry


class Region(Enum):
    """Where a condition's points are sampled."""

    BOUNDARY = "boundary"
    INITIAL = "initial"


@dataclass(frozen=True)
class Condition:
    """A named condition whose ``residual`` (shape ``(N,)``) vanishes on ``region``."""

    name: str
    region: Region
    residual: Callable[[Field], Tensor]


@dataclass(frozen=True)
class DirichletCondition(Condition):
    """``u = value`` on ``region`` (no value: u = 0); the value is kept so that it can be imposed exactly."""

    value: Callable[[Points], Tensor] | None = None


def require(condition: bool, message: str) -> None:
    """For problems' ``__post_init__``: a ValueError saying which parameter is out of range."""
    if not condition:
        raise ValueError(message)


def dirichlet(name: str, region: Region, value: Callable[[Points], Tensor] | None = None) -> DirichletCondition:
    """The condition u = ``value`` on ``region``; u = 0 if no value is given."""
    if value is None:
        return DirichletCondition(name, region, lambda f: f.u, None)
    return DirichletCondition(name, region, lambda f: f.u - value(f), value)


@dataclass(frozen=True)
class Reference:
    """A reference solution ``u`` (shape ``(N,)``) at ``inputs`` (shape ``(N, d)``), float64.

    The points form a tensor grid of ``shape`` (``Π shape == N``) in C order, which the plots use,
    or are scattered (``shape`` None).
    """

    inputs: np.ndarray
    u: np.ndarray
    shape: tuple[int, ...] | None

    def __post_init__(self) -> None:
        n = self.inputs.shape[0] if self.shape is None else int(np.prod(self.shape))
        if self.inputs.shape[0] != n or self.u.shape != (n,):
            raise ValueError(
                f"reference grid {self.shape} holds {n} points, got inputs {self.inputs.shape} and u {self.u.shape}"
            )


class Problem(ABC):
    """A PDE ``residual(u) = 0`` on ``domain`` with ``conditions``.

    ``coefficients`` names the fields the residual reads as the operator's coefficients: those an
    inverse problem may identify (:mod:`pinnsolve.inverse`). A forcing term belongs in a
    ``source(points)`` method: it is data of the PDE, and an identified problem keeps the
    configured problem's.
    """

    coefficients: ClassVar[tuple[str, ...]] = ()

    @property
    @abstractmethod
    def domain(self) -> Geometry: ...

    @property
    @abstractmethod
    def conditions(self) -> tuple[Condition, ...]: ...

    @abstractmethod
    def residual(self, f: Field) -> Tensor:
        """The PDE residual at ``f``'s points, shape ``(N,)``."""

    @abstractmethod
    def reference(self) -> Reference:
        """The solution on the evaluation grid."""

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
        """The exact solution at ``p``, shape ``(N,)``."""

    @property
    def reference_size(self) -> int:
        return self.domain.evaluation_size(self.evaluation_resolution)

    def reference(self) -> Reference:
        inputs, shape = self.domain.evaluation_points(self.evaluation_resolution)
        u = self.exact(Points(torch.as_tensor(inputs, dtype=torch.float64), self.variables))
        return Reference(inputs, u.numpy(), shape)


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
            dirichlet("initial", Region.INITIAL, self.exact),
            Condition("initial_rate", Region.INITIAL, lambda f: f.d("t") - self.exact_derivatives(f)["t"]),
            dirichlet("boundary", Region.BOUNDARY, self.exact),
        )
