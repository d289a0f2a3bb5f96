"""Errors of a model against a problem's reference solution."""
from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

import torch
from torch import Tensor, nn

from pinnsolve.problem import Reference

log = logging.getLogger(__name__)

ZERO = 1e-12


class Evaluator:
    """Predicts at the reference points and measures the error there, over all unknowns together
    (PINNacle's L2RE) and per unknown."""

    def __init__(
        self,
        reference: Reference,
        *,
        dtype: torch.dtype,
        device: torch.device,
        alternatives: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        self.reference = reference
        self.inputs = torch.as_tensor(reference.inputs, dtype=dtype, device=device)
        self.values = torch.as_tensor(reference.values, dtype=dtype, device=device)
        # other solutions at the same points (a data file's exact solution), each scored too
        self.alternatives = {name: torch.as_tensor(v, dtype=dtype, device=device) for name, v in (alternatives or {}).items()}
        # below this, a reference is zero but for rounding (sin(πk) on a grid that hits its zeros)
        zero = [name for i, name in enumerate(reference.unknowns) if not np.abs(reference.values[:, i]).max(initial=0) > ZERO]
        if zero:
            log.warning(
                "the reference of %s is zero (below %g) at every evaluation point: its rel L2 is undefined or meaningless "
                "(null where exactly zero); max_abs_error and mse measure the error", ", ".join(zero), ZERO,
            )

    @torch.no_grad()
    def predict(self, model: nn.Module) -> Tensor:
        """The unknowns at the reference points, shape ``(N, m)``."""
        return model(self.inputs)

    def rel_l2(self, model: nn.Module) -> float:
        return relative_l2(self.predict(model), self.values)

    def errors(self, model: nn.Module) -> dict[str, Any]:
        """rel L2, max |error| and MSE over all unknowns, and the same of each in ``per_unknown``."""
        predicted = self.predict(model)
        errors = _errors(predicted, self.values)
        errors["per_unknown"] = {
            name: _errors(predicted[:, i], self.values[:, i]) for i, name in enumerate(self.reference.unknowns)
        }
        for name, values in self.alternatives.items():
            errors[f"against_{name}"] = {
                **_errors(predicted, values),
                # how far the reference itself is from this one: the floor of the main score
                "reference_rel_l2": relative_l2(self.values, values),
            }
        return errors


def _errors(predicted: Tensor, values: Tensor) -> dict[str, float]:
    diff = predicted - values
    return {
        "rel_l2": relative_l2(predicted, values),
        "max_abs_error": float(diff.abs().max()),
        "mse": float(diff.square().mean()),
    }


def relative_l2(u: Tensor, u_ref: Tensor) -> float:
    """‖u − u_ref‖₂ / ‖u_ref‖₂ over every entry (NaN if the prediction is not finite, or the reference is zero)."""
    norm = torch.linalg.vector_norm(u_ref)
    return float(torch.linalg.vector_norm(u - u_ref) / norm) if norm > 0 else math.nan
