"""Errors of a model against a problem's reference solution."""
from __future__ import annotations

import torch
from torch import Tensor, nn

from pinnsolve.problem import Reference


class Evaluator:
    """Predicts on the reference grid and measures the error there."""

    def __init__(self, reference: Reference, *, dtype: torch.dtype, device: torch.device) -> None:
        self.reference = reference
        self.inputs = torch.as_tensor(reference.inputs, dtype=dtype, device=device)
        self.u_ref = torch.as_tensor(reference.u, dtype=dtype, device=device)

    @torch.no_grad()
    def predict(self, model: nn.Module) -> Tensor:
        """u on the reference grid, shape ``(N,)``."""
        return model(self.inputs)

    def rel_l2(self, model: nn.Module) -> float:
        return relative_l2(self.predict(model), self.u_ref)

    def errors(self, model: nn.Module) -> dict[str, float]:
        u = self.predict(model)
        diff = u - self.u_ref
        return {
            "rel_l2": relative_l2(u, self.u_ref),
            "max_abs_error": float(diff.abs().max()),
            "mse": float(diff.square().mean()),
        }


def relative_l2(u: Tensor, u_ref: Tensor) -> float:
    """‖u − u_ref‖₂ / ‖u_ref‖₂ (NaN if the prediction is not finite)."""
    return float(torch.linalg.vector_norm(u - u_ref) / torch.linalg.vector_norm(u_ref))

