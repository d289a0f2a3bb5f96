"""Samplers return the requested counts in the right parts of the domain: boxes and balls."""
import math

import numpy as np
import pytest
import torch

from pinnsolve.geometry import Ball, Box, split_by_measure
from pinnsolve.geometry.samplers import SAMPLERS, CollocationSampler

BOXES = {
    "space-time": Box(("x", "t"), (-1.0, 0.0), (1.0, 10.0), time="t"),
    "square": Box(("x", "y"), (-1.0, -1.0), (1.0, 1.0)),
    "cube": Box(("x", "y", "z"), (0.0, 0.0, 0.0), (1.0, 2.0, 3.0)),
    "interval": Box(("x",), (0.0,), (1.0,)),
}


@pytest.mark.parametrize("sampler", sorted(SAMPLERS))
@pytest.mark.parametrize("box", sorted(BOXES))
@pytest.mark.parametrize("n", [1, 37, 400])
def test_counts_and_regions(sampler, box, n):
    domain = BOXES[box]
    draw = CollocationSampler(domain, SAMPLERS[sampler](), np.random.default_rng(0))
    interior = draw.interior(n)
    assert interior.shape == (n, domain.dim)
    assert domain.contains(interior).all()
    boundary = draw.boundary(n)
    assert boundary.shape == (n, domain.dim)
    assert domain.on_boundary(boundary).all()
    if domain.time is not None:
        initial = draw.initial(n)
        assert initial.shape == (n, domain.dim)
        assert domain.contains(initial).all()
        assert (initial[:, domain.time_index] == 0.0).all()


@pytest.mark.parametrize("sampler", sorted(SAMPLERS))
def test_points_cover_the_domain(sampler):
    # every quarter of the square receives about a quarter of the points
    domain = BOXES["square"]
    points = CollocationSampler(domain, SAMPLERS[sampler](), np.random.default_rng(1)).interior(4000)
    quadrants = np.histogram2d(points[:, 0], points[:, 1], bins=2, range=[[-1, 1], [-1, 1]])[0]
    assert np.all(np.abs(quadrants - 1000) < 100), quadrants


def test_boundary_points_split_by_face_measure():
    # x = 0 and x = 1 faces of [0,1]×[0,2]×[0,3] have area 6, y faces 3, z faces 2
    domain = BOXES["cube"]
    points = CollocationSampler(domain, SAMPLERS["uniform"](), np.random.default_rng(0)).boundary(220)
    on = lambda axis, value: int(np.sum(np.isclose(points[:, axis], value)))
    assert (on(0, 0.0), on(0, 1.0), on(1, 0.0), on(1, 2.0), on(2, 0.0), on(2, 3.0)) == (60, 60, 30, 30, 20, 20)


def test_time_dependent_boundary_spans_the_time_interval():
    domain = BOXES["space-time"]
    points = CollocationSampler(domain, SAMPLERS["lhs"](), np.random.default_rng(0)).boundary(500)
    assert set(np.unique(points[:, 0])) == {-1.0, 1.0}
    assert points[:, 1].min() < 0.5 and points[:, 1].max() > 9.5


def test_same_seed_same_points_other_seed_other_points():
    domain = BOXES["square"]
    draw = lambda seed: CollocationSampler(domain, SAMPLERS["sobol"](), np.random.default_rng(seed)).interior(64)
    np.testing.assert_array_equal(draw(3), draw(3))
    assert not np.array_equal(draw(3), draw(4))


@pytest.mark.parametrize(("n", "d", "seed"), [(1, 1, 0), (37, 2, 1), (400, 3, 7), (1000, 5, 2**40)])
def test_latin_hypercube_draws_what_scipys_draws_and_leaves_the_generator_as_it_does(n, d, seed):
    from scipy.stats import qmc

    ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
    for _ in range(3):  # successive draws: each spawns the next child of the seed sequence
        np.testing.assert_array_equal(SAMPLERS["lhs"]()(n, d, ours), qmc.LatinHypercube(d=d, rng=theirs).random(n))
    assert ours.bit_generator.seed_seq.n_children_spawned == theirs.bit_generator.seed_seq.n_children_spawned == 3
    assert ours.bit_generator.state == theirs.bit_generator.state


def test_ball_directions_are_scipys_gaussian_quantiles_normalised():
    from scipy.stats import norm

    unit = np.random.default_rng(0).random((500, 3))
    unit[:2] = [[0.0, 0.5, 1.0], [0.5, 0.5, 0.5]]  # the clipped ends, and a zero vector left as it is
    gaussian = norm.ppf(np.clip(unit, 1e-12, 1 - 1e-12))
    length = np.linalg.norm(gaussian, axis=1, keepdims=True)
    expected = gaussian / np.where(length > 0, length, 1.0)
    np.testing.assert_array_equal(Ball(("x", "y", "z"), (0.0, 0.0, 0.0), 1.0)._directions(unit), expected)


def test_split_by_measure_is_exact_and_proportional():
    assert split_by_measure(10, [1, 1, 1]) == [4, 3, 3]
    # 7·[1/2, 1/4, 1/8, 1/8] = [3.5, 1.75, 0.875, 0.875]: floors [3, 1, 0, 0], three more by remainder
    assert split_by_measure(7, [2.0, 1.0, 0.5, 0.5]) == [3, 2, 1, 1]
    assert sum(split_by_measure(1001, [0.3, 0.3, 0.4])) == 1001


def test_no_initial_set_without_time():
    with pytest.raises(ValueError, match="no time variable"):
        CollocationSampler(BOXES["square"], SAMPLERS["lhs"](), np.random.default_rng(0)).initial(3)


@pytest.mark.parametrize("sampler", sorted(SAMPLERS))
def test_a_saved_state_continues_the_same_draws(sampler):
    # scipy's quasi-random engines draw from a child they spawn off the generator, so the state is
    # the bit generator's and the seed sequence's count of children: both must come back
    def fresh():
        return CollocationSampler(BOXES["square"], SAMPLERS[sampler](), np.random.default_rng(3))

    first = fresh()
    first.interior(50), first.boundary(20)
    state = first.state_dict()
    expected = np.concatenate([first.interior(50), first.boundary(20)])
    second = fresh()
    second.interior(10)  # the resumed run's sampler has drawn its initial points only
    second.load_state_dict(state)
    np.testing.assert_array_equal(np.concatenate([second.interior(50), second.boundary(20)]), expected)


BALLS = {
    "disk": Ball(("x", "y"), (0.0, 0.0), 1.0),
    "shifted 3-ball": Ball(("x", "y", "z"), (1.0, -2.0, 0.5), 2.5),
    "10-ball": Ball(tuple(f"x{i + 1}" for i in range(10)), (0.0,) * 10, 1.0),
    "interval": Ball(("x",), (0.5,), 0.25),
}
# the random and quasi-random families: the grid's cell centres are not meant to look uniform
UNIFORM_FAMILIES = ["uniform", "lhs", "sobol", "halton"]


def _ks_distance(samples: np.ndarray) -> float:
    """Kolmogorov–Smirnov distance of ``samples`` from the uniform distribution on [0, 1]."""
    ordered = np.sort(samples)
    n = len(ordered)
    return float(max((np.arange(1, n + 1) / n - ordered).max(), (ordered - np.arange(n) / n).max()))


@pytest.mark.parametrize("sampler", sorted(SAMPLERS))
@pytest.mark.parametrize("ball", sorted(BALLS))
def test_ball_points_lie_inside_and_on_the_sphere(sampler, ball):
    domain = BALLS[ball]
    draw = CollocationSampler(domain, SAMPLERS[sampler](), np.random.default_rng(0))
    interior, boundary = draw.interior(300), draw.boundary(120)
    assert interior.shape == (300, domain.dim) and boundary.shape == (120, domain.dim)
    radii = np.linalg.norm(interior - np.asarray(domain.centre), axis=1)
    assert (radii < domain.radius).all()
    assert domain.contains(interior).all()
    np.testing.assert_allclose(np.linalg.norm(boundary - np.asarray(domain.centre), axis=1), domain.radius, rtol=1e-14)
    assert domain.on_boundary(boundary, tol=1e-13).all()
    assert not domain.on_boundary(interior, tol=1e-13).any()


@pytest.mark.parametrize("sampler", UNIFORM_FAMILIES)
@pytest.mark.parametrize("ball", ["disk", "shifted 3-ball", "10-ball"])
def test_ball_interior_points_are_uniform_in_volume(sampler, ball):
    # uniform in a d-ball: (r/R)^d is uniform on [0, 1], the mean is the centre and the covariance
    # R²/(d + 2)·I. The KS bound is the 0.1 % critical value 1.95/√n of the random case; the
    # quasi-random families must be at least that uniform
    domain, n = BALLS[ball], 8192
    points = CollocationSampler(domain, SAMPLERS[sampler](), np.random.default_rng(7)).interior(n)
    shifted = (points - np.asarray(domain.centre)) / domain.radius
    assert _ks_distance(np.linalg.norm(shifted, axis=1) ** domain.dim) < 1.95 / math.sqrt(n)
    d = domain.dim
    # standard errors: of the mean √(1/((d+2)n)) ≈ 0.005, of a covariance entry about as much
    np.testing.assert_allclose(shifted.mean(axis=0), 0.0, atol=0.03)
    np.testing.assert_allclose(np.cov(shifted.T), np.eye(d) / (d + 2), atol=0.03)


@pytest.mark.parametrize("sampler", UNIFORM_FAMILIES)
def test_sphere_points_are_uniform_on_the_sphere(sampler):
    # on the unit sphere in d = 3 each coordinate is uniform on [−1, 1] (Archimedes), so
    # (x_i + 1)/2 passes the uniform KS test; the second moments are I/3
    domain, n = BALLS["shifted 3-ball"], 8192
    points = CollocationSampler(domain, SAMPLERS[sampler](), np.random.default_rng(8)).boundary(n)
    unit = (points - np.asarray(domain.centre)) / domain.radius
    for i in range(3):
        assert _ks_distance((unit[:, i] + 1) / 2) < 1.95 / math.sqrt(n), i
    np.testing.assert_allclose(unit.T @ unit / n, np.eye(3) / 3, atol=0.03)


def test_ball_distance_vanishes_on_the_sphere_and_evaluation_points_are_fixed():
    domain = BALLS["shifted 3-ball"]
    sphere = torch.as_tensor(CollocationSampler(domain, SAMPLERS["uniform"](), np.random.default_rng(0)).boundary(50))
    assert domain.distance(sphere).abs().max().item() < 1e-14
    centre = torch.tensor([domain.centre], dtype=torch.float64)
    assert domain.distance(centre).item() == domain.radius
    first, shape = domain.evaluation_points(1000)
    again, _ = domain.evaluation_points(1000)
    assert shape is None and first.shape == (1000, 3) and domain.contains(first).all()
    np.testing.assert_array_equal(first, again)  # every run is measured at the same points


def test_a_ball_refuses_nonzero_data_for_a_hard_constraint():
    with pytest.raises(ValueError, match="only zero boundary data"):
        BALLS["disk"].extension(lambda p: torch.ones_like(p["x"]))
    # zero data needs no extension: the box's and the ball's φ·N meet it
    assert callable(BOXES["square"].extension(lambda p: p["x"]))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Ball(("x", "y"), (0.0,), 1.0), "centre of 2 coordinates"),
        (lambda: Ball(("x", "y"), (0.0, 0.0), 0.0), "radius must be positive"),
        (lambda: Ball(("x", "x"), (0.0, 0.0), 1.0), "distinct"),
    ],
)
def test_a_malformed_ball_is_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()
