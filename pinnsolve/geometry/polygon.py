"""A simple polygon in the plane (an L-shape, a backward-facing step), each edge a boundary piece."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pinnsolve.geometry.base import Geometry, UnitDraw, by_rejection, split_by_measure


@dataclass(frozen=True)
class Polygon(Geometry):
    """The closed polygon with ``vertices`` (in either orientation; no edge may cross another).
    Edge i runs from vertex i to vertex i + 1 and is the boundary piece ``edge_names[i]``
    (default ``edge0``, ``edge1``, ...). No smooth distance: a hard constraint is refused."""

    vertices: tuple[tuple[float, float], ...]
    variables: tuple[str, ...] = ("x", "y")
    edge_names: tuple[str, ...] = ()
    time: None = None

    def __post_init__(self) -> None:
        vertices = tuple(tuple(float(c) for c in v) for v in self.vertices)
        if len(vertices) < 3 or any(len(v) != 2 for v in vertices):
            raise ValueError(f"a polygon needs at least 3 vertices of 2 coordinates, got {self.vertices}")
        if len(self.variables) != 2:
            raise ValueError(f"a polygon lies in 2 variables, got {self.variables}")
        names = self.edge_names or tuple(f"edge{i}" for i in range(len(vertices)))
        if len(names) != len(vertices) or len(set(names)) != len(names):
            raise ValueError(f"a polygon of {len(vertices)} edges needs as many distinct edge names, got {self.edge_names}")
        object.__setattr__(self, "vertices", vertices)
        object.__setattr__(self, "edge_names", names)
        if abs(self._signed_area()) < 1e-14:
            raise ValueError(f"the polygon {vertices} encloses no area")

    def _signed_area(self) -> float:
        v = np.asarray(self.vertices)
        w = np.roll(v, -1, axis=0)
        return 0.5 * float(np.sum(v[:, 0] * w[:, 1] - w[:, 0] * v[:, 1]))

    @property
    def _edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Each edge's start and end, shape (E, 2) each."""
        start = np.asarray(self.vertices)
        return start, np.roll(start, -1, axis=0)

    @property
    def low(self) -> tuple[float, ...]:
        return tuple(np.min(self.vertices, axis=0).tolist())

    @property
    def high(self) -> tuple[float, ...]:
        return tuple(np.max(self.vertices, axis=0).tolist())

    @property
    def pieces(self) -> tuple[str, ...]:
        return self.edge_names

    def signed_distance(self, points: np.ndarray) -> np.ndarray:
        """± the distance to the nearest edge, + inside (even–odd rule)."""
        start, end = self._edges
        p = points[:, None, :]
        edge = end - start
        s = np.clip(np.sum((p - start) * edge, axis=2) / np.sum(edge * edge, axis=1), 0.0, 1.0)
        nearest = np.min(np.linalg.norm(p - (start + s[..., None] * edge), axis=2), axis=1)
        # a ray towards +x crosses each edge that straddles the point's height to its right
        y, x = points[:, 1:2], points[:, 0:1]
        straddles = (start[:, 1] > y) != (end[:, 1] > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            crossing = start[:, 0] + (y - start[:, 1]) * edge[:, 0] / edge[:, 1]
        inside = np.sum(straddles & (x < crossing), axis=1) % 2 == 1
        return np.where(inside, nearest, -nearest)

    def volume(self) -> float:
        return abs(self._signed_area())

    def _lengths(self) -> np.ndarray:
        start, end = self._edges
        return np.linalg.norm(end - start, axis=1)

    def boundary_measure(self, pieces: tuple[str, ...] = ()) -> float:
        self.check_pieces(pieces)
        return float(sum(length for name, length in zip(self.edge_names, self._lengths()) if not pieces or name in pieces))

    def interior(self, draw: UnitDraw, n: int) -> np.ndarray:
        return by_rejection(draw, n, self.lower, self.upper, lambda p: self.signed_distance(p) > 0)

    def boundary(self, draw: UnitDraw, n: int, pieces: tuple[str, ...] = ()) -> np.ndarray:
        self.check_pieces(pieces)
        start, end = self._edges
        chosen = [i for i, name in enumerate(self.edge_names) if not pieces or name in pieces]
        counts = split_by_measure(n, [float(self._lengths()[i]) for i in chosen])
        parts = [start[i] + draw(count, 1) * (end[i] - start[i]) for i, count in zip(chosen, counts) if count]
        return np.concatenate(parts, axis=0)

    def normals(self, points: np.ndarray) -> np.ndarray:
        """The outward normal of the nearest edge (at a vertex, of the first edge in order)."""
        start, end = self._edges
        edge = end - start
        outward = np.stack([edge[:, 1], -edge[:, 0]], axis=1) / self._lengths()[:, None]
        if self._signed_area() < 0:  # clockwise vertices: the right-hand normal points inside
            outward = -outward
        p = points[:, None, :]
        s = np.clip(np.sum((p - start) * edge, axis=2) / np.sum(edge * edge, axis=1), 0.0, 1.0)
        nearest = np.argmin(np.linalg.norm(p - (start + s[..., None] * edge), axis=2), axis=1)
        return outward[nearest]

    def describe(self) -> str:
        return "the polygon " + " → ".join(f"({x:g}, {y:g})" for x, y in self.vertices)

