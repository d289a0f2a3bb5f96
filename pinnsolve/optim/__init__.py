"""Quasi-Newton optimizers on a flat parameter vector: one module per method, one registry.

``METHODS[name](n, dtype=..., device=..., history_size=...)`` builds a method's
:class:`~pinnsolve.optim.quasi_newton.Curvature`; :class:`QuasiNewton` runs it. A new method is
a module with a Curvature subclass and one entry here.
"""
from __future__ import annotations

from collections.abc import Callable

import torch

from pinnsolve.optim.bfgs import BFGS, al_baali, oren_luenberger, unscaled
from pinnsolve.optim.lbfgs import LBFGS
from pinnsolve.optim.linesearch import LineSearch
from pinnsolve.optim.quasi_newton import Curvature, LineSearchFailed, Objective, QuasiNewton, StepInfo
from pinnsolve.optim.ssbroyden import SSBroyden

# name -> (n, dtype, device, history_size) -> Curvature; history_size is L-BFGS's alone
MethodFactory = Callable[[int, torch.dtype, torch.device, int], Curvature]

METHODS: dict[str, MethodFactory] = {
    "lbfgs": lambda n, dtype, device, history: LBFGS(n, dtype=dtype, device=device, history_size=history),
    "bfgs": lambda n, dtype, device, history: BFGS(n, dtype=dtype, device=device, tau=unscaled),
    "ssbfgs_ol": lambda n, dtype, device, history: BFGS(n, dtype=dtype, device=device, tau=oren_luenberger),
    "ssbfgs_ab": lambda n, dtype, device, history: BFGS(n, dtype=dtype, device=device, tau=al_baali),
    "ssbroyden1": lambda n, dtype, device, history: SSBroyden(n, dtype=dtype, device=device, variant=1),
    "ssbroyden2": lambda n, dtype, device, history: SSBroyden(n, dtype=dtype, device=device, variant=2),
}

LIMITED_MEMORY = frozenset({"lbfgs"})  # the methods that keep no n × n matrix


def curvature(method: str, n: int, *, dtype: torch.dtype, device: torch.device, history_size: int = 0) -> Curvature:
    """The named method's curvature model for ``n`` parameters."""
    try:
        factory = METHODS[method]
    except KeyError:
        raise ValueError(f"unknown quasi-Newton method {method!r}; choose one of {sorted(METHODS)}") from None
    return factory(n, dtype, device, history_size)


__all__ = ["LIMITED_MEMORY", "METHODS", "Curvature", "LineSearch", "LineSearchFailed", "Objective", "QuasiNewton", "StepInfo", "curvature"]
