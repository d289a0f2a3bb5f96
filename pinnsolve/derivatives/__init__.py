"""Derivatives of a network's output in its named inputs, and the engines that compute them.

``ENGINES`` maps each ``derivatives=`` choice to its engine; ``auto`` is :func:`choose`. A new
engine is one module with a :class:`DerivativeEngine` subclass plus one entry here.
"""
from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from pinnsolve.derivatives.autograd import AutogradEngine
from pinnsolve.derivatives.compiled import CompiledEngine
from pinnsolve.derivatives.engine import PLAIN, DerivativeEngine, EngineError, Ops, describes_layers
from pinnsolve.derivatives.field import Field, Key, Points, derivatives_used
from pinnsolve.derivatives.jets import JetEngine

ENGINES: dict[str, type[DerivativeEngine]] = {
    "autograd": AutogradEngine,
    "jets": JetEngine,
    "compiled": CompiledEngine,
}

# below this many loss evaluations, compiling costs more than it saves (see benchmarks/speed.py)
COMPILE_PAYS_FROM = 3000


def engine(name: str) -> DerivativeEngine:
    try:
        return ENGINES[name]()
    except KeyError:
        raise EngineError(f"unknown derivative engine {name!r}; the engines are {sorted(ENGINES)} and auto") from None


def choose(model: nn.Module, keys: frozenset[Key], variables: Sequence[str], *, evaluations: int) -> DerivativeEngine:
    """The fastest engine that supports ``model`` and ``keys``: compiled jets for a run of at least
    :data:`COMPILE_PAYS_FROM` loss evaluations, plain jets for a shorter one, autograd where jets cannot go."""
    preferred = [CompiledEngine(), JetEngine()] if evaluations >= COMPILE_PAYS_FROM else [JetEngine()]
    for candidate in preferred:
        if candidate.unsupported(model, keys, variables) is None:
            return candidate
    return AutogradEngine()


__all__ = [
    "ENGINES",
    "PLAIN",
    "AutogradEngine",
    "CompiledEngine",
    "DerivativeEngine",
    "EngineError",
    "Field",
    "JetEngine",
    "Key",
    "Ops",
    "Points",
    "choose",
    "derivatives_used",
    "describes_layers",
    "engine",
]
