"""Jets under ``torch.compile``: the loss's whole evaluation, and by AOTAutograd its gradient,
fused into a few generated kernels instead of hundreds of small tensor operations.

Compilation happens at the first evaluation (7–17 s the first time on a machine in
benchmarks/speed.py, a few seconds once Inductor's on-disk cache holds the kernels) and again
only if a tensor's shape, dtype or device changes; redrawn points of the same number reuse the
compiled code, and so do the quasi-Newton phase's line-search evaluations. Model parameters are inputs of the compiled
graph, so updating them in place (Adam, the quasi-Newton phase) needs no recompilation.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from pinnsolve.derivatives.field import OutputKey
from pinnsolve.derivatives.jets import JetEngine, known_inputs


def compiler_missing(device: torch.device) -> str | None:
    """Why torch.compile cannot generate code for ``device`` here (None if it can)."""
    if device.type == "cuda":
        from torch.utils._triton import has_triton

        return None if has_triton() else "torch.compile on CUDA needs Triton, which is not installed"
    try:
        from torch._inductor.cpp_builder import get_cpp_compiler

        get_cpp_compiler()
    except Exception:  # Inductor raises its own InvalidCxxCompiler, or an import error on odd builds
        return "torch.compile on CPU needs a C++ compiler (g++ or clang++, or set CXX), and none was found"
    return None


class CompiledEngine(JetEngine):
    name = "compiled"

    def unsupported(self, model: nn.Module, keys: frozenset[OutputKey], variables: Sequence[str]) -> str | None:
        reason = super().unsupported(model, keys, variables)
        if reason is not None:
            return reason
        return compiler_missing(next(model.parameters()).device)

    def prepare(self, function: Callable[..., Any]) -> Callable[..., Any]:
        # Functions of the inputs run eagerly: traced, their autograd calls gave wrong values. Wrapped
        # here, not where they are defined, so that importing the engines does not load the compiler.
        self.known = torch.compiler.disable(known_inputs)
        # dynamic=False: the shapes are fixed for a run, and static shapes give the fastest kernels
        return torch.compile(function, dynamic=False)
