"""Function fitting: the network trained on values of a target function alone, no PDE.

The "residual" is the misfit u − g(x) at the training points, so every network, activation,
optimiser and report of pinnsolve applies unchanged; this is how the adaptive-activation papers
show regression before PDEs. Targets, on x ∈ [−1, 1]:

- ``discontinuous``: g = 0.2 sin(18x) for x ≤ 0, 1 + 0.3x cos(54x) for x > 0, the LAAF paper's
  (Jagtap, Kawaguchi & Karniadakis 2020, Proc. R. Soc. A), as quoted by Sophon.jl's tutorial of it;
- ``burgers_t025``: Burgers' solution u(x, 0.25) for ν = 0.01/π (GAAF paper's regression of a
  PDE solution), by Hopf–Cole quadrature, interpolated linearly between 20,001 nodes;
- ``smooth``: g = sin(πx) + 0.3 sin(4πx) + 0.1 sin(12πx), a smooth function with three
  frequencies. Ours: the GAAF paper's own smooth function could not be read from a stored source;
- a path to a ``.npz`` file with 1-D arrays ``x`` and ``u``: the training points are the file's
  points and the error is measured there (the fit's training error).

The sampler draws the training points of the built-in targets (``sampler=grid``: equispaced);
the reference is a grid of ``eval_points_per_axis`` points.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from pinnsolve.derivatives import Field
from pinnsolve.geometry import Box
from pinnsolve.problem import Condition, Problem, Reference, require
from pinnsolve.readers import DataFileError, read_table

from .burgers import hopf_cole_converged

TARGETS = ("smooth", "burgers_t025", "discontinuous")
BURGERS_NU = 0.01 / math.pi
BURGERS_NODES = 20001


class Table:
    """Piecewise-linear interpolation of values at sorted nodes, in torch (exact at the nodes)."""

    def __init__(self, nodes: np.ndarray, values: np.ndarray) -> None:
        self.nodes, self.values = torch.as_tensor(nodes), torch.as_tensor(values)

    def __call__(self, x: Tensor) -> Tensor:
        nodes, values = self.nodes.to(x), self.values.to(x)
        right = torch.searchsorted(nodes, x.contiguous()).clamp(1, len(nodes) - 1)
        x0, x1 = nodes[right - 1], nodes[right]
        weight = (x - x0) / (x1 - x0)
        return (1 - weight) * values[right - 1] + weight * values[right]


def smooth(x: Tensor) -> Tensor:
    return torch.sin(math.pi * x) + 0.3 * torch.sin(4 * math.pi * x) + 0.1 * torch.sin(12 * math.pi * x)


def discontinuous(x: Tensor) -> Tensor:
    return torch.where(x <= 0, 0.2 * torch.sin(18 * x), 1 + 0.3 * x * torch.cos(54 * x))


def read_samples(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``u`` of a ``.npz`` file, sorted by x, a point given twice kept once; a ValueError saying what is wrong."""
    if not path.is_file():
        raise ValueError(f"target {str(path)!r}: no such file (a target is one of {list(TARGETS)} or a .npz file)")
    try:
        table = read_table(path, ["u"])  # 1-D real arrays, or a DataFileError saying which is not
    except DataFileError as error:
        raise ValueError(f"target {error}") from None
    columns = {**table.coordinates, **table.outputs}
    if sorted(columns) != ["u", "x"]:
        raise ValueError(f"target {str(path)!r}: needs exactly the 1-D arrays x and u, has {sorted(columns)}")
    x, u = columns["x"], columns["u"]
    if x.shape != u.shape or len(x) < 2:
        raise ValueError(f"target {str(path)!r}: x and u must be 1-D, of one length ≥ 2; got {x.shape} and {u.shape}")
    if not (np.isfinite(x).all() and np.isfinite(u).all()):
        raise ValueError(f"target {str(path)!r}: x and u must be finite")
    order = np.argsort(x, kind="stable")
    x, u = x[order], u[order]
    repeated = np.flatnonzero(np.diff(x) == 0)
    clash = [i for i in repeated if u[i] != u[i + 1]]
    if clash:
        i = clash[0]
        raise ValueError(
            f"target {str(path)!r}: x = {x[i]:g} is given {int(np.sum(x == x[i]))} times with different u ({u[i]:g}, {u[i + 1]:g}); "
            "a function has one value at each point"
        )
    keep = np.concatenate([[True], np.diff(x) != 0])
    x, u = x[keep], u[keep]
    if len(x) < 2:
        raise ValueError(f"target {str(path)!r}: every x is {x[0]:g}; the points must span an interval")
    return x, u


@dataclass(frozen=True)
class Fit(Problem):
    target: str
    eval_points_per_axis: int

    def __post_init__(self) -> None:
        require(self.eval_points_per_axis >= 2, f"eval_points_per_axis must be ≥ 2, got {self.eval_points_per_axis}")
        if self.target not in TARGETS:
            require(self.target.endswith(".npz"), f"target must be one of {list(TARGETS)} or a .npz file, got {self.target!r}")
            self.samples  # noqa: B018 - read the file now, so that a bad one is refused before anything runs

    @cached_property
    def samples(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The file's (x, u), sorted by x; None for a built-in target."""
        return None if self.target in TARGETS else read_samples(Path(self.target))

    @cached_property
    def function(self):
        """g as a torch function of x, shape (N,) → (N,)."""
        if self.samples is not None:
            return Table(*self.samples)
        if self.target == "burgers_t025":
            nodes = np.linspace(-1.0, 1.0, BURGERS_NODES)
            return Table(nodes, self._burgers(nodes))
        return {"smooth": smooth, "discontinuous": discontinuous}[self.target]

    @staticmethod
    def _burgers(x: np.ndarray) -> np.ndarray:
        return hopf_cole_converged(x, np.full_like(x, 0.25), BURGERS_NU, 1e-12)

    @property
    def domain(self) -> Box:
        if self.samples is None:
            return Box(("x",), (-1.0,), (1.0,))
        x = self.samples[0]
        return Box(("x",), (float(x[0]),), (float(x[-1]),))

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return ()

    @property
    def training_points(self) -> np.ndarray | None:
        return None if self.samples is None else self.samples[0][:, None]

    def residual(self, f: Field) -> Tensor:
        return f.u - self.function(f["x"])

    @property
    def reference_size(self) -> int:
        return self.eval_points_per_axis if self.samples is None else len(self.samples[0])

    def reference(self) -> Reference:
        if self.samples is not None:
            x, u = self.samples
            return Reference(x[:, None], u, (len(x),))
        x = np.linspace(-1.0, 1.0, self.eval_points_per_axis)
        if self.target == "burgers_t025":  # the quadrature itself, not the table the training reads
            u = self._burgers(x)
        else:
            u = self.function(torch.as_tensor(x)).numpy()
        return Reference(x[:, None], u, (len(x),))

