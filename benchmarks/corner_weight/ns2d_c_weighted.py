"""PINNacle's NS 2d-C with its residuals weighted by min(1, d / radius), d the distance to the
nearer lid corner. There the lid's data contradict the PDE (u_x = ±4 along the lid, v_y = 0 along
the side walls, so u_x + v_y = 0 cannot hold), and the residuals that cannot vanish would
otherwise pull the whole network, and RAD's points, towards them. A user's problem file:
benchmarks/ns2d_c_corners.py runs it with the case's own settings."""
from dataclasses import dataclass

import torch

from pinnsolve.problems.ns2d_c import NS2dC


@dataclass(frozen=True)
class NS2dCWeighted(NS2dC):
    radius: float = 0.05

    def residual(self, f):
        x, y = f["x"], f["y"]
        d = torch.minimum(torch.hypot(x, y - 1), torch.hypot(x - 1, y - 1))
        weight = torch.clamp(d / self.radius, max=1.0)
        return {name: weight * r for name, r in super().residual(f).items()}
