"""The plots a run writes: the solution, time slices, losses, error, slopes, identified
coefficients and learned activations.

Plots use matplotlib's object API (``Figure``), never pyplot's global state.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.tri import Triangulation

from pinnsolve.geometry import Geometry
from pinnsolve.problem import Reference
from pinnsolve.run_directory import written


class GridView:
    """The reference grid seen as an array with one axis per variable."""

    def __init__(self, box: Geometry, reference: Reference) -> None:
        self.box, self.shape = box, reference.shape
        self.coords = reference.inputs.reshape(*self.shape, box.dim)

    def axis_values(self, i: int) -> np.ndarray:
        index = tuple(slice(None) if j == i else 0 for j in range(self.box.dim))
        return self.coords[index + (i,)]

    def plot_axes(self) -> tuple[int, int]:
        """(horizontal, vertical) variable indices: (t, x) for time-dependent problems, else (x, y)."""
        if self.box.time_index is not None:
            return self.box.time_index, self.box.spatial[0]
        return self.box.spatial[0], self.box.spatial[1]

    def plane(self, values: np.ndarray) -> tuple[np.ndarray, str]:
        """``values`` on the plot plane, shape (n_vertical, n_horizontal), and what is held fixed."""
        horizontal, vertical = self.plot_axes()
        index, fixed = [], []
        for i in range(self.box.dim):
            if i in (horizontal, vertical):
                index.append(slice(None))
            else:  # d > 2: the grid value nearest the middle of the domain
                middle = self.shape[i] // 2
                index.append(middle)
                fixed.append(f"{self.box.variables[i]} = {self.axis_values(i)[middle]:.3g}")
        plane = values.reshape(self.shape)[tuple(index)]
        return (plane.T if horizontal < vertical else plane), ", ".join(fixed)


def save_figure(fig: Figure, path: Path) -> None:
    """``fig`` as the PNG ``path``, whole or not at all."""
    # every figure lays itself out (constrained layout); a tight bounding box would draw it once
    # more for a few pixels of margin, a quarter of the time a run spends on its plots
    with written(path) as handle:
        fig.savefig(handle, format="png", dpi=110)


def _save(fig: Figure, path: Path | None) -> Figure:
    """Write ``fig`` to ``path`` (None: nowhere; the Python API shows it) and return it."""
    if path is not None:
        save_figure(fig, path)
    return fig


def _grid(fig: Figure, rows: int, columns: int) -> np.ndarray:
    """Axes in ``rows`` × ``columns``, always as a 2-D array."""
    return np.asarray(fig.subplots(rows, columns, squeeze=False))


def plot_solution(path: Path | None, box: Geometry, reference: Reference, predicted: np.ndarray) -> Figure:
    """Prediction, reference and |error| of each unknown (a row each): heatmaps in 2-D (a
    mid-plane for d > 2), curves in 1-D; for scattered reference points, :func:`plot_scattered`.
    ``predicted`` has shape ``(N, m)``, the reference's unknowns in order."""
    if reference.shape is None:
        return plot_scattered(path, box, reference, predicted)
    view = GridView(box, reference)
    unknowns = reference.unknowns
    if box.dim == 1:
        x = view.axis_values(0)
        fig = Figure(figsize=(10, 4 * len(unknowns)), layout="constrained")
        for (left, right), name, pred, ref in zip(_grid(fig, len(unknowns), 2), unknowns, predicted.T, reference.values.T):
            left.plot(x, ref, "k-", label="reference")
            left.plot(x, pred, "r--", label="prediction")
            left.set(xlabel=box.variables[0], ylabel=name, title="solution")
            left.legend()
            right.semilogy(x, np.abs(pred - ref))
            right.set(xlabel=box.variables[0], ylabel="|error|", title="absolute error")
        return _save(fig, path)
    horizontal, vertical = view.plot_axes()
    h_values, v_values = view.axis_values(horizontal), view.axis_values(vertical)
    fig = Figure(figsize=(16, 4.2 * len(unknowns)), layout="constrained")
    for panels, name, pred, ref in zip(_grid(fig, len(unknowns), 3), unknowns, predicted.T, reference.values.T):
        for ax, values, title in zip(panels, (pred, ref, np.abs(pred - ref)), ("prediction", "reference", "|error|")):
            plane, fixed = view.plane(values)
            mesh = ax.pcolormesh(h_values, v_values, plane, shading="auto", cmap="inferno" if title == "|error|" else "RdBu_r")
            fig.colorbar(mesh, ax=ax, label=name if title != "|error|" else f"|{name} − {name}_ref|")
            ax.set(xlabel=box.variables[horizontal], ylabel=box.variables[vertical],
                   title=_titled(title, name, unknowns) + (f" ({fixed})" if fixed else ""))
    return _save(fig, path)


def _titled(title: str, name: str, unknowns: Sequence[str]) -> str:
    """A panel's title, naming the unknown where there are several."""
    return title if len(unknowns) == 1 else f"{name}: {title}"


def plot_scattered(path: Path | None, domain: Geometry, reference: Reference, predicted: np.ndarray) -> Figure:
    """Scattered reference points, a row per unknown: in two variables (t and x for a 1-D
    time-dependent problem; x and y of a 2-D one at its latest time) the prediction, reference
    and |error| coloured at the points; otherwise the prediction against the reference and |error|
    against the distance from the centre of the domain's bounding box."""
    x = reference.inputs
    unknowns = reference.unknowns
    spatial = list(domain.spatial)
    keep = np.ones(len(x), dtype=bool)
    note = ""
    if domain.dim == 2 and domain.time_index is not None:
        spatial = [domain.time_index, spatial[0]]
    elif len(spatial) == 2 and domain.time_index is not None:
        times = x[:, domain.time_index]
        name, last = domain.variables[domain.time_index], times.max()
        keep = np.isclose(times, last)
        note = f" ({name} = {last:.3g})"
        if keep.sum() < 3:  # times drawn at random, not a data file's blocks: the latest tenth of them
            start = np.quantile(times, 0.9)
            keep, note = times >= start, f" ({name} ≥ {start:.3g})"
    if len(spatial) == 2:
        mesh = _triangulation(domain, x[keep], spatial)
        fig = Figure(figsize=(16, 4.2 * len(unknowns)), layout="constrained")
        for panels, name, pred, ref in zip(_grid(fig, len(unknowns), 3), unknowns, predicted.T, reference.values.T):
            for ax, values, title in zip(panels, (pred, ref, np.abs(pred - ref)), ("prediction", "reference", "|error|")):
                shading = ax.tripcolor(mesh, values[keep], shading="gouraud", cmap="inferno" if title == "|error|" else "RdBu_r")
                fig.colorbar(shading, ax=ax, label=name if title != "|error|" else f"|{name} − {name}_ref|")
                ax.set(xlabel=domain.variables[spatial[0]], ylabel=domain.variables[spatial[1]],
                       title=_titled(title, name, unknowns) + note)
                if domain.time_index is None:
                    ax.set_aspect("equal")
        return _save(fig, path)
    fig = Figure(figsize=(10, 4 * len(unknowns)), layout="constrained")
    centre = (domain.lower + domain.upper) / 2
    for (left, right), name, pred, ref in zip(_grid(fig, len(unknowns), 2), unknowns, predicted.T, reference.values.T):
        left.plot(ref, pred, ".", markersize=2)
        limits = [float(ref.min()), float(ref.max())]
        left.plot(limits, limits, "k-", linewidth=1)
        left.set(xlabel=f"reference {name}", ylabel=f"predicted {name}", title=f"prediction against reference ({len(x)} points)")
        right.semilogy(np.linalg.norm(x - centre, axis=1), np.abs(pred - ref), ".", markersize=2)
        right.set(xlabel="distance from the centre", ylabel="|error|", title="absolute error")
    return _save(fig, path)


def _triangulation(domain: Geometry, points: np.ndarray, axes: Sequence[int]) -> Triangulation:
    """A Delaunay triangulation of ``points`` in the two ``axes``, without the triangles whose
    centroid lies outside the domain (a hole, a re-entrant corner)."""
    mesh = Triangulation(points[:, axes[0]], points[:, axes[1]])
    centroids = points[mesh.triangles].mean(axis=1)
    mesh.set_mask(~domain.contains(centroids, tol=1e-9))
    return mesh


def plot_slices(path: Path | None, box: Geometry, reference: Reference, predicted: np.ndarray, *, count: int = 4) -> Figure:
    """Each unknown (a row each) against x at ``count`` times spread over the grid, prediction against reference."""
    view = GridView(box, reference)
    t_axis, x_axis = view.plot_axes()
    times = view.axis_values(t_axis)
    x = view.axis_values(x_axis)
    picks = np.unique(np.linspace(0, len(times) - 1, count + 1).round().astype(int)[1:])
    unknowns = reference.unknowns
    fig = Figure(figsize=(4 * len(picks), 3.6 * len(unknowns)), layout="constrained")
    for row, name, pred, ref in zip(_grid(fig, len(unknowns), len(picks)), unknowns, predicted.T, reference.values.T):
        ref_plane, _ = view.plane(ref)
        pred_plane, _ = view.plane(pred)
        for ax, k in zip(row, picks):
            ax.plot(x, ref_plane[:, k], "k-", linewidth=2, label="reference")
            ax.plot(x, pred_plane[:, k], "r--", linewidth=2, label="prediction")
            ax.set(xlabel=box.variables[x_axis], ylabel=name, title=f"{box.variables[t_axis]} = {times[k]:.3g}")
        row[-1].legend()
    return _save(fig, path)


def plot_losses(path: Path | None, history: Sequence[dict[str, Any]], components: Sequence[str]) -> Figure:
    """The total loss and each component against iteration, log scale."""
    iterations = [row["iteration"] for row in history]
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    ax.semilogy(iterations, [row["loss"] for row in history], "k-", linewidth=2, label="total")
    if "pde_loss" in history[0]:
        ax.semilogy(iterations, [row["pde_loss"] for row in history], "k--", label="total without priors or penalties")
    for name in components:
        ax.semilogy(iterations, [row[name] for row in history], label=name)
    ax.set(xlabel="iteration", ylabel="loss (unweighted components)", title="training loss")
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    return _save(fig, path)


def plot_error(path: Path | None, history: Sequence[dict[str, Any]]) -> Figure:
    """Relative L2 error on the evaluation grid against iteration, log scale."""
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    ax.semilogy([row["iteration"] for row in history], [row["rel_l2"] for row in history], "b.-")
    ax.set(xlabel="iteration", ylabel="relative L2 error", title="error against the reference")
    ax.grid(True, which="both", alpha=0.3)
    return _save(fig, path)


def plot_slopes(path: Path | None, history: Sequence[dict[str, Any]]) -> Figure:
    """The learned slopes n·a per layer against iteration; per-neuron slopes as mean with a min–max band."""
    iterations = np.array([row["iteration"] for row in history])
    layers = sorted({int(name.split("_")[1]) for name in history[0] if name.startswith("slope_") and name[6].isdigit()})
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    for k in layers:
        if f"slope_{k}" in history[0]:
            ax.plot(iterations, [row[f"slope_{k}"] for row in history], label=f"layer {k}")
            continue
        mean = np.array([row[f"slope_{k}_mean"] for row in history])
        (line,) = ax.plot(iterations, mean, label=f"layer {k} (mean, min–max)")
        low = [row[f"slope_{k}_min"] for row in history]
        high = [row[f"slope_{k}_max"] for row in history]
        ax.fill_between(iterations, low, high, color=line.get_color(), alpha=0.2)
    ax.set(xlabel="iteration", ylabel="slope n·a", title="adaptive activation slopes")
    ax.legend()
    ax.grid(True, alpha=0.3)
    return _save(fig, path)


def plot_parameters(path: Path | None, history: Sequence[dict[str, Any]], true: Mapping[str, float | None]) -> Figure:
    """Each identified coefficient against iteration, one panel each, its true value dashed where known."""
    iterations = [row["iteration"] for row in history]
    fig = Figure(figsize=(4.2 * len(true), 3.6), layout="constrained")
    for ax, (name, value) in zip(np.atleast_1d(fig.subplots(1, len(true))), true.items()):
        ax.plot(iterations, [row[name] for row in history], label="identified")
        if value is not None:
            ax.axhline(value, color="k", linestyle="--", label=f"true {value:.6g}")
        ax.set(xlabel="iteration", ylabel=name, title=name)
        ax.legend()
        ax.grid(True, alpha=0.3)
    return _save(fig, path)


def plot_activations(path: Path | None, layers: Sequence[torch.nn.Module], width: int, *, like: torch.Tensor, neurons: int = 8
) -> Figure:
    """The learned activation of (a sample of) the neurons of each hidden layer, on [−3, 3].

    Each layer is fed the same input in every neuron, so column i of its output is neuron i's
    function; where a layer has a fixed base (adaptive slopes), that base is drawn dashed.
    The input takes the dtype and device of ``like`` (a model parameter).
    """
    x = torch.linspace(-3, 3, 301, dtype=like.dtype, device=like.device)
    picks = np.unique(np.linspace(0, width - 1, min(neurons, width)).round().astype(int))
    fig = Figure(figsize=(3.6 * len(layers), 3.4), layout="constrained")
    for k, (ax, layer) in enumerate(zip(np.atleast_1d(fig.subplots(1, len(layers), sharey=True)), layers), start=1):
        with torch.no_grad():
            curves = layer(x[:, None].expand(-1, width)).cpu().double().numpy()
        grid = x.cpu().numpy()
        for i in picks:
            ax.plot(grid, curves[:, i], linewidth=1.2)
        base = getattr(layer, "function", None)
        if base is not None:
            with torch.no_grad():
                ax.plot(grid, base(x).cpu().numpy(), "k--", linewidth=1.5, label=f"{layer.base}(x)")
            ax.legend(loc="upper left")
        ax.set(xlabel="x", title=f"layer {k}" + (f" ({len(picks)} of {width} neurons)" if len(picks) < width else ""))
        ax.grid(True, alpha=0.3)
    return _save(fig, path)
