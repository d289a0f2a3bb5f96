"""Condition kinds on named pieces: the residuals of exact solutions vanish to 1e-12 through the
loss (its points, normals and engines), and a wrong solution does not."""
import math
from dataclasses import dataclass

import numpy as np
import pytest
import torch

from pinnsolve import derivatives
from pinnsolve.api import compose_config
from pinnsolve.config import ConfigError
from pinnsolve.conditions import Region, dirichlet, initial_rate, neumann, periodic, point_value, robin
from pinnsolve.geometry import Box, Disk, Polygon
from pinnsolve.train.loss import PINNLoss, TrainingPoints
from pinnsolve.problem import Problem, Reference


class Given(Problem):
    """Whatever domain and conditions a test gives, with a residual that asks for nothing."""

    def __init__(self, domain, conditions, unknowns=("u",)):
        self._domain, self._conditions, self.unknowns = domain, conditions, unknowns

    @property
    def domain(self):
        return self._domain

    @property
    def conditions(self):
        return self._conditions

    def residual(self, f):
        return torch.zeros_like(f.tensor[:, 0])

    def reference(self):
        return Reference(np.zeros((1, self.domain.dim)), np.zeros(1), None)


class Closed(torch.nn.Module):
    """A closed-form solution as a model."""

    activations = ()

    def __init__(self, function):
        super().__init__()
        self.function = function

    def forward(self, x):
        values = self.function(x)
        return values[:, None] if values.ndim == 1 else values

    def compute(self, x, ops):
        """Each column as a known function of the inputs (the jets differentiate it by autograd)."""
        columns = self.forward(x).shape[1]
        return ops.join([ops.known(lambda points, i=i: self.forward(points)[:, i], x) for i in range(columns)])


def terms(problem, solution, engine="autograd", n=64):
    """The loss's condition terms for ``solution``, on points drawn as a run draws them."""
    rng = np.random.default_rng(0)

    def draw(count, k):
        return rng.random((count, k))

    regions, normals = {}, {}
    for region in {c.region for c in problem.conditions}:
        if region.kind == "boundary":
            points = problem.domain.boundary(draw, n, region.pieces)
            normals[region] = torch.as_tensor(problem.domain.normals(points))
        elif region.kind == "initial":
            points = problem.domain.initial(draw, n)
        else:
            points = np.asarray(region.points)
        regions[region] = torch.as_tensor(points)
    loss = PINNLoss(problem, derivatives.engine(engine))
    _, values = loss(Closed(solution), TrainingPoints(torch.as_tensor(problem.domain.interior(draw, n)), regions, normals))
    return {name: float(value.detach()) for name, value in values.items() if name != "residual"}


def squared(x):
    return x[:, 0] ** 2 + x[:, 1] ** 2


@pytest.mark.parametrize("engine", ["autograd", "jets"])
def test_neumann_on_a_disk_and_on_a_polygons_edge(engine):
    disk = Disk((0.0, 0.0), 0.8)
    # u = x² + y²: ∂u/∂n = 2r = 1.6 on the circle
    assert terms(Given(disk, (neumann("flux", Region.BOUNDARY, 1.6),)), squared, engine)["flux"] < 1e-24
    assert terms(Given(disk, (neumann("flux", Region.BOUNDARY, 1.0),)), squared, engine)["flux"] == pytest.approx(0.36)
    # u = cos(πx/2) cos(πy/2) is insulated on x = 0 and y = 0 of the L-shape
    shape = Polygon(((0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)), edge_names=("bottom", "b", "c", "d", "e", "left"))

    def cosines(x):
        return torch.cos(math.pi * x[:, 0] / 2) * torch.cos(math.pi * x[:, 1] / 2)

    insulated = terms(Given(shape, (neumann("insulated", Region.boundary("left", "bottom")),)), cosines, engine)
    assert insulated["insulated"] < 1e-24
    assert terms(Given(shape, (neumann("not", Region.boundary("c")),)), cosines, engine)["not"] > 1e-2


@pytest.mark.parametrize("engine", ["autograd", "jets"])
def test_robin_on_a_rectangles_side(engine):
    box = Box(("x", "y"), (0.0, 0.0), (1.0, 2.0))

    def solution(x):
        return torch.exp(x[:, 0]) * (1 + x[:, 1])

    # on the right side x = 1: 2u + 3 ∂u/∂x = 5e(1 + y)
    condition = robin("robin", Region.boundary("right"), a=2.0, b=3.0, value=lambda p: 5 * math.e * (1 + p["y"]))
    assert terms(Given(box, (condition,)), solution, engine)["robin"] < 1e-24
    # on the left side x = 0 the outward normal is −x: 2u − 3 ∂u/∂x = −(1 + y)
    left = robin("robin", Region.boundary("left"), a=2.0, b=3.0, value=lambda p: -(1 + p["y"]))
    assert terms(Given(box, (left,)), solution, engine)["robin"] < 1e-24


@pytest.mark.parametrize("engine", ["autograd", "jets"])
def test_periodic_value_and_derivative_across_opposite_sides(engine):
    box = Box(("x", "t"), (-1.0, 0.0), (1.0, 1.0), time="t")

    def wave(x):
        return torch.sin(math.pi * x[:, 0] + 0.3) * torch.exp(-x[:, 1])

    conditions = (periodic("value", "left", (2.0, 0.0)), periodic("slope", "left", (2.0, 0.0), derivative=("x",)))
    found = terms(Given(box, conditions), wave, engine)
    assert found["value"] < 1e-24 and found["slope"] < 1e-24

    def not_periodic(x):
        return x[:, 0] ** 2 + x[:, 0]

    assert terms(Given(box, conditions), not_periodic, engine)["value"] == pytest.approx(4.0)


def test_a_value_at_a_point_on_one_unknown_of_several():
    box = Box.unit_cube(2)

    def flow(x):
        return torch.stack([x[:, 0], x[:, 1], 1 + x[:, 0] - 2 * x[:, 1]], dim=1)

    problem = Given(box, (point_value("pressure", [(0.0, 0.0), (0.5, 0.25)], 1.0, unknown="p"),), unknowns=("u", "v", "p"))
    assert terms(problem, flow)["pressure"] < 1e-30
    problem = Given(box, (point_value("pressure", [(1.0, 0.0)], 1.0, unknown="p"),), unknowns=("u", "v", "p"))
    assert terms(problem, flow)["pressure"] == pytest.approx(1.0)


def test_dirichlet_on_pieces_and_an_initial_rate_of_a_named_unknown():
    box = Box(("x", "y", "t"), (0.0, 0.0, 0.0), (1.0, 1.0, 1.0), time="t")

    def fields(x):
        return torch.stack([x[:, 0] * x[:, 2], torch.sin(x[:, 1]) + 3 * x[:, 2]], dim=1)

    conditions = (
        dirichlet("u_left", Region.boundary("left"), unknown="u"),
        dirichlet("v_top", Region.boundary("top"), lambda p: math.sin(1.0) + 3 * p["t"], unknown="v"),
        initial_rate("v_rate", "t", 3.0, unknown="v"),
    )
    found = terms(Given(box, conditions, unknowns=("u", "v")), fields)
    assert max(found.values()) < 1e-28, found


def test_regions_and_refusals():
    with pytest.raises(ValueError, match="a normal derivative is taken on the boundary, not on initial"):
        neumann("n", Region.INITIAL)
    with pytest.raises(ValueError, match="only a boundary region has pieces"):
        Region("initial", ("left",))
    assert Region.boundary("top", "left").value == "boundary[top,left]"
    assert Region.at([(0, 0.5)]).value == "points[(0, 0.5)]"


def test_point_values_of_a_condition_are_read_at_the_points():
    condition = point_value("p0", [(0.0, 0.0)], lambda p: p["x"] + 2.0)
    f = derivatives.Field(torch.zeros(1, 2, dtype=torch.float64), torch.tensor([5.0], dtype=torch.float64), ("x", "y"))
    assert float(condition.residual(f)) == 3.0


@dataclass(frozen=True)
class Misplaced(Problem):
    """A problem whose condition names a piece its domain does not have, or points outside it."""

    mistake: str

    @property
    def domain(self):
        return Box.unit_cube(2)

    @property
    def conditions(self):
        if self.mistake == "piece":
            return (dirichlet("roof", Region.boundary("roof")),)
        if self.mistake == "point":
            return (point_value("p0", [(2.0, 0.0)]),)
        if self.mistake == "image":
            return (periodic("wrap", "left", (0.5, 0.0)),)
        return (periodic("wrap", "left", (1.0,)),)

    def residual(self, f):
        return f.laplacian(("x", "y"))

    def reference(self):
        return Reference(np.zeros((1, 2)), np.zeros(1), None)


@pytest.mark.parametrize(("mistake", "message"), [
    ("piece", r"problem \(misplaced\): condition 'roof': \[0, 1\] × \[0, 1\] has no boundary piece \['roof'\]; its pieces are "
              r"\['x_min', 'left', 'x_max', 'right', 'y_min', 'bottom', 'y_max', 'top'\]"),
    ("point", r"condition 'p0': its points \[\(2.0, 0.0\)\] are not points of \[0, 1\] × \[0, 1\] in \['x', 'y'\]"),
    ("shift", r"condition 'wrap': its shift needs 2 components \(\['x', 'y'\]\), got \[1.0\]"),
    ("image", r"condition 'wrap': \['left'\] moved by \[0.5, 0.0\] does not land on the boundary of \[0, 1\] × \[0, 1\]"),
])
def test_a_condition_on_a_region_the_domain_does_not_have_is_refused_up_front(mistake, message):
    with pytest.raises(ConfigError, match=message):
        compose_config("trainer.progress_bar=false", problem=Misplaced(mistake))


def test_a_part_of_the_boundary_chosen_by_a_predicate():
    box = Box(("x", "y"), (0.0, 0.0), (2.0, 1.0))
    inlet = Region.part("inlet", lambda p: p[:, 1] > 0.5, "left")
    assert inlet.value == "boundary{inlet}[left]"
    points = box.boundary_where(lambda n, k: np.random.default_rng(0).random((n, k)), 300, inlet.pieces, inlet.where)
    assert points.shape == (300, 2) and (points[:, 0] == 0).all() and (points[:, 1] > 0.5).all()

    def solution(x):
        return torch.where(x[:, 1] > 0.5, torch.zeros_like(x[:, 0]), x[:, 1] + 1)

    problem = Given(box, (dirichlet("inlet", inlet),))
    rng = np.random.default_rng(1)
    drawn = box.boundary_where(lambda n, k: rng.random((n, k)), 50, inlet.pieces, inlet.where)
    loss = PINNLoss(problem, derivatives.engine("autograd"))
    _, values = loss(Closed(solution), TrainingPoints(torch.zeros(1, 2, dtype=torch.float64), {inlet: torch.as_tensor(drawn)}))
    assert float(values["inlet"].detach()) == 0.0
