"""Configuration schemas (registered in Hydra's ConfigStore) and their validation.

Hydra checks the types of the fixed groups against :class:`Config` while composing. The
``problem`` and ``activation`` groups hold different fields per option, so each option's node
is checked against its own schema here, along with the ranges no type can express. Every
failure is a :class:`ConfigError` naming the key and what is allowed.
"""
from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import math
import os
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np
import yaml
from hydra.core.config_loader import ConfigLoader
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from omegaconf import MISSING, DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from pinnsolve.nn.activations import BASES, PINNACLE_DRAW, SlopeVariant
from pinnsolve.conditions import PeriodicCondition
from pinnsolve.train.loss import ConditionLoss
from pinnsolve.nn.network import INITIALISERS, NETWORKS
from pinnsolve.optim import LIMITED_MEMORY, METHODS
from pinnsolve.train.phases import LossTransform
from pinnsolve.problem import Problem, boundary_dirichlet, soft_conditions
from pinnsolve.nn.raf import BasisName
from pinnsolve.nn.raf import Mode as RAFMode
from pinnsolve.geometry.samplers import SAMPLERS
from pinnsolve.problems import PROBLEMS
from pinnsolve.trackers import TRACKERS


class ConfigError(ValueError):
    """A configuration value that pinnsolve cannot run with."""


class Precision(Enum):
    float32 = "float32"
    float64 = "float64"


class Derivatives(Enum):
    auto = "auto"
    autograd = "autograd"
    jets = "jets"
    compiled = "compiled"


class Device(Enum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


SamplerName = Enum("SamplerName", {name: name for name in SAMPLERS})  # type: ignore[misc]
QuasiNewtonMethod = Enum("QuasiNewtonMethod", {name: name for name in METHODS})  # type: ignore[misc]


class Resample(Enum):
    none = "none"
    uniform = "uniform"
    rad = "rad"
ActivationBase = Enum("ActivationBase", {name: name for name in BASES})  # type: ignore[misc]


@dataclass(frozen=True)
class Rule:
    """What a key's value must be: ``text`` completes "must be ...", in the error message and in
    the config reference; ``holds`` checks a value (None: the rule depends on other keys, and
    :func:`validate` checks it where it has them)."""

    text: str
    holds: Callable[[Any], bool] | None = None


POSITIVE_INTEGER = Rule("a positive integer", lambda v: v > 0)
NON_NEGATIVE = Rule("≥ 0", lambda v: v >= 0)
POSITIVE = Rule("positive", lambda v: v > 0)
POSITIVE_OR_NULL = Rule("positive or null", lambda v: v is None or v > 0)
PHASE_ITERATIONS = Rule("≥ 0 (0 skips the phase)", lambda v: v >= 0)


def key(
    default: Any = MISSING, doc: str = "", rule: Rule | None = None, factory: Callable[[], Any] | None = None, shown_type: str = ""
) -> Any:
    """A schema field with what the config reference says of it: ``doc``, the ``rule`` its value
    must follow beyond its type, and its type in words where the hint says less (``shown_type``)."""
    metadata = {"doc": doc, "rule": rule, "type": shown_type}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass
class RADConfig:
    """Residual-based adaptive distribution: keep n_residual of ``candidates`` points with
    probability ∝ |r|^k / mean(|r|^k) + c."""

    candidates: int = key(50000, "points drawn, of which sampler.n_residual are kept",
                          Rule("≥ sampler.n_residual (with sampler.resample=rad)"))
    k: float = key(1.0, "the exponent of |r| in the keeping probability", NON_NEGATIVE)
    c: float = key(1.0, "the uniform part of the keeping probability", NON_NEGATIVE)


@dataclass
class SamplerConfig:
    """Collocation points: how they are drawn, how many, and whether they are redrawn."""

    name: SamplerName = key(doc="the point family, from the unit cube")  # type: ignore[valid-type]
    n_residual: int = key(doc="points inside the domain, where the residuals are taken", rule=POSITIVE_INTEGER)
    n_boundary: int = key(doc="points per boundary region (conditions on one region share them)",
                          rule=Rule("a positive integer where the problem has boundary conditions"))
    n_initial: int = key(0, "points at the initial time", Rule("a positive integer where the problem has initial conditions"))
    resample: Resample = key(Resample.none, "redraw the residual points: none, uniform (fresh points) or rad (residual-based)")
    resample_every: int = key(0, "... every this many iterations, in every phase",
                              Rule("positive with sampler.resample=uniform or rad, 0 with none"))
    rad: RADConfig = key(doc="RAD's draw", factory=RADConfig)


@dataclass
class NetworkConfig:
    """The architecture: an MLP, or the RAF authors' residual network."""

    name: str = key(doc="the architecture", rule=Rule(f"one of {sorted(NETWORKS)}"))
    depth: int = key(doc="mlp: hidden layers", rule=Rule("a positive integer (mlp)"))
    width: int = key(doc="neurons per hidden layer", rule=POSITIVE_INTEGER)
    blocks: int = key(2, "resnet: residual blocks of two layers each", Rule("a positive integer (resnet)"))
    init: str = key(doc="the initial weights: glorot_normal (zero biases) or torch_default (nn.Linear's own)",
                    rule=Rule(f"one of {sorted(INITIALISERS)}", lambda v: v in INITIALISERS))
    input_scaling: bool = key(doc="map the inputs from the domain's box onto [−1, 1]")
    per_unknown: bool = key(False, "a system: one network per unknown instead of one trunk with an output each")


# the values live in conf/trainer/*.yaml; these say only what each key must be
@dataclass
class AdamConfig:
    """The first-order phase."""

    iterations: int = key(doc="Adam steps", rule=PHASE_ITERATIONS)
    lr: float = key(doc="the learning rate", rule=POSITIVE)
    decay_rate: float = key(doc="the rate is multiplied by this ...", rule=Rule("in (0, 1]", lambda v: 0 < v <= 1))
    decay_steps: int = key(doc="... every this many steps", rule=POSITIVE_INTEGER)
    weight_decay: float = key(doc="L2 weight decay", rule=NON_NEGATIVE)


@dataclass
class LineSearchConfig:
    """The strong-Wolfe line search of the quasi-Newton phase."""

    c1: float = key(doc="sufficient decrease", rule=Rule("in (0, 1)", lambda v: 0 < v < 1))
    c2: float = key(doc="curvature", rule=Rule("in (c1, 1)"))
    max_evals: int = key(doc="loss evaluations per iteration at most", rule=POSITIVE_INTEGER)


@dataclass
class QuasiNewtonConfig:
    """The quasi-Newton phase, after Adam."""

    method: QuasiNewtonMethod = key(doc="the method (see the optimizers' reference)")  # type: ignore[valid-type]
    iterations: int = key(doc="quasi-Newton iterations", rule=PHASE_ITERATIONS)
    history_size: int = key(doc="lbfgs only: the (s, y) pairs kept", rule=POSITIVE_INTEGER)
    loss_transform: LossTransform = key(doc="minimise the loss L itself, √L or log L")
    reset_on_resample: bool = key(doc="forget the curvature each time the points are redrawn")
    line_search: LineSearchConfig = key(doc="the line search", factory=LineSearchConfig)


@dataclass
class ResidualTaperConfig:
    """Residuals weighted down near points where the PDE cannot hold (a corner whose boundary values contradict it)."""

    # list[list[float]] would refuse integer coordinates (OmegaConf converts no int inside a nested list)
    points: list[Any] = key(doc="each a point in the problem's variables (x, y, ..., t); empty: no taper",
                            rule=Rule("one coordinate per variable of the problem, each finite"), factory=list,
                            shown_type="list of points, each a list of numbers")
    radius: float = key(doc="each residual × min(1, d / radius), d its point's distance to the nearest of points",
                        rule=POSITIVE)


@dataclass
class TrainerConfig:
    """The two phases, the loss's weights, records, stopping and checkpoints."""

    adam: AdamConfig = key(doc="the first-order phase", factory=AdamConfig)
    quasi_newton: QuasiNewtonConfig = key(doc="the quasi-Newton phase", factory=QuasiNewtonConfig)
    loss_weights: dict[str, float] = key(doc="a weight per loss component, by name (not given: 1)", rule=Rule("each ≥ 0"),
                                         factory=dict)
    condition_loss: ConditionLoss = key(  # type: ignore[valid-type]
        doc="per_condition: a mean square per condition; pooled: one mean over all the conditions' points"
    )
    residual_taper: ResidualTaperConfig = key(doc="the residuals weighted down near points", factory=ResidualTaperConfig)
    log_every: int = key(100, "record the loss components and rel L2 every this many iterations", POSITIVE_INTEGER)
    target_rel_l2: Optional[float] = key(None, "stop once a record's rel L2 is at most this", POSITIVE_OR_NULL)
    time_budget_s: Optional[float] = key(None, "stop after this much training time", POSITIVE_OR_NULL)
    divergence_factor: Optional[float] = key(
        doc="diverged once the loss exceeds this × the initial loss (null: only a NaN or infinite loss)",
        rule=Rule("> 1 or null", lambda v: v is None or v > 1),
    )
    checkpoint_every: int = key(doc="write checkpoint.pt every this many iterations, and at the end of each phase",
                                rule=Rule("≥ 0 (0: at the end of each phase only)", lambda v: v >= 0))
    progress_bar: bool = key(True, "a progress bar on a terminal (never into a pipe or a file)")


@dataclass
class InverseConfig:
    """Coefficients of the problem identified from measurements of its solution, and priors on its unknown fields."""

    parameters: list[str] = key(doc="of the problem's coefficients", rule=Rule("distinct coefficients of the problem"), factory=list)
    init: list[float] = key(doc="starting values, one per parameter; empty: 0 each, or 1 if positive",
                            rule=Rule("one value per parameter, not the true one"), factory=list)
    positive: list[str] = key(doc="identified as exp(θ), so they stay positive", rule=Rule("among inverse.parameters"), factory=list)
    observations: int = key(0, "points drawn from the reference solution (the run's seed)", NON_NEGATIVE)
    noise: float = key(0.0, "Gaussian noise added to them, times the values' standard deviation", NON_NEGATIVE)
    data: Optional[str] = key(None, "or the user's measurements: .npz or .csv with the variables and u")
    smoothness: dict[str, float] = key(
        doc="a Tikhonov prior per unknown: λ × the mean of its squared spatial gradient over the residual points "
        "(loss component smoothness_NAME), so that a field identified from noisy data does not take up the noise",
        rule=Rule("unknowns of the problem, each λ ≥ 0"), factory=dict,
    )


@dataclass
class LoggerConfig:
    """An experiment tracker the run streams its records and final metrics to, besides its own files."""

    name: str = key("none", "none, tensorboard or mlflow")
    log_dir: Optional[str] = key(None, "tensorboard: the event files' folder; null: the run directory's tensorboard/")
    tracking_uri: Optional[str] = key(None, "mlflow: server or store; null: MLFLOW_TRACKING_URI, else MLflow's default")
    experiment: Optional[str] = key(None, "mlflow: the experiment the run joins; null: pinnsolve")
    run_name: Optional[str] = key(None, "mlflow: null: the run directory as given, else the problem's name")


# which logger each of LoggerConfig's own keys belongs to
LOGGER_KEYS = {"log_dir": "tensorboard", "tracking_uri": "mlflow", "experiment": "mlflow", "run_name": "mlflow"}


@dataclass
class Config:
    problem: Any = key(doc="the PDE and its own parameters: a group of its own")
    activation: Any = key(doc="the hidden layers' activations: a group of its own")
    sampler: SamplerConfig = key(doc="collocation points", factory=SamplerConfig)
    network: NetworkConfig = key(doc="the architecture", factory=NetworkConfig)
    trainer: TrainerConfig = key(doc="the phases and the loss", factory=TrainerConfig)
    inverse: InverseConfig = key(doc="identified coefficients", factory=InverseConfig)
    logger: LoggerConfig = key(doc="an experiment tracker", factory=LoggerConfig)
    precision: Precision = key(Precision.float64, "float64 or float32")
    derivatives: Derivatives = key(Derivatives.auto, "the derivative engine: auto (the fastest for the model and run), autograd, jets, compiled")
    device: Device = key(Device.auto, "auto (CUDA if available), cpu, cuda")
    seed: int = key(0, "the initial weights and every sample", Rule("an integer in [0, 2^63)", lambda v: 0 <= v < 2**63))
    plots: bool = key(True, "draw the run's figures into its directory (false: none, for sweeps of many runs; "
                            "pinnsolve.load(RUN).plot(NAME) draws one later)")


@dataclass
class FixedActivationConfig:
    """A fixed σ."""

    name: str = key("fixed", "fixed")
    base: ActivationBase = key(doc="σ")  # type: ignore[valid-type]


@dataclass
class AdaptiveActivationConfig:
    """σ(n·a·x) with trainable slopes a (``name``: global, layer_wise or neuron_wise)."""

    name: str = key(doc="global (one slope), layer_wise (one per layer), neuron_wise (one per neuron), each with or without _sr")
    base: ActivationBase = key(doc="σ")  # type: ignore[valid-type]
    scale: Any = key(doc="n: a number, or a list with one per hidden layer (layer_wise, neuron_wise)",
                     rule=Rule("≥ 1 (the paper's n), or a list of such numbers, one per hidden layer"))
    # int as well: OmegaConf's unions keep a value's type, so a Union of float and str refuses 1
    init: Optional[Union[int, float, str]] = key(
        None, "the slopes' initial value a; null: 1/n, so that n·a = 1; pinnacle: each slope drawn as PINNacle's "
              "LAAF and GAAF draw theirs (see the activations' reference)",
        Rule("positive, null (1/scale) or pinnacle (layer_wise, neuron_wise)",
             lambda v: v is None or v == PINNACLE_DRAW or (isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0)))
    slope_recovery: bool = key(doc="add the slope recovery term S(a) to the loss")
    slope_recovery_weight: float = key(doc="its weight", rule=NON_NEGATIVE)


@dataclass
class RAFActivationConfig:
    """Reproducing activation functions built from ``basis``, in the form ``mode``."""

    name: str = key("raf", "raf")
    mode: RAFMode = key(doc="how the basis functions combine per neuron")
    basis: list[BasisName] = key(doc="the basis functions", rule=Rule("a non-empty list", lambda v: len(v) > 0))
    gaussian_width: float = key(doc="s in exp(−x²/(2s²))", rule=Rule("≥ 1e-3", lambda v: v >= 1e-3))
    alpha_init: Optional[float] = key(None, "learnable: α at the start; null: 1/len(basis)")
    beta_init: float = key(doc="learnable: β at the start")


ACTIVATION_SCHEMAS: dict[str, type] = {
    "fixed": FixedActivationConfig,
    **{variant.value: AdaptiveActivationConfig for variant in SlopeVariant},
    "raf": RAFActivationConfig,
}
SLOPE_VARIANTS = {variant.value for variant in SlopeVariant}


def problem_schema(name: str, cls: type[Problem] | None = None) -> type:
    """The config schema of a problem: ``name``, the fields of its dataclass (``cls``, default the
    shipped problem of that name), ``hard_bc`` (impose the Dirichlet boundary data exactly, through
    the network's form) and, for a problem of the user's, ``_target_``, its class."""
    cls = PROBLEMS[name] if cls is None else cls
    hints = typing.get_type_hints(cls)
    fields = [("name", str, field(default=name)), ("hard_bc", bool, field(default=False)), ("_target_", Optional[str], field(default=None))]
    fields += [(f.name, hints[f.name], field(default=MISSING)) for f in dataclasses.fields(cls)]
    return dataclasses.make_dataclass(f"{cls.__name__}Config", fields)


def problem_class(node: DictConfig) -> type[Problem]:
    """The class of the problem ``node`` describes: ``_target_``'s, a dotted path to a Problem
    dataclass in a module of the user's (found from the working directory too), else the shipped
    problem ``name``."""
    target = node.get("_target_")
    if target is None:
        return PROBLEMS[_choice(node, "problem", PROBLEMS)]
    module_name, _, class_name = str(target).rpartition(".")
    if not module_name:
        raise ConfigError(f"problem._target_: {target!r} is not a dotted path MODULE.CLASS")
    if os.getcwd() not in sys.path and "" not in sys.path:  # a console script does not search the working directory
        sys.path.append(os.getcwd())
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except ImportError as error:
        raise ConfigError(f"problem._target_: cannot import {module_name!r} ({error}); put it in the working directory or on PYTHONPATH") from None
    except AttributeError:
        raise ConfigError(f"problem._target_: module {module_name!r} has no {class_name!r}") from None
    if not (isinstance(cls, type) and issubclass(cls, Problem) and dataclasses.is_dataclass(cls)):
        raise ConfigError(f"problem._target_: {target} is not a dataclass subclassing pinnsolve.problem.Problem")
    return cls


def problem_config(problem: Problem) -> dict[str, Any]:
    """The config node of a problem object: its class as ``_target_`` and its fields' values
    (so that a run of it is saved, resumed and loaded like any other)."""
    cls = type(problem)
    values = {f.name: getattr(problem, f.name) for f in dataclasses.fields(problem)}
    values = {k: v.value if isinstance(v, Enum) else v for k, v in values.items()}
    return {"name": cls.__name__.lower(), "_target_": f"{cls.__module__}.{cls.__qualname__}", "hard_bc": False, **values}


def register_configs() -> None:
    ConfigStore.instance().store(name="pinnsolve_schema", node=Config)


def check_experiment(choices: DictConfig) -> None:
    """The experiment chosen exists (a problem's own may not: ``optional`` in the defaults list, so
    that a new problem runs without one, and so Hydra lets a mistyped name through), and one named
    for a problem (``burgers``, ``high_accuracy/burgers``) runs that problem. A problem's own
    experiment cannot select its problem (Hydra refuses overrides under an interpolated default),
    and a ``problem=`` on the command line wins over a named experiment's choice: either way one PDE
    would run with another's settings."""
    experiment, problem = choices.get("experiment"), choices.get("problem")
    if not experiment:
        return
    loader = GlobalHydra.instance().config_loader()
    group, _, name = f"experiment/{experiment}".rpartition("/")
    if experiment != problem and name not in loader.get_group_options(group):
        raise ConfigError(f"experiment={experiment}: no such experiment; the experiments are {experiments(loader)}")
    if name in loader.get_group_options("problem") and name != problem:
        fix = (f"drop problem={problem} (the experiment selects problem={name})" if "/" in experiment
               else f"run problem={name}, which takes experiment={name} with it")
        raise ConfigError(f"experiment={experiment} is tuned for problem={name}, but the problem is {problem}; {fix}")


def experiments(loader: ConfigLoader, group: str = "experiment") -> list[str]:
    """The experiments in ``group`` and its subgroups, by their paths under ``group``."""
    found = list(loader.get_group_options(group))
    for subgroup in loader.list_groups(group):
        found += [f"{subgroup}/{name}" for name in experiments(loader, f"{group}/{subgroup}")]
    return sorted(found)


RUN_CONFIG = Path(".hydra") / "config.yaml"  # where a run directory keeps the config it ran with


def load_run_config(run_dir: Path) -> DictConfig:
    """The config a run directory was run with (``.hydra/config.yaml``, which the caller has
    found), merged into the schema; ConfigError if it is not a pinnsolve config."""
    try:
        return OmegaConf.merge(OmegaConf.structured(Config), OmegaConf.load(run_dir / RUN_CONFIG))
    except (OmegaConfBaseException, yaml.YAMLError) as error:
        raise ConfigError(f"its {RUN_CONFIG} is not a pinnsolve config ({str(error).splitlines()[0]})") from None


def check_output_dir(path: Path, key: str) -> None:
    """``path`` exists as a writable directory or can be made: its nearest existing ancestor is a
    directory this process may write in."""
    existing = path
    try:
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
    except OSError as error:  # a name longer than the filesystem allows, a loop of links
        raise ConfigError(f"{key}: cannot use {path}: {error.strerror or error}") from None
    if not existing.is_dir():
        raise ConfigError(f"{key}: {existing} is a file, so the directory {path} cannot be made")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(f"{key}: {existing} is not writable, so {path} cannot be written")


def one_line(error: BaseException) -> str:
    """Hydra's message and its cause's on one line: a list of options joined by commas; the config
    search path and OmegaConf's ``full_key``/``object_type`` lines dropped (the message names the key)."""
    parts: list[str] = []
    listing = False  # inside a list of options, one per line after a line ending with ':'
    for text in (str(error), str(error.__cause__ or "")):
        for line in (line.strip() for line in text.splitlines()):
            if not line or line.startswith(("full_key:", "object_type=", "reference_type=", "provider=")):
                continue
            if line.startswith("Config search path"):
                listing = False
                continue
            if listing and " " not in line:
                parts[-1] += ("" if parts[-1].endswith(":") else ",") + " " + line
                continue
            listing = line.endswith(":")
            parts.append(line.removeprefix("In 'config': "))
    return "; ".join(part.rstrip(".") for part in parts)


def check_keys(node: DictConfig, schema: type, key: str = "", ignore: tuple[str, ...] = ()) -> None:
    """Every key of ``node`` is a field of ``schema``, and so on into the fields that are schemas
    themselves; an unknown one is a ConfigError listing the keys there are."""
    hints = typing.get_type_hints(schema)
    names = [f.name for f in dataclasses.fields(schema)]
    for name in node.keys():
        if name in ignore:
            continue
        dotted = f"{key}.{name}" if key else str(name)
        if name not in names:
            raise ConfigError(f"{dotted}: unknown key; {key or 'the top level'} has {names}")
        if dataclasses.is_dataclass(hints[name]) and isinstance(node[name], DictConfig):
            check_keys(node[name], hints[name], dotted)


def check_finite(value: Any, key: str = "") -> None:
    """No number anywhere in the config (a plain container) is NaN or infinite."""
    if isinstance(value, dict):
        for name, item in value.items():
            check_finite(item, f"{key}.{name}" if key else str(name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_finite(item, f"{key}[{index}]")
    elif isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{key}: must be a finite number, got {value}")


def physical_memory() -> int | None:
    """This machine's memory in bytes, where the OS says."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def memory_needed(cfg: DictConfig, problem: Problem) -> tuple[int, str]:
    """A lower bound on the bytes a run must hold at once, and what it counts: the reference
    solution (points, values, prediction); for the training points and RAD's candidates, one
    number per hidden unit per point (autograd keeps far more); the network's weights five times
    (the weights, their gradient, Adam's two moments, the last good state kept against
    divergence); and a dense quasi-Newton method's n × n matrix three times (itself, the copy a
    checkpoint takes, and that copy serialised)."""
    s, n, q = cfg.sampler, cfg.network, cfg.trainer.quasi_newton
    size = 4 if plain(cfg.precision) == "float32" else 8
    d, m, w = problem.domain.dim, len(problem.unknowns), n.width
    layers = n.depth if n.name == "mlp" else 2 * n.blocks + 1
    if n.name == "mlp":
        weights = d * w + (n.depth - 1) * w * w
    else:
        weights = d * w + 2 * n.blocks * w * w
    weights = (weights + w) * m if n.get("per_unknown") and m > 1 else weights + w * m
    points = s.n_residual + s.n_boundary + s.n_initial + (s.rad.candidates if s.resample == Resample.rad else 0)
    reference = problem.reference_size or 0
    dense = q.iterations > 0 and plain(q.method) not in LIMITED_MEMORY
    needed = size * (reference * (d + 2 * m) + points * w * layers + 5 * weights + (3 * weights**2 if dense else 0))
    counted = (
        f"{reference:,} reference points, {points:,} training and candidate points × {layers} layers of width {w}, "
        f"{weights:,} weights" + (f" and {plain(q.method)}'s dense {weights:,} × {weights:,} matrix" if dense else "")
    )
    return needed, counted


def _checked(node: DictConfig, schema: type, key: str) -> DictConfig:
    """``node`` merged into ``schema``: unknown keys and wrong types become ConfigErrors."""
    try:
        return OmegaConf.merge(OmegaConf.structured(schema), node)
    except OmegaConfBaseException as error:
        inner = getattr(error, "full_key", None) or ""
        detail = str(error).splitlines()[0]
        raise ConfigError(f"{key}.{inner}: {detail}" if inner else f"{key}: {detail}") from None


def _choice(node: DictConfig, key: str, choices) -> str:
    name = node.get("name")
    if name not in choices:
        raise ConfigError(f"{key}.name: unknown {key} {name!r}; choose one of {sorted(choices)}")
    return name


def _require(condition: bool, key: str, rule: str, value: Any) -> None:
    if not condition:
        raise ConfigError(f"{key}: must be {rule}, got {value!r}")


def check_rules(node: DictConfig, schema: type, key: str = "") -> None:
    """Every value set in ``node`` follows its field's :class:`Rule` in ``schema``, and so on into
    the fields that are schemas themselves (rules that depend on other keys are validate's)."""
    hints = typing.get_type_hints(schema)
    for f in dataclasses.fields(schema):
        if f.name not in node or OmegaConf.is_missing(node, f.name):
            continue
        dotted = f"{key}.{f.name}" if key else f.name
        value = node[f.name]
        if dataclasses.is_dataclass(hints[f.name]) and isinstance(value, DictConfig):
            check_rules(value, hints[f.name], dotted)
            continue
        rule = f.metadata.get("rule")
        if rule is not None and rule.holds is not None:
            shown = OmegaConf.to_container(value) if OmegaConf.is_config(value) else value
            _require(rule.holds(shown), dotted, rule.text, shown)


def problem_from_config(cfg: DictConfig) -> Problem:
    """The problem that ``cfg.problem`` describes, its fields checked against the problem's schema."""
    cls = problem_class(cfg.problem)
    name = str(cfg.problem.get("name"))
    schema = problem_schema(name, cls)
    check_keys(cfg.problem, schema, "problem")
    node = _checked(cfg.problem, schema, "problem")
    params = {key: value for key, value in vars(OmegaConf.to_object(node)).items() if key not in ("name", "hard_bc", "_target_")}
    try:
        return cls(**params)
    except (ValueError, TypeError) as error:
        raise ConfigError(f"problem ({name}): {error}") from None


def inverse_start(inverse: DictConfig) -> dict[str, float]:
    """Each identified coefficient's starting value: ``inverse.init``'s, else 0 (1 if positive)."""
    if inverse.init:
        return {name: float(value) for name, value in zip(inverse.parameters, inverse.init)}
    return {name: 1.0 if name in inverse.positive else 0.0 for name in inverse.parameters}


def check_inverse(inverse: DictConfig, problem: Problem) -> None:
    """The ``inverse`` node: coefficients the problem has, starting values that are not the true
    ones, and measurements to identify them from (either drawn or read, not both)."""
    names = list(inverse.parameters)
    coefficients = list(type(problem).coefficients)
    for name in names:
        _require(name in coefficients, "inverse.parameters", f"coefficients of {type(problem).__name__}, {coefficients}", name)
    _require(len(set(names)) == len(names), "inverse.parameters", "distinct names", names)
    for name in inverse.positive:
        _require(name in names, "inverse.positive", f"among inverse.parameters {names}", name)
    if inverse.init:
        _require(len(inverse.init) == len(names), "inverse.init", f"one value per parameter of {names}, or empty", list(inverse.init))
    start = inverse_start(inverse)
    for name in inverse.positive:
        _require(start[name] > 0, "inverse.init", f"positive for {name} (it is identified as exp(θ))", start[name])
    if inverse.data is not None and inverse.observations:
        raise ConfigError("inverse.data: measurements come from a file or are drawn (inverse.observations), not both")
    if inverse.noise and not inverse.observations:
        raise ConfigError("inverse.noise: adds noise to inverse.observations, which is 0 (a data file carries its own)")
    if names and inverse.data is None and not inverse.observations:
        raise ConfigError(f"inverse.parameters: {names} need measurements: set inverse.observations=N or inverse.data=FILE")
    for name, weight in inverse.smoothness.items():
        _require(name in problem.unknowns, "inverse.smoothness", f"keyed by unknowns of the problem, {list(problem.unknowns)}", name)
        _require(weight >= 0, f"inverse.smoothness.{name}", "≥ 0", weight)
    size = problem.reference_size
    if size is not None:
        _require(inverse.observations <= size, "inverse.observations", f"at most the reference grid's {size} points",
                 inverse.observations)
    if inverse.data is None:  # drawn from the configured problem: its values are the true ones
        for name in names:
            true = getattr(problem, name)
            if start[name] == true:
                raise ConfigError(f"inverse.init: {name} would start at {start[name]:g}, its true value; give inverse.init")


def check_regions(problem: Problem, name: str) -> None:
    """Every condition's region exists in the problem's domain: its boundary pieces are pieces of
    it, its points lie in it, and a periodic condition's image lies in it too."""
    domain = problem.domain
    for condition in problem.conditions:
        region = condition.region
        try:
            domain.check_pieces(region.pieces)
        except ValueError as error:
            raise ConfigError(f"problem ({name}): condition {condition.name!r}: {error}") from None
        if region.points:
            points = np.asarray(region.points, dtype=np.float64)
            if points.shape[1] != domain.dim or not domain.contains(points, tol=1e-12).all():
                raise ConfigError(f"problem ({name}): condition {condition.name!r}: its points {list(region.points)} are not "
                                  f"points of {domain.describe()} in {list(domain.variables)}")
        if isinstance(condition, PeriodicCondition):
            if len(condition.shift) != domain.dim:
                raise ConfigError(f"problem ({name}): condition {condition.name!r}: its shift needs {domain.dim} components "
                                  f"({list(domain.variables)}), got {list(condition.shift)}")
            rng = np.random.default_rng(0)
            image = domain.boundary(lambda n, k: rng.random((n, k)), 16, region.pieces) + np.asarray(condition.shift)
            if not domain.on_boundary(image, tol=1e-9 * max(1.0, float(np.max(domain.upper - domain.lower)))).all():
                raise ConfigError(f"problem ({name}): condition {condition.name!r}: {list(region.pieces)} moved by "
                                  f"{list(condition.shift)} does not land on the boundary of {domain.describe()}")


def check_logger(logger: DictConfig) -> None:
    """A tracker pinnsolve has, whose library is installed, given only its own keys."""
    name = _choice(logger, "logger", ["none", *TRACKERS])
    for key, owner in LOGGER_KEYS.items():
        if logger[key] is not None and owner != name:
            raise ConfigError(f"logger.{key}: applies to logger={owner} only, and the logger is {name}")
    if name != "none":
        tracker = TRACKERS[name]
        if importlib.util.find_spec(tracker.library) is None:
            raise ConfigError(
                f"logger={name}: the {tracker.library} package is not installed; pip install 'pinnsolve[{tracker.extra}]'"
            )


def hard_bc(cfg: DictConfig) -> bool:
    return bool(cfg.problem.get("hard_bc", False))


def activation_config(cfg: DictConfig) -> DictConfig:
    """The ``activation`` node checked against its activation's schema."""
    name = _choice(cfg.activation, "activation", ACTIVATION_SCHEMAS)
    check_keys(cfg.activation, ACTIVATION_SCHEMAS[name], "activation")
    return _checked(cfg.activation, ACTIVATION_SCHEMAS[name], "activation")


def activated_layers(network) -> int:
    """The hidden layers with an activation: an MLP's depth, a ResNet's two per block."""
    return network.depth if network.name == "mlp" else 2 * network.blocks


def check_scale(activation: DictConfig, layers: int) -> None:
    """activation.scale: a number ≥ 1, or for a slope per layer or per neuron a list of one per
    hidden layer (``layers``: :func:`activated_layers`)."""
    listed = OmegaConf.is_list(activation.scale)
    shown = list(activation.scale) if listed else activation.scale
    if listed:
        _require(activation.name != "global", "activation.scale", "one number for activation=global (one slope for every layer)", shown)
        _require(len(shown) == layers, "activation.scale", f"one number per hidden layer, {layers} here", shown)
    for value in shown if listed else [shown]:
        _require(isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 1, "activation.scale",
                 "≥ 1 (the paper's n), or a list of such numbers", shown)


@dataclass(frozen=True)
class Settings:
    """A validated config as typed objects, what :func:`pinnsolve.assemble.assemble` builds from:
    the problem itself, the activation's own schema, the other groups' schemas, enums as members."""

    problem: Problem
    problem_name: str
    hard_bc: bool
    activation: Any  # FixedActivationConfig, AdaptiveActivationConfig or RAFActivationConfig
    sampler: SamplerConfig
    network: NetworkConfig
    trainer: TrainerConfig
    inverse: InverseConfig
    logger: LoggerConfig
    precision: Precision
    derivatives: Derivatives
    device: Device
    seed: int
    plots: bool


def plain(value: Any) -> Any:
    """An enum member's value; anything else unchanged."""
    return value.value if isinstance(value, Enum) else value


def typed(cfg: DictConfig, problem: Problem, activation: DictConfig) -> Settings:
    """``cfg`` (already validated) as :class:`Settings`, ``problem`` and ``activation`` its own."""
    def group(schema: type, node: Any) -> Any:
        return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(schema), node))

    return Settings(
        problem=problem, problem_name=str(cfg.problem.name), hard_bc=hard_bc(cfg), activation=OmegaConf.to_object(activation),
        sampler=group(SamplerConfig, cfg.sampler), network=group(NetworkConfig, cfg.network),
        trainer=group(TrainerConfig, cfg.trainer), inverse=group(InverseConfig, cfg.inverse),
        logger=group(LoggerConfig, cfg.get("logger") or {}),  # a run saved before trackers had none
        precision=Precision(plain(cfg.precision)), derivatives=Derivatives(plain(cfg.derivatives)),
        device=Device(plain(cfg.device)), seed=int(cfg.seed),
        plots=bool(cfg.get("plots", True)),  # a run saved before the key existed drew its figures
    )


def settings_for(cfg: DictConfig, problem: Problem) -> Settings:
    """A saved run's config as :class:`Settings` around ``problem``, made elsewhere (its values are not checked again)."""
    return typed(cfg, problem, activation_config(cfg))


def validate(cfg: DictConfig) -> Settings:
    """The run ``cfg`` describes as :class:`Settings`; a :class:`ConfigError` for the first value
    pinnsolve cannot run with (``cfg`` may hold Hydra's own node, ``hydra``, which is Hydra's to check)."""
    check_keys(cfg, Config, ignore=("hydra", "problem", "activation"))
    check_finite(OmegaConf.to_container(OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"]), resolve=True))
    check_rules(cfg, Config)
    problem = problem_from_config(cfg)
    activation = activation_config(cfg)
    if activation.name in SLOPE_VARIANTS:
        check_scale(activation, activated_layers(cfg.network))
    # RAF's gaussian_width ≥ 1e-3: narrower, the Gaussian basis is zero at every point but its
    # centre's (and 1/width² overflows)
    check_rules(activation, ACTIVATION_SCHEMAS[activation.name], "activation")
    if activation.name == SlopeVariant.GLOBAL.value:
        _require(activation.init != PINNACLE_DRAW, "activation.init", "positive or null (1/scale) for activation=global "
                 "(PINNacle draws a slope per layer or per neuron)", activation.init)
    network = _choice(cfg.network, "network", NETWORKS)
    s, n, t = cfg.sampler, cfg.network, cfg.trainer
    if activation.name == "raf":
        if activation.mode == RAFMode.partition:
            _require(
                n.width >= len(activation.basis),
                "network.width",
                f"at least the number of RAF bases ({len(activation.basis)}) in partition mode",
                n.width,
            )
    if hard_bc(cfg):
        try:
            boundary_dirichlet(problem)
        except ValueError as error:
            raise ConfigError(f"problem.hard_bc: {error}") from None
    check_regions(problem, cfg.problem.name)
    for kind in {c.region.kind for c in soft_conditions(problem, hard_bc(cfg))} - {"points"}:
        key = f"n_{kind}"
        _require(s[key] > 0, f"sampler.{key}", f"a positive integer ({cfg.problem.name} has {kind} conditions)", s[key])
    _require(s.resample_every >= 0, "sampler.resample_every", "≥ 0", s.resample_every)
    if s.resample != Resample.none and problem.training_points is not None:
        raise ConfigError(
            f"sampler.resample: {cfg.problem.name} trains at its data's points, which cannot be redrawn; "
            "set sampler.resample=none"
        )
    if s.resample != Resample.none:
        _require(s.resample_every > 0, "sampler.resample_every", f"positive with sampler.resample={s.resample.value}", s.resample_every)
    elif s.resample_every:
        raise ConfigError(
            f"sampler.resample_every: {s.resample_every} has no effect with sampler.resample=none; "
            "set sampler.resample=uniform or rad, or sampler.resample_every=0"
        )
    if s.resample == Resample.rad:
        _require(
            s.rad.candidates >= s.n_residual, "sampler.rad.candidates", f"≥ sampler.n_residual ({s.n_residual})", s.rad.candidates
        )
    if network == "mlp":
        _require(n.depth > 0, "network.depth", "a positive integer", n.depth)
    else:
        _require(n.blocks > 0, "network.blocks", "a positive integer", n.blocks)
        _require(n.width >= problem.domain.dim, "network.width", f"≥ the input dimension {problem.domain.dim} (resnet)", n.width)
    ls = t.quasi_newton.line_search
    _require(ls.c1 < ls.c2 < 1, "trainer.quasi_newton.line_search.c2", f"in (c1, 1) = ({ls.c1}, 1)", ls.c2)
    for name, weight in t.loss_weights.items():
        _require(weight >= 0, f"trainer.loss_weights.{name}", "≥ 0", weight)
    for index, point in enumerate(t.residual_taper.points):
        shown = OmegaConf.to_container(point) if OmegaConf.is_config(point) else point
        _require(isinstance(shown, list) and len(shown) == len(problem.variables)
                 and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in shown),
                 f"trainer.residual_taper.points[{index}]",
                 f"a list of one number per variable of the problem, {list(problem.variables)}", shown)
    check_inverse(cfg.inverse, problem)
    check_logger(cfg.logger)
    needed, counted = memory_needed(cfg, problem)
    available = physical_memory()
    if available is not None and needed > available:
        raise ConfigError(
            f"the run needs at least {needed / 2**30:,.1f} GiB of memory ({counted}) and this machine has "
            f"{available / 2**30:,.1f} GiB; reduce sampler.n_residual, the network or the problem's evaluation grid"
            + (", or use trainer.quasi_newton.method=lbfgs" if "dense" in counted else "")
        )
    return typed(cfg, problem, activation)
