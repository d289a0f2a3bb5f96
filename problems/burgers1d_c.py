"""PINNacle's Burgers 1d-C: pinnsolve's Burgers equation (ν = 0.01/π) scored against PINNacle's
COMSOL file ``burgers1d.dat`` (101 nodes × 11 times), and against the exact Hopf–Cole solution at
the same points: the file is itself about 1.3e-2 from it, the floor of a score against the file.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pinnsolve.problem import Reference
from pinnsolve.readers import PINNACLE_SOURCE, DataReference

from .burgers import BurgersEquation, hopf_cole_converged


@dataclass(frozen=True)
class Burgers1dC(DataReference, BurgersEquation):
    source_hint = PINNACLE_SOURCE

    data: str

    def __post_init__(self) -> None:
        super().__post_init__()
        self.check_data()

    def alternative_references(self, reference: Reference) -> dict[str, np.ndarray]:
        x, t = reference.inputs[:, 0], reference.inputs[:, 1]
        return {"exact": hopf_cole_converged(x, t, self.nu, self.quadrature_tolerance, self.convection)[:, None]}
