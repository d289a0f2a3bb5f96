"""Residual-based adaptive resampling (RAD): the density it draws from, and its use in training."""
import numpy as np
import pytest
import torch

from pinnsolve.assemble import assemble
from pinnsolve.geometry import Box
from pinnsolve.train.resampling import ResidualAdaptive, Uniform
from pinnsolve.geometry.samplers import CollocationSampler, Uniform as UniformUnit

from conftest import tiny_config


def sampler(seed=0):
    return CollocationSampler(Box(("x",), (0.0,), (1.0,)), UniformUnit(), np.random.default_rng(seed))


@pytest.mark.parametrize(("k", "c", "mean"), [(1.0, 0.0, 2 / 3), (1.0, 1.0, 7 / 12), (2.0, 0.0, 3 / 4), (0.0, 0.0, 1 / 2)])
def test_rad_draws_with_density_proportional_to_residual_power_plus_c(k, c, mean):
    # |r(x)| = x on [0, 1]: p ∝ x^k / mean(x^k) + c, whose mean is known in closed form
    # (k=1,c=0: 2/3; k=1,c=1: ∫x(2x+1)/∫(2x+1) = 7/12; k=2,c=0: 3/4; k=0: uniform, 1/2)
    rad = ResidualAdaptive(sampler(), n=2000, candidates=200_000, k=k, c=c)
    points = rad(lambda p: p[:, 0])
    assert points.shape == (2000, 1)
    assert len(np.unique(points[:, 0])) == 2000  # without replacement
    assert points[:, 0].mean() == pytest.approx(mean, abs=0.015)


def test_rad_is_reproducible_from_the_seed():
    first = ResidualAdaptive(sampler(7), n=50, candidates=500, k=1, c=1)(lambda p: np.sin(9 * p[:, 0]))
    second = ResidualAdaptive(sampler(7), n=50, candidates=500, k=1, c=1)(lambda p: np.sin(9 * p[:, 0]))
    assert np.array_equal(first, second)


def test_rad_without_usable_residuals_draws_uniformly():
    points = ResidualAdaptive(sampler(), n=100, candidates=400, k=1, c=0)(lambda p: np.zeros(len(p)))
    assert points.shape == (100, 1)


def test_rad_checks_its_settings():
    with pytest.raises(ValueError, match="at least as many candidates"):
        ResidualAdaptive(sampler(), n=10, candidates=5, k=1, c=1)
    with pytest.raises(ValueError, match="k ≥ 0 and c ≥ 0"):
        ResidualAdaptive(sampler(), n=10, candidates=50, k=-1, c=1)


def test_uniform_resampling_redraws_interior_points():
    points = Uniform(sampler(), 30)(lambda p: pytest.fail("uniform needs no residual"))
    assert points.shape == (30, 1) and (0 <= points).all() and (points <= 1).all()


@pytest.mark.parametrize("mode", ["uniform", "rad"])
@pytest.mark.parametrize("reset", ["false", "true"])
def test_training_resamples_in_every_phase(mode, reset):
    cfg = tiny_config("burgers", f"sampler.resample={mode}", "sampler.resample_every=3", "sampler.rad.candidates=500",
                      "trainer.adam.iterations=4", "trainer.quasi_newton.iterations=8",
                      f"trainer.quasi_newton.reset_on_resample={reset}")
    parts = assemble(cfg)
    draws = []
    original = parts.trainer.resample
    parts.trainer.resample = lambda model: draws.append(original(model)) or draws[-1]
    result = parts.trainer.fit(parts.model)
    assert result.status == "completed", result.stop_reason
    assert result.iterations == {"adam": 4, "quasi_newton": 8}
    assert len(draws) == 3  # after iterations 3, 6 and 9: once in Adam, twice in the quasi-Newton phase
    assert all(d.shape == (64, 2) for d in draws)
    assert not torch.equal(draws[0], draws[1])
    assert all(np.isfinite(row["loss"]) for row in result.history)


def test_residual_concentrates_rad_points_where_the_pde_is_violated():
    # an untrained Burgers network, |r| between about 0.3 and 0.55: RAD with k = 2, c = 0 keeps
    # points of mean |r| E[|r|³]/E[|r|²], about 5 % above the uniform E[|r|] (sampling noise ~1 %)
    cfg = tiny_config("burgers", "sampler.resample=rad", "sampler.resample_every=1", "sampler.rad.candidates=4000",
                      "sampler.rad.c=0", "sampler.rad.k=2", "sampler.n_residual=400")
    parts = assemble(cfg)
    loss = parts.trainer.loss
    chosen = parts.trainer.resample(parts.model)
    uniform = parts.trainer.points.residual
    assert loss.residual(parts.model, chosen).abs().mean() > 1.02 * loss.residual(parts.model, uniform).abs().mean()
