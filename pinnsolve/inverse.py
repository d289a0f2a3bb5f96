"""Inverse problems: PDE coefficients trained with the network, and measurements of the solution.

A problem names the fields its residual reads as coefficients (``Problem.coefficients``). An
identified coefficient becomes a trainable parameter; the loss evaluates the residual of a copy
of the problem whose field holds that parameter, so the residual reads it as it reads a fixed one.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from pinnsolve.geometry import Geometry
from pinnsolve.problem import Problem, Reference
from pinnsolve.readers import read_table


class Coefficients(nn.Module):
    """Trainable PDE coefficients, each stored as itself or, if ``positive``, as its logarithm."""

    def __init__(self, start: Mapping[str, float], positive: Sequence[str] = ()) -> None:
        super().__init__()
        self.names = tuple(start)
        self.positive = frozenset(positive)
        self.raw = nn.ParameterDict({
            # float64 from the start: the run's .to(dtype) rounds them once, to its own precision
            name: nn.Parameter(torch.tensor(math.log(value) if name in self.positive else float(value), dtype=torch.float64))
            for name, value in start.items()
        })

    def values(self) -> dict[str, Tensor]:
        """Each coefficient as a scalar tensor that carries the gradient to its parameter."""
        return {name: self.raw[name].exp() if name in self.positive else self.raw[name] for name in self.names}

    def current(self) -> dict[str, float]:
        """Each coefficient's value now (history columns, metrics)."""
        with torch.no_grad():
            return {name: float(value) for name, value in self.values().items()}


def with_coefficients(problem: Problem, values: Mapping[str, Tensor]) -> Problem:
    """A copy of ``problem`` (a frozen dataclass) whose fields ``values`` hold those tensors, and
    whose ``source`` stays the original's. The copy skips the dataclass's checks, which are for
    configured values, not for training's."""
    copied = copy.copy(problem)
    for name, value in values.items():
        object.__setattr__(copied, name, value)
    if hasattr(problem, "source"):  # the forcing is the configured problem's, whatever the coefficients
        object.__setattr__(copied, "source", problem.source)
    return copied


@dataclass(frozen=True)
class Observations:
    """Measurements ``u`` of the ``unknowns`` at ``inputs`` (shape ``(N, d)``), float64: shape
    ``(N,)`` for one unknown, ``(N, k)`` for k; ``synthetic``: drawn from the problem's own
    reference, so the configured coefficients are the true ones."""

    inputs: np.ndarray
    u: np.ndarray
    synthetic: bool
    unknowns: tuple[str, ...] = ("u",)


def sample_observations(reference: Reference, count: int, noise: float, rng: np.random.Generator) -> Observations:
    """``count`` points of the reference grid, drawn without replacement (as Raissi et al. drew
    2,000 of Burgers' 25,600), with Gaussian noise of ``noise`` times the values' standard
    deviation added (their convention for "1 % noise")."""
    if count > len(reference.inputs):
        raise ValueError(f"{count} observations asked for, and the reference grid has {len(reference.inputs)} points")
    rows = rng.choice(len(reference.inputs), size=count, replace=False)
    measured = reference.values[rows]
    scale = np.array([np.std(measured[:, j]) for j in range(measured.shape[1])])  # each unknown's own spread
    if noise > 0 and not scale.all():
        flat = [name for name, spread in zip(reference.unknowns, scale) if spread == 0]
        raise ValueError(
            f"noise is relative to the measured values' standard deviation, which is 0 for {flat} "
            f"({count} observation{'s' if count != 1 else ''} of equal value{'s' if count != 1 else ''}): the noise would be zero; "
            "take more observations or set inverse.noise=0"
        )
    u = measured + noise * scale * rng.standard_normal(measured.shape)
    return Observations(reference.inputs[rows], u[:, 0] if u.shape[1] == 1 else u, synthetic=True, unknowns=reference.unknowns)


def read_observations(path: Path, variables: Sequence[str], domain: Geometry) -> Observations:
    """A user's measurements: an ``.npz`` with one 1-D array per variable and ``u``, or a ``.csv``
    whose header names those columns. Raises ValueError saying what is wrong with the file."""
    needed = [*variables, "u"]
    if path.suffix not in (".npz", ".csv"):
        raise ValueError(f"{path}: a .npz or .csv file, not {path.suffix or 'a file without a suffix'}")
    table = read_table(path, ["u"])  # a DataFileError (a ValueError) names the file and the row
    columns = {**table.coordinates, **table.outputs}
    missing = [name for name in needed if name not in columns]
    if missing:
        raise ValueError(f"{path}: no column {missing}; it has {sorted(columns)}, and needs {needed}")
    if len({columns[name].shape for name in needed}) != 1:
        shapes = {name: columns[name].shape for name in needed}
        raise ValueError(f"{path}: the columns {needed} must be of one length; got shapes {shapes}")
    if len(columns["u"]) == 0:
        raise ValueError(f"{path}: no measurements (its header names {list(columns)}, and no row follows)")
    inputs, u = np.stack([columns[name] for name in variables], axis=1), columns["u"]
    bad = ~np.isfinite(np.column_stack([inputs, u])).all(axis=1)
    if bad.any():
        raise ValueError(f"{path}: {int(bad.sum())} rows hold NaN or infinity (the first: data row {int(np.argmax(bad)) + 1})")
    outside = ~domain.contains(inputs, tol=1e-12 * max(1.0, float(np.max(domain.upper - domain.lower))))
    if outside.any():
        first = int(np.argmax(outside))
        raise ValueError(
            f"{path}: {int(outside.sum())} points lie outside the domain {domain.describe()} of {list(variables)} "
            f"(the first: data row {first + 1}, {tuple(float(v) for v in inputs[first])})"
        )
    return Observations(inputs, u, synthetic=False)
