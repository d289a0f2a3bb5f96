"""Limited-memory BFGS: H from the last ``history_size`` pairs by the two-loop recursion
(Nocedal & Wright, Algorithm 7.4), with H₀ = γI, γ = sᵀy/yᵀy of the newest pair.

Unlike ``torch.optim.LBFGS``, which drops pairs with yᵀs ≤ 1e-10 (an absolute bound that
small PINN losses fall under), a pair is dropped only where yᵀs is not positive beyond rounding.
"""
from __future__ import annotations

from collections import deque

import torch
from torch import Tensor

from pinnsolve.optim.quasi_newton import Curvature, positive_curvature


class LBFGS(Curvature):
    def __init__(self, n: int, *, dtype: torch.dtype, device: torch.device, history_size: int) -> None:
        super().__init__(n, dtype=dtype, device=device)
        self.history_size = history_size
        self.pairs: deque[tuple[Tensor, Tensor, float]] = deque(maxlen=history_size)
        self.gamma = 1.0

    def direction(self, gradient: Tensor) -> Tensor:
        q = -gradient
        alphas = []
        for s, y, rho in reversed(self.pairs):
            alpha = rho * float(torch.dot(s, q))
            q = q - alpha * y
            alphas.append(alpha)
        r = self.gamma * q
        for (s, y, rho), alpha in zip(self.pairs, reversed(alphas)):
            beta = rho * float(torch.dot(y, r))
            r = r + (alpha - beta) * s
        return r

    def update(self, s: Tensor, y: Tensor, *, step: float, gradient: Tensor) -> bool:
        ys = positive_curvature(s, y)
        if ys is None:
            return False
        self.pairs.append((s, y, 1 / ys))
        self.gamma = ys / float(torch.dot(y, y))
        return True

    def reset(self, scale: float) -> None:
        self.pairs.clear()
        self.gamma = scale

    def state_dict(self) -> dict[str, object]:
        return {"pairs": [(s.clone(), y.clone(), rho) for s, y, rho in self.pairs], "gamma": self.gamma}

    def load_state_dict(self, state: dict[str, object]) -> None:
        self.pairs = deque(state["pairs"], maxlen=self.history_size)  # type: ignore[arg-type]
        self.gamma = float(state["gamma"])  # type: ignore[arg-type]
