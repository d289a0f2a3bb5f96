"""Samplers return the requested counts in the right parts of the domain."""
import numpy as np
import pytest

from pinnsolve.geometry import Box
from pinnsolve.samplers import SAMPLERS, CollocationSampler, split_by_measure

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
