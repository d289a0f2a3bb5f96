"""The PINN loss: weighted mean squares of the PDE residual, of each condition, and penalties."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import torch
from torch import Tensor, nn

from pinnsolve.derivatives import DerivativeEngine, Key, derivatives_used
from pinnsolve.inverse import Coefficients, with_coefficients
from pinnsolve.problem import Condition, Problem, Region


@dataclass(frozen=True)
class Penalty:
    """A weighted loss term that needs no points, e.g. a regulariser on an activation's parameters."""

    name: str
    value: Callable[[], Tensor]
    weight: float = 1.0


@dataclass
class TrainingPoints:
    """Residual points and the points of each condition region, each of shape ``(N, d)``."""

    residual: Tensor
    regions: dict[Region, Tensor]


def derivatives_needed(problem: Problem, conditions: Sequence[Condition]) -> dict[Region | None, frozenset[Key]]:
    """The derivatives the residual (key None) and the conditions of each region ask for."""
    box = problem.domain

    def used(residual: Callable[..., Tensor]) -> frozenset[Key]:
        return derivatives_used(residual, problem.variables, box.low, box.high)

    keys: dict[Region | None, frozenset[Key]] = {None: used(problem.residual)}
    for condition in conditions:
        keys[condition.region] = keys.get(condition.region, frozenset()) | used(condition.residual)
    return keys


class ConditionLoss(Enum):
    """How the initial and boundary conditions' squared residuals are averaged."""

    per_condition = "per_condition"  # a mean per condition, each weighted by its own weight
    pooled = "pooled"  # one mean over every condition's points, as the adaptive-activation papers' MSE_u


def pooled_weights(
    weights: Mapping[str, float], conditions: Sequence[Condition], counts: Mapping[Region, int]
) -> dict[str, float]:
    """``weights`` with each condition's scaled by its share of the conditions' points: then
    Σ_c w_c·MSE_c is the mean of w_c·r² over all those points together (one MSE when every w_c
    is 1). A condition has as many points as its region (two on the same initial points, as u and
    u_t, count those points twice)."""
    total = sum(counts[c.region] for c in conditions)
    pooled = dict(weights)
    for c in conditions:
        pooled[c.name] = weights.get(c.name, 1.0) * counts[c.region] / total
    return pooled


class PINNLoss:
    """J = w_residual·MSE(residual) + Σ_c w_c·MSE(condition c) [+ w_data·MSE(u − measured)] + Σ_p w_p·penalty p.

    ``conditions`` (default: all the problem's) are those the loss enforces; one imposed exactly
    by the network is left out. ``data``, measurements (points ``(N, d)``, values ``(N,)``), adds
    the ``data`` term; ``coefficients``, trained with the network, are the problem's fields the
    residual then reads (:func:`~pinnsolve.inverse.with_coefficients`). Components are named
    ``residual``, then each condition's name, ``data``, then each penalty's name. ``weights`` are
    for all but the penalties (not given: 1); a penalty carries its own. ``engine`` computes the derivatives, each point set's those its
    residuals ask for (found once, here); the residual and condition terms are evaluated as the
    engine prepares them (compiled, for one).
    """

    def __init__(
        self,
        problem: Problem,
        engine: DerivativeEngine,
        *,
        weights: Mapping[str, float] | None = None,
        penalties: Sequence[Penalty] = (),
        conditions: Sequence[Condition] | None = None,
        data: tuple[Tensor, Tensor] | None = None,
        coefficients: Coefficients | None = None,
    ) -> None:
        self.problem = problem
        self.engine = engine
        self.conditions = tuple(problem.conditions if conditions is None else conditions)
        self.penalties = tuple(penalties)
        self.data = data
        self.coefficients = coefficients
        self.pde_components = ("residual", *(c.name for c in self.conditions), *(("data",) if data is not None else ()))
        self.components = (*self.pde_components, *(p.name for p in self.penalties))
        if len(set(self.components)) != len(self.components):
            raise ValueError(f"loss components must have distinct names, got {self.components}")
        weights = dict(weights or {})
        unknown = sorted(set(weights) - set(self.pde_components))
        if unknown:
            raise ValueError(f"no loss component named {unknown}; the components are {list(self.pde_components)}")
        self.weights = {name: float(weights.get(name, 1.0)) for name in self.pde_components}
        self.weights.update({p.name: float(p.weight) for p in self.penalties})
        self.keys = derivatives_needed(problem, self.conditions)
        self._pde_terms = engine.prepare(self._unprepared_pde_terms)

    def pde_loss(self, terms: Mapping[str, Tensor]) -> Tensor:
        """The weighted residual and condition terms: the loss without its penalties, the part
        that measures how well the PDE is met (a slope penalty can dominate the total)."""
        return torch.stack([self.weights[name] * terms[name] for name in self.pde_components]).sum()

    @property
    def regions(self) -> set[Region]:
        return {c.region for c in self.conditions}

    def residual(self, model: nn.Module, inputs: Tensor, *, chunk: int = 8192) -> Tensor:
        """The PDE residual at each row of ``inputs`` (shape ``(N, d)``), detached, shape ``(N,)``;
        evaluated ``chunk`` rows at a time to bound the memory of the derivative graphs."""
        parts = []
        problem = self.current_problem()
        with torch.enable_grad():
            for rows in torch.split(inputs, chunk):
                field = self.engine.field(model, rows, problem.variables, self.keys[None])
                parts.append(problem.residual(field).detach())
        return torch.cat(parts)

    def current_problem(self) -> Problem:
        """The problem with the coefficients as trained so far (the problem itself if none are)."""
        return self.problem if self.coefficients is None else with_coefficients(self.problem, self.coefficients.values())

    def _unprepared_pde_terms(
        self, model: nn.Module, residual_points: Tensor, region_points: dict[Region, Tensor]
    ) -> dict[str, Tensor]:
        problem = self.current_problem()
        variables = problem.variables
        field = self.engine.field(model, residual_points, variables, self.keys[None])
        terms = {"residual": problem.residual(field).square().mean()}
        fields = {region: self.engine.field(model, inputs, variables, self.keys[region]) for region, inputs in region_points.items()}
        for condition in self.conditions:
            terms[condition.name] = condition.residual(fields[condition.region]).square().mean()
        if self.data is not None:
            inputs, measured = self.data
            terms["data"] = (model(inputs) - measured).square().mean()
        return terms

    def __call__(self, model: nn.Module, points: TrainingPoints) -> tuple[Tensor, dict[str, Tensor]]:
        """The total loss and each unweighted component (scalars)."""
        terms = self._pde_terms(model, points.residual, points.regions)
        for penalty in self.penalties:
            terms[penalty.name] = penalty.value()
        total = torch.stack([self.weights[name] * term for name, term in terms.items()]).sum()
        return total, terms
