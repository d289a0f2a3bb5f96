"""Settings → objects. :func:`assemble` has :mod:`pinnsolve.config` validate the config once,
as typed :class:`~pinnsolve.config.Settings`, and builds every part of a run from those."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig
from torch import nn

from pinnsolve import derivatives
from pinnsolve.nn import activations, raf
from pinnsolve.config import (
    SLOPE_VARIANTS, ConfigError, SamplerConfig, Settings, TrainerConfig, activated_layers, inverse_start, plain, validate,
)
from pinnsolve.nn.constraints import HardDirichlet
from pinnsolve.report.evaluation import Evaluator
from pinnsolve.inverse import Coefficients, Observations, read_observations, sample_observations
from pinnsolve.train.loss import (
    ConditionLoss, Penalty, PINNLoss, ResidualTaper, TrainingPoints, derivatives_needed, pooled_weights,
)
from pinnsolve.nn.network import NETWORKS, PerUnknown
from pinnsolve.optim import LineSearch
from pinnsolve.train.phases import AdamPhase, AdamSettings, LossTransform, Phase, QuasiNewtonPhase, QuasiNewtonSettings
from pinnsolve.problem import Problem, Reference, Region, boundary_dirichlet, soft_conditions
from pinnsolve.readers import DataFileError
from pinnsolve.train.resampling import RESAMPLERS
from pinnsolve.geometry.samplers import SAMPLERS, CollocationSampler
from pinnsolve.train.trainer import Stopping, Trainer

log = logging.getLogger(__name__)


def resolve_device(choice: str) -> torch.device:
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if choice == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device: 'cuda' was asked for but no CUDA device is available; use auto or cpu")
    return torch.device(choice)


def build_activation(node: Any, layers: int, width: int) -> activations.ActivationFactory:
    """The activation of a network's ``layers`` hidden layers of ``width`` neurons from its settings
    (one of the activation schemas)."""
    if node.name in SLOPE_VARIANTS:
        variant = activations.SlopeVariant(node.name)
        init, spread = node.init, 0.0
        if init == activations.PINNACLE_DRAW:
            init, spread = 0.0, activations.pinnacle_spread(variant, layers, width)
        return activations.adaptive(variant, plain(node.base), scale=node.scale, init=init, spread=spread)
    if node.name == "raf":
        return raf.raf(
            node.mode,
            list(node.basis),
            gaussian_width=node.gaussian_width,
            alpha_init=1 / len(node.basis) if node.alpha_init is None else node.alpha_init,
            beta_init=node.beta_init,
        )
    return activations.fixed(plain(node.base))


def build_penalties(node: Any, model: nn.Module) -> list[Penalty]:
    """Loss terms the activation (its settings ``node``) adds on its own parameters.

    Adaptive slopes add the slope recovery term S(a); with ``slope_recovery: false`` it is kept
    with weight 0, so that S(a) is still logged and plotted but does not train.
    """
    layers = activations.adaptive_layers(model.activations)
    if not layers:
        return []
    weight = node.slope_recovery_weight if node.slope_recovery else 0.0
    return [Penalty("slope_recovery", lambda: activations.slope_recovery(layers), weight)]


def build_monitor(model: nn.Module, coefficients: Coefficients | None) -> Callable[[], dict[str, float]] | None:
    """Extra history columns: the adaptive slopes, if the model has any, and the identified coefficients."""
    layers = activations.adaptive_layers(model.activations)
    if not layers and coefficients is None:
        return None
    return lambda: {
        **(activations.slope_statistics(layers) if layers else {}),
        **(coefficients.current() if coefficients is not None else {}),
    }


def build_observations(settings: Settings, reference: Reference) -> Observations | None:
    """The measurements ``inverse`` asks for: drawn from the reference (their own generator, seeded
    by the run's seed, so the collocation points are as without them), or read from a file; else
    those of the problem's own statement, if any."""
    problem, inverse = settings.problem, settings.inverse
    if inverse.data is not None:
        try:
            return read_observations(Path(inverse.data), problem.variables, problem.domain)
        except ValueError as error:
            raise ConfigError(f"inverse.data: {error}") from None
    rng = np.random.default_rng((settings.seed, OBSERVATIONS_STREAM))
    if inverse.observations:
        try:
            return sample_observations(reference, inverse.observations, inverse.noise, rng)
        except ValueError as error:
            raise ConfigError(f"inverse.noise: {error}") from None
    own = problem.observations(rng)
    if own is not None:
        inputs, values, unknowns = own
        return Observations(inputs, values, synthetic=True, unknowns=unknowns)
    return None


OBSERVATIONS_STREAM = 1  # the second stream of the run's seed; the sampler draws from the first


def build_model(settings: Settings) -> nn.Module:
    """The network, initialised from the run's seed alone (the global RNG is left as it was),
    wrapped to meet the boundary data exactly if ``problem.hard_bc``; the coefficients an inverse
    problem identifies are its submodule ``coefficients``."""
    problem, n = settings.problem, settings.network
    domain = problem.domain
    shape = {"depth": n.depth} if n.name == "mlp" else {"blocks": n.blocks}
    layers = activated_layers(n)

    def network(outputs: int) -> nn.Module:
        return NETWORKS[n.name](
            in_features=domain.dim,
            width=n.width,
            activation=build_activation(settings.activation, layers, n.width),
            low=domain.low,
            high=domain.high,
            init=n.init,
            input_scaling=n.input_scaling,
            out_features=outputs,
            **shape,
        )

    unknowns = problem.unknowns
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(settings.seed)
        trunk = PerUnknown([network(1) for _ in unknowns]) if n.per_unknown and len(unknowns) > 1 else network(len(unknowns))
    if settings.hard_bc:
        imposed = boundary_dirichlet(problem)
        model = HardDirichlet(trunk, domain, unknowns, {name: c.value for name, c in imposed.items()})
    else:
        model = trunk
    inverse = settings.inverse
    if inverse.parameters:  # trained with the network's weights, saved with them in model.pt
        model.coefficients = Coefficients(inverse_start(inverse), inverse.positive)
    return model


def build_engine(
    settings: Settings, model: nn.Module, keys: frozenset[derivatives.OutputKey], variables: tuple[str, ...]
) -> derivatives.DerivativeEngine:
    """The engine ``derivatives`` names, checked against the model and the derivatives ``keys``
    the problem needs; for ``auto``, the fastest that supports them for this run's length."""
    choice = plain(settings.derivatives)
    if choice == "auto":
        t = settings.trainer
        chosen = derivatives.choose(model, keys, variables, iterations=t.adam.iterations + t.quasi_newton.iterations)
        log.info("derivatives=auto: using %s", chosen.name)
        return chosen
    engine = derivatives.engine(choice)
    reason = engine.unsupported(model, keys, variables)
    if reason is not None:
        raise ConfigError(f"derivatives: {choice} cannot serve this run: {reason}")
    return engine


def build_phases(t: TrainerConfig) -> list[Phase]:
    """Adam, then the quasi-Newton method of ``trainer.quasi_newton``."""
    q = t.quasi_newton
    quasi_newton = QuasiNewtonSettings(
        method=plain(q.method),
        iterations=q.iterations,
        history_size=q.history_size,
        loss_transform=LossTransform(plain(q.loss_transform)),
        reset_on_resample=q.reset_on_resample,
        line_search=LineSearch(**vars(q.line_search)),
    )
    return [AdamPhase(AdamSettings(**vars(t.adam))), QuasiNewtonPhase(quasi_newton)]


def build_resampler(s: SamplerConfig, sampler: CollocationSampler):
    """The redraw of residual points ``sampler.resample`` names (None for none)."""
    mode = plain(s.resample)
    if mode == "none":
        return None
    if mode == "rad":
        return RESAMPLERS[mode](sampler, s.n_residual, candidates=s.rad.candidates, k=s.rad.k, c=s.rad.c)
    return RESAMPLERS[mode](sampler, s.n_residual)


@dataclass
class Assembly:
    """Everything a run needs, built from one config (its ``settings``)."""

    settings: Settings
    problem: Problem
    model: nn.Module
    evaluator: Evaluator
    trainer: Trainer
    sampler: CollocationSampler  # its generator draws every point, so a checkpoint keeps its state
    observations: Observations | None = None  # the measurements of an inverse problem or a data fit


def _incomputable(settings: Settings, error: Exception) -> ConfigError:
    """A problem whose values pass its checks but break its arithmetic (an overflow, a quadrature that does not converge)."""
    return ConfigError(f"problem ({settings.problem_name}): its values cannot be computed ({type(error).__name__}: {error}); check problem.*")


def assemble(cfg: DictConfig) -> Assembly:
    """Validate ``cfg`` and build the problem, model, training points, evaluator and trainer.

    The initial weights and every sample depend on the seed alone. Values that pass the problem's
    checks but break its arithmetic (an overflow in a residual or a reference) are refused here,
    before anything runs: the loss is evaluated once at the initial weights.
    """
    settings = validate(cfg)
    try:
        return _build(settings)
    except ArithmeticError as error:
        raise _incomputable(settings, error) from None


def _build(settings: Settings) -> Assembly:
    dtype = getattr(torch, plain(settings.precision))
    device = resolve_device(plain(settings.device))
    problem = settings.problem
    model = build_model(settings).to(device=device, dtype=dtype)
    conditions = soft_conditions(problem, settings.hard_bc)
    # the experiment may weight every condition; one imposed exactly has no loss term, so its weight is dropped
    imposed = {c.name for c in problem.conditions} - {c.name for c in conditions}
    smoothness = dict(settings.inverse.smoothness)
    needed = derivatives_needed(problem, conditions, list(smoothness))
    engine = build_engine(settings, model, frozenset().union(*needed.values()), problem.variables)
    try:
        reference = problem.reference()
    except DataFileError as error:
        raise ConfigError(f"problem.data: {error}") from None
    except (ValueError, ArithmeticError) as error:
        raise _incomputable(settings, error) from None
    observations = build_observations(settings, reference)
    coefficients = model.coefficients if settings.inverse.parameters else None
    t, s = settings.trainer, settings.sampler
    weights = {name: w for name, w in t.loss_weights.items() if name not in imposed}
    regions = sorted({c.region for c in conditions}, key=lambda r: r.value)
    counts = {r: {"boundary": s.n_boundary, "initial": s.n_initial, "points": len(r.points)}[r.kind] for r in regions}
    if plain(t.condition_loss) == ConditionLoss.pooled.value:
        weights = pooled_weights(weights, conditions, counts)
    spec = t.residual_taper
    taper = ResidualTaper(tuple(tuple(map(float, p)) for p in spec.points), spec.radius) if spec.points else None
    try:
        loss = PINNLoss(
            problem,
            engine,
            weights=weights,
            penalties=build_penalties(settings.activation, model),
            conditions=conditions,
            data=None if observations is None else (
                torch.as_tensor(observations.inputs, dtype=dtype, device=device),
                torch.as_tensor(observations.u, dtype=dtype, device=device),
            ),
            data_unknowns=None if observations is None else observations.unknowns,
            coefficients=coefficients,
            smoothness=smoothness,
            taper=taper,
        )
    except ValueError as error:
        raise ConfigError(f"trainer.loss_weights: {error}") from None
    if not any(loss.weights[name] > 0 for name in loss.pde_components):
        raise ConfigError(
            f"trainer.loss_weights: every term's weight is 0 ({', '.join(loss.pde_components)}): nothing would be trained; "
            "give at least one a positive weight"
        )

    sampler = CollocationSampler(problem.domain, SAMPLERS[plain(s.name)](), np.random.default_rng(settings.seed))

    def draw(region: Region) -> np.ndarray:
        if region.where is not None:
            return sampler.boundary_where(counts[region], region.pieces, region.where)
        if region.kind == "boundary":
            return sampler.boundary(counts[region], region.pieces)
        if region.kind == "initial":
            return sampler.initial(counts[region])
        return np.asarray(region.points, dtype=np.float64)

    def tensor(array: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(array, dtype=dtype, device=device)

    residual_points = tensor(sampler.interior(s.n_residual) if problem.training_points is None else problem.training_points)
    drawn = {region: draw(region) for region in regions}  # in the order of their names, after the residual points
    points = TrainingPoints(
        residual=residual_points,
        regions={region: tensor(array) for region, array in drawn.items()},
        normals={region: tensor(problem.domain.normals(array)) for region, array in drawn.items() if region.kind == "boundary"},
    )
    loss(model, points)  # an overflow in the residuals surfaces here, not in the first training step
    evaluator = Evaluator(reference, dtype=dtype, device=device, alternatives=problem.alternative_references(reference))
    resampler = build_resampler(s, sampler)

    def resample(model: nn.Module) -> torch.Tensor:
        def score(array: np.ndarray) -> np.ndarray:
            return loss.residual(model, tensor(array)).abs().cpu().double().numpy()

        return tensor(resampler(score))

    trainer = Trainer(
        loss=loss,
        points=points,
        evaluator=evaluator,
        phases=build_phases(t),
        log_every=t.log_every,
        stopping=Stopping(t.target_rel_l2, t.time_budget_s, t.divergence_factor),
        resample=resample if resampler is not None else None,
        resample_every=s.resample_every,
        progress_bar=t.progress_bar,
        monitor=build_monitor(model, coefficients),
        checkpoint_every=t.checkpoint_every,
    )
    return Assembly(settings, problem, model, evaluator, trainer, sampler, observations)
