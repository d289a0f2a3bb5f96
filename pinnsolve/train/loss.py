"""The PINN loss: weighted mean squares of each residual equation, of each condition, of the data, and penalties."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

import torch
from torch import Tensor, nn

from pinnsolve.conditions import PeriodicCondition
from pinnsolve.derivatives import DerivativeEngine, Field, OutputKey, derivatives_used
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
    """Residual points and the points of each condition region, each of shape ``(N, d)``, and the
    outward unit normals (shape ``(N, d)``) of each boundary region's points."""

    residual: Tensor
    regions: dict[Region, Tensor]
    normals: dict[Region, Tensor] = field(default_factory=dict)


@dataclass(frozen=True)
class ResidualTaper:
    """Each residual multiplied by min(1, d / radius), d the distance from its point to the
    nearest of ``points`` (each given in the problem's variables). Where a problem's data
    contradict its PDE at a point (a corner whose two walls' values disagree), the residuals
    nearby cannot vanish; at full weight they pull the whole network, and a residual-based
    sampler's points, towards that point."""

    points: tuple[tuple[float, ...], ...]
    radius: float

    def __call__(self, inputs: Tensor) -> Tensor:
        """The weight of each row of ``inputs`` (shape ``(N, d)``), shape ``(N,)``, in [0, 1]."""
        offsets = inputs.detach()[:, None, :] - inputs.new_tensor(self.points)
        distance = offsets.square().sum(-1).sqrt().amin(1)
        return torch.clamp(distance / self.radius, max=1.0)


def derivatives_needed(
    problem: Problem, conditions: Sequence[Condition], smoothed: Sequence[str] = ()
) -> dict[Region | None, frozenset[OutputKey]]:
    """The derivatives the residual equations and the smoothness priors of the unknowns
    ``smoothed`` (key None), and the conditions of each region ask for."""
    box = problem.domain
    spatial = [problem.variables[i] for i in box.spatial]

    def used(residual: Callable[..., object]) -> frozenset[OutputKey]:
        return derivatives_used(residual, problem.variables, box.low, box.high, problem.unknowns, spatial)

    keys: dict[Region | None, frozenset[OutputKey]] = {
        None: used(problem.residual) | used(lambda f: [gradient_square(f, name, spatial) for name in smoothed])
    }
    for condition in conditions:
        # a periodic condition reads its partner field as it reads its own
        asks = (lambda f: condition.paired(f, f)) if isinstance(condition, PeriodicCondition) else condition.residual
        keys[condition.region] = keys.get(condition.region, frozenset()) | used(asks)
    return keys


def gradient_square(f: Field, unknown: str, spatial: Sequence[str]) -> Tensor:
    """|∇ unknown|² over the spatial variables at each point, shape ``(N,)``."""
    return torch.stack([f.d(unknown, x).square() for x in spatial]).sum(0)


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
    """J = Σ_e w_e·MSE(equation e) + Σ_c w_c·MSE(condition c) [+ w_data·MSE(u − measured)]
    + Σ_k λ_k·mean |∇ unknown k|² + Σ_p w_p·penalty p.

    ``conditions`` (default: all the problem's) are those the loss enforces; one imposed exactly
    by the network is left out. ``taper`` weights each residual equation down near points where
    the PDE cannot hold (:class:`ResidualTaper`), in the loss and in the residual a sampler scores
    points by. ``data``, measurements (points ``(N, d)``, values ``(N,)``), adds
    the ``data`` term; ``coefficients``, trained with the network, are the problem's fields the
    residual then reads (:func:`~pinnsolve.inverse.with_coefficients`). ``smoothness`` maps
    unknowns to λ: a Tikhonov prior on each, the mean of its squared spatial gradient over the
    residual points (what an inverse problem with noisy data needs, so that an identified field
    does not take up the noise). Components are named ``residual``, then each condition's name,
    ``data``, ``smoothness_UNKNOWN``, then each penalty's name. ``weights`` are for the first three
    kinds (not given: 1); a prior's weight is its λ, a penalty carries its own. ``engine``
    computes the derivatives, each point set's those its terms ask for (found once, here); all
    but the penalties are evaluated as the engine prepares them (compiled, for one).
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
        data_unknowns: Sequence[str] | None = None,
        coefficients: Coefficients | None = None,
        smoothness: Mapping[str, float] | None = None,
        taper: ResidualTaper | None = None,
    ) -> None:
        self.problem = problem
        self.taper = taper
        self.engine = engine
        self.conditions = tuple(problem.conditions if conditions is None else conditions)
        self.penalties = tuple(penalties)
        # measurements as (N, k), one column per measured unknown
        self.data = None if data is None else (data[0], data[1].reshape(len(data[0]), -1))
        self.data_columns = [problem.unknowns.index(name) for name in (data_unknowns or problem.unknowns)]
        self.coefficients = coefficients
        self.equations = tuple(problem.equations(_zero_field(problem)))
        self.pde_components = (*self.equations, *(c.name for c in self.conditions), *(("data",) if data is not None else ()))
        self.smoothness = dict(smoothness or {})
        unknown = sorted(set(self.smoothness) - set(problem.unknowns))
        if unknown:
            raise ValueError(f"smoothness of {unknown}: no such unknown; the unknowns are {list(problem.unknowns)}")
        self.priors = {f"smoothness_{name}": name for name in self.smoothness}
        self.components = (*self.pde_components, *self.priors, *(p.name for p in self.penalties))
        if len(set(self.components)) != len(self.components):
            raise ValueError(f"loss components must have distinct names, got {self.components}")
        weights = dict(weights or {})
        unknown = sorted(set(weights) - set(self.pde_components))
        if unknown:
            raise ValueError(f"no loss component named {unknown}; the components are {list(self.pde_components)}")
        self.weights = {name: float(weights.get(name, 1.0)) for name in self.pde_components}
        self.weights.update({prior: float(self.smoothness[name]) for prior, name in self.priors.items()})
        self.weights.update({p.name: float(p.weight) for p in self.penalties})
        self.keys = derivatives_needed(problem, self.conditions, list(self.smoothness))
        self._pde_terms = engine.prepare(self._unprepared_pde_terms)

    def pde_loss(self, terms: Mapping[str, Tensor]) -> Tensor:
        """The weighted residual, condition and data terms: the loss without its priors and
        penalties, the part that measures how well the PDE is met (a slope penalty can dominate
        the total)."""
        return torch.stack([self.weights[name] * terms[name] for name in self.pde_components]).sum()

    @property
    def penalised(self) -> bool:
        """Whether the loss has terms besides the PDE's (priors or penalties): then
        :meth:`pde_loss` differs from the total."""
        return len(self.components) > len(self.pde_components)

    @property
    def regions(self) -> list[Region]:
        """The conditions' regions, in the order of their names."""
        return sorted({c.region for c in self.conditions}, key=lambda r: r.value)

    def residual(self, model: nn.Module, inputs: Tensor, *, chunk: int = 8192) -> Tensor:
        """The PDE residual at each row of ``inputs`` (shape ``(N, d)``), detached, shape ``(N,)``;
        evaluated ``chunk`` rows at a time to bound the memory of the derivative graphs."""
        parts = []
        problem = self.current_problem()
        with torch.enable_grad():
            for rows in torch.split(inputs, chunk):
                field = self.engine.field(model, rows, problem.variables, problem.unknowns, self.keys[None])
                parts.append(self.combined(self.equations_at(problem, field)).detach())
        return torch.cat(parts)

    def combined(self, equations: Mapping[str, Tensor]) -> Tensor:
        """One residual per point from a system's equations: the root of their weighted squares
        (the single residual itself, sign and all, when there is one equation)."""
        if len(equations) == 1:
            return next(iter(equations.values()))
        return torch.stack([self.weights[name] * r.square() for name, r in equations.items()]).sum(0).sqrt()

    def equations_at(self, problem: Problem, field: Field) -> dict[str, Tensor]:
        """Each residual equation at ``field``'s points, tapered where the loss has a taper."""
        equations = problem.equations(field)
        if self.taper is None:
            return equations
        weight = self.taper(field.tensor)
        return {name: weight * r for name, r in equations.items()}

    def current_problem(self) -> Problem:
        """The problem with the coefficients as trained so far (the problem itself if none are)."""
        return self.problem if self.coefficients is None else with_coefficients(self.problem, self.coefficients.values())

    def _unprepared_pde_terms(
        self, model: nn.Module, residual_points: Tensor, region_points: dict[str, Tensor], normals: dict[str, Tensor]
    ) -> dict[str, Tensor]:
        # regions by name (str keys: what torch.compile guards best)
        problem = self.current_problem()
        variables, unknowns = problem.variables, problem.unknowns
        field = self.engine.field(model, residual_points, variables, unknowns, self.keys[None])
        terms = {name: r.square().mean() for name, r in self.equations_at(problem, field).items()}
        spatial = [variables[i] for i in problem.domain.spatial]
        priors = {prior: gradient_square(field, name, spatial).mean() for prior, name in self.priors.items()}
        fields = {}
        for region in self.regions:
            fields[region] = self.engine.field(model, region_points[region.value], variables, unknowns, self.keys[region])
            if region.value in normals:
                fields[region].normals = {variables[i]: normals[region.value][:, i] for i in problem.domain.spatial}
        for condition in self.conditions:
            field = fields[condition.region]
            if isinstance(condition, PeriodicCondition):
                shifted = field.tensor.detach() + field.tensor.new_tensor(condition.shift)
                partner = self.engine.field(model, shifted, variables, unknowns, self.keys[condition.region])
                terms[condition.name] = condition.paired(field, partner).square().mean()
            else:
                terms[condition.name] = condition.residual(field).square().mean()
        if self.data is not None:
            inputs, measured = self.data
            predicted = model(inputs)
            terms["data"] = (predicted[:, self.data_columns] - measured).square().mean()
        return {**terms, **priors}

    def __call__(self, model: nn.Module, points: TrainingPoints) -> tuple[Tensor, dict[str, Tensor]]:
        """The total loss and each unweighted component (scalars)."""
        terms = self._pde_terms(
            model, points.residual, {r.value: t for r, t in points.regions.items()}, {r.value: t for r, t in points.normals.items()}
        )
        for penalty in self.penalties:
            terms[penalty.name] = penalty.value()
        total = torch.stack([self.weights[name] * term for name, term in terms.items()]).sum()
        return total, terms


def _zero_field(problem: Problem) -> Field:
    """A field of zeros at one point of the domain's box, to learn the names of the problem's equations."""
    point = torch.tensor([problem.domain.low], dtype=torch.float64)
    zeros = torch.zeros(1, len(problem.unknowns), dtype=torch.float64)
    spatial = {problem.variables[i]: torch.zeros(1, dtype=torch.float64) for i in problem.domain.spatial}
    return Field(point, zeros, problem.variables, problem.unknowns, normals=spatial)
