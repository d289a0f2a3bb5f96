"""Shapes and their combinations against closed forms: areas, perimeters, normals, named pieces,
and samplers uniform by measure (statistical tests with fixed seeds)."""
import math

import numpy as np
import pytest
import torch
from scipy import stats

from pinnsolve.geometry import Ball, Box, Disk, Polygon, TimeProduct

# the L-shape [0,2]² minus [1,2]², counter-clockwise; and the backward-facing step
L_SHAPE = Polygon(((0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)))
STEP = Polygon(((0, 0.5), (1, 0.5), (1, 0), (4, 0), (4, 1), (0, 1)),
               edge_names=("inlet_floor", "step", "floor", "outlet", "ceiling", "inlet"))
PLATE = Box(("x", "y"), (-0.5, -0.5), (0.5, 0.5))
HOLE = Disk((0.2, 0.1), 0.15, name="hole")


def draw(seed=0):
    rng = np.random.default_rng(seed)
    return lambda n, k: rng.random((n, k))


# shape, area, perimeter (closed forms; the combinations' are estimates, so compared at 1 %)
SHAPES = {
    "box": (Box(("x", "y"), (0.0, -1.0), (2.0, 0.5)), 3.0, 7.0, 1e-12),
    "disk": (Disk((0.0, 0.0), 0.7), math.pi * 0.49, 2 * math.pi * 0.7, 1e-12),
    "ball_3d": (Ball(("x", "y", "z"), (0.0, 0.0, 0.0), 2.0), 4 / 3 * math.pi * 8, 4 * math.pi * 4, 1e-12),
    "l_shape": (L_SHAPE, 3.0, 8.0, 1e-12),
    "step": (STEP, 3.5, 10.0, 1e-12),
    "plate_with_hole": (PLATE - HOLE, 1 - math.pi * 0.15**2, 4 + 2 * math.pi * 0.15, 1e-2),
    "two_disks_union": (Disk((0, 0), 1.0, name="a") | Disk((1, 0), 1.0, name="b"),
                        2 * math.pi - (2 * math.pi / 3 - math.sqrt(3) / 2), 2 * (2 * math.pi - 2 * math.pi / 3), 1e-2),
    "lens": (Disk((0, 0), 1.0, name="a") & Disk((1, 0), 1.0, name="b"),
             2 * math.pi / 3 - math.sqrt(3) / 2, 2 * (2 * math.pi / 3), 1e-2),
    "cube_minus_ball": (Box.unit_cube(3) - Ball(("x", "y", "z"), (0.5, 0.5, 0.5), 0.3),
                        1 - 4 / 3 * math.pi * 0.027, 6 + 4 * math.pi * 0.09, 1e-2),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_areas_and_perimeters_against_closed_forms(name):
    shape, area, perimeter, tolerance = SHAPES[name]
    assert shape.volume() == pytest.approx(area, rel=tolerance)
    assert shape.boundary_measure() == pytest.approx(perimeter, rel=tolerance)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_sampled_points_lie_inside_and_on_the_boundary_with_unit_outward_normals(name):
    shape = SHAPES[name][0]
    inside = shape.interior(draw(1), 2000)
    assert inside.shape == (2000, shape.dim) and shape.contains(inside).all()
    edge = shape.boundary(draw(2), 1000)
    assert edge.shape == (1000, shape.dim) and shape.on_boundary(edge, tol=1e-9).all()
    normals = shape.normals(edge)
    np.testing.assert_allclose(np.linalg.norm(normals, axis=1), 1.0, atol=1e-12)
    # outward: a small step along the normal leaves the domain, a step against it enters
    step = 1e-5
    assert (shape.signed_distance(edge + step * normals) < 0).mean() > 0.99
    assert (shape.signed_distance(edge - step * normals) > 0).mean() > 0.99


def test_the_normals_of_a_hole_point_into_the_hole_and_the_plates_out_of_the_plate():
    plate = PLATE - HOLE
    on_hole = plate.boundary(draw(), 200, ("hole",))
    np.testing.assert_allclose(np.linalg.norm(on_hole - [0.2, 0.1], axis=1), 0.15, atol=1e-14)
    np.testing.assert_allclose(plate.normals(on_hole), -(on_hole - [0.2, 0.1]) / 0.15, atol=1e-12)
    on_right = plate.boundary(draw(), 50, ("right",))
    np.testing.assert_allclose(on_right[:, 0], 0.5)
    np.testing.assert_allclose(plate.normals(on_right), np.tile([1.0, 0.0], (50, 1)))


def test_polygon_edges_are_named_pieces_with_their_own_normals():
    assert STEP.pieces == ("inlet_floor", "step", "floor", "outlet", "ceiling", "inlet")
    expected = {"inlet_floor": (0, -1), "step": (-1, 0), "floor": (0, -1), "outlet": (1, 0), "ceiling": (0, 1), "inlet": (-1, 0)}
    for piece, normal in expected.items():
        points = STEP.boundary(draw(), 30, (piece,))
        np.testing.assert_allclose(STEP.normals(points), np.tile(normal, (30, 1)), atol=1e-12, err_msg=piece)
    assert STEP.boundary_measure(("outlet", "inlet")) == pytest.approx(1.5)
    clockwise = Polygon(tuple(reversed(L_SHAPE.vertices)))
    edge = clockwise.boundary(draw(), 100)
    np.testing.assert_allclose(clockwise.normals(edge), L_SHAPE.normals(edge), atol=1e-12)
    with pytest.raises(ValueError, match=r"has no boundary piece \['roof'\]; its pieces are"):
        STEP.boundary(draw(), 10, ("roof",))


def test_a_rectangles_sides_are_named_pieces_split_by_length():
    box = Box(("x", "y"), (0.0, 0.0), (3.0, 1.0))
    points = box.boundary(draw(), 800, ("bottom", "left"))
    on_bottom = np.isclose(points[:, 1], 0.0)
    on_left = np.isclose(points[:, 0], 0.0)
    assert (on_bottom | on_left).all()
    assert on_bottom.sum() == 600 and on_left.sum() == 200  # 3 : 1 by length
    assert box.boundary_measure(("top",)) == 3.0 and box.boundary_measure(("y_max",)) == 3.0


def _ks_uniform(values, low, high):
    return stats.kstest((values - low) / (high - low), "uniform").pvalue


def test_interior_points_of_a_plate_with_a_hole_are_uniform_by_area():
    plate = PLATE - HOLE
    points = plate.interior(draw(3), 20000)
    # the share of points in a test region equals its share of the area; here the half x < 0,
    # which the hole does not touch: area 0.5 of 1 − π·0.15²
    share = 0.5 / plate.volume()
    observed = np.mean(points[:, 0] < 0)
    assert abs(observed - share) < 4 * math.sqrt(share * (1 - share) / len(points))
    # and within x < 0 the points are uniform in each coordinate
    left = points[points[:, 0] < 0]
    assert _ks_uniform(left[:, 0], -0.5, 0.0) > 1e-3 and _ks_uniform(left[:, 1], -0.5, 0.5) > 1e-3


def test_boundary_points_of_a_plate_with_a_hole_are_uniform_by_length():
    plate = PLATE - HOLE
    points = plate.boundary(draw(4), 20000)
    on_hole = np.isclose(np.linalg.norm(points - [0.2, 0.1], axis=1), 0.15, atol=1e-12)
    share = 2 * math.pi * 0.15 / (4 + 2 * math.pi * 0.15)
    assert abs(on_hole.mean() - share) < 4 * math.sqrt(share * (1 - share) / len(points))
    angles = np.arctan2(points[on_hole, 1] - 0.1, points[on_hole, 0] - 0.2)
    assert _ks_uniform(angles, -math.pi, math.pi) > 1e-3


def test_a_shape_times_a_time_interval():
    domain = TimeProduct(L_SHAPE, 0.0, 2.0)
    assert domain.variables == ("x", "y", "t") and domain.time == "t" and domain.spatial == (0, 1)
    assert domain.low == (0.0, 0.0, 0.0) and domain.high == (2.0, 2.0, 2.0)
    edge = domain.boundary(draw(), 500, ("edge2",))
    np.testing.assert_allclose(edge[:, 1], 1.0)  # edge 2 runs from (2, 1) to (1, 1)
    assert ((edge[:, 2] >= 0) & (edge[:, 2] <= 2)).all()
    np.testing.assert_allclose(domain.normals(edge), np.tile([0.0, 1.0, 0.0], (500, 1)), atol=1e-12)
    start = domain.initial(draw(), 100)
    assert (start[:, 2] == 0).all() and L_SHAPE.contains(start[:, :2]).all()
    assert domain.on_boundary(edge, tol=1e-9).all() and not domain.on_boundary(start, tol=1e-9).any()


def test_the_hard_constraints_distance_vanishes_on_the_boundary_of_a_combination_and_is_positive_inside():
    plate = PLATE - HOLE
    edge = torch.as_tensor(plate.boundary(draw(), 400))
    assert plate.distance(edge).abs().max() < 1e-12
    inside = torch.as_tensor(plate.interior(draw(1), 400))
    assert (plate.distance(inside) > 0).all()
    with pytest.raises(ValueError, match="no smooth distance"):
        L_SHAPE.distance(torch.zeros(1, 2, dtype=torch.float64))


def test_combined_shapes_need_distinct_piece_names():
    with pytest.raises(ValueError, match=r"distinct names; \['circle'\] repeat"):
        PLATE - (Disk((0.2, 0.2), 0.1) | Disk((-0.2, -0.2), 0.1))
