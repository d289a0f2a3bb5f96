"""Derivatives of a network's output in its named inputs, and the engines that compute them.

``ENGINES`` maps each ``derivatives=`` choice to its engine; ``auto`` is :func:`choose`. A new
engine is one module with a :class:`DerivativeEngine` subclass plus one entry here.
"""
from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from pinnsolve.derivatives.autograd import AutogradEngine
from pinnsolve.derivatives.compiled import CompiledEngine
from pinnsolve.derivatives.fallback import Fallback
from pinnsolve.derivatives.engine import PLAIN, DerivativeEngine, EngineError, Ops, describes_layers
from pinnsolve.derivatives.field import Field, Key, OutputKey, Points, derivatives_used
from pinnsolve.derivatives.jets import JetEngine

ENGINES: dict[str, type[DerivativeEngine]] = {
    "autograd": AutogradEngine,
    "jets": JetEngine,
    "compiled": CompiledEngine,
}

# Adam plus quasi-Newton iterations from which compiling pays: benchmarks/speed.py measured a
# first compiled step of 8-30 s on 2 cores and savings of 2.5-10 ms per iteration on the defaults
COMPILE_PAYS_FROM = 3000


def engine(name: str) -> DerivativeEngine:
    try:
        return ENGINES[name]()
    except KeyError:
        raise EngineError(f"unknown derivative engine {name!r}; the engines are {sorted(ENGINES)} and auto") from None


def choose(model: nn.Module, keys: frozenset[OutputKey], variables: Sequence[str], *, iterations: int) -> DerivativeEngine:
    """The fastest engine for ``model`` and ``keys`` over a run of ``iterations``: compiled jets
    from :data:`COMPILE_PAYS_FROM` iterations on, where they are supported, falling back to
    autograd if compiling fails; autograd otherwise (eager jets measured slower than autograd on
    Burgers' and Helmholtz's study settings and at most 1.3x faster on the others', where
    compiled is faster still: the speed page's per-iteration table)."""
    compiled = CompiledEngine()
    if iterations >= COMPILE_PAYS_FROM and compiled.unsupported(model, keys, variables) is None:
        return Fallback(compiled, AutogradEngine())
    return AutogradEngine()


__all__ = [
    "ENGINES",
    "PLAIN",
    "AutogradEngine",
    "CompiledEngine",
    "DerivativeEngine",
    "EngineError",
    "Fallback",
    "Field",
    "JetEngine",
    "Key",
    "OutputKey",
    "Ops",
    "Points",
    "choose",
    "derivatives_used",
    "describes_layers",
    "engine",
]
