"""Reverse-mode autograd: any model, any derivative, built on demand by nested backward passes."""
from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from pinnsolve.derivatives.engine import DerivativeEngine
from pinnsolve.derivatives.field import Field, OutputKey


class AutogradEngine(DerivativeEngine):
    name = "autograd"

    def field(
        self, model: nn.Module, inputs: Tensor, variables: Sequence[str], unknowns: Sequence[str], keys: frozenset[OutputKey]
    ) -> Field:
        inputs = inputs.detach().requires_grad_(True)
        return Field(inputs, model(inputs), variables, unknowns)
