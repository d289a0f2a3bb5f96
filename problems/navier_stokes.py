"""The steady incompressible Navier–Stokes equations in (u, v, p), shared by the problems that pose them."""
from __future__ import annotations

from torch import Tensor

from pinnsolve.derivatives import Field


def steady_navier_stokes(f: Field, nu: float) -> dict[str, Tensor]:
    """u u_x + v u_y + p_x − ν Δu, u v_x + v v_y + p_y − ν Δv and u_x + v_y at ``f``'s points."""
    u, v = f["u"], f["v"]
    return {
        "momentum_x": u * f.d("u", "x") + v * f.d("u", "y") + f.d("p", "x") - nu * f.laplacian(("x", "y"), of="u"),
        "momentum_y": u * f.d("v", "x") + v * f.d("v", "y") + f.d("p", "y") - nu * f.laplacian(("x", "y"), of="v"),
        "continuity": f.d("u", "x") + f.d("v", "y"),
    }
