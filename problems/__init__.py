"""The PDE problems pinnsolve ships, by the name used in ``conf/problem/NAME.yaml``.

To add one: write a frozen dataclass subclassing :class:`pinnsolve.problem.Problem` in a
module here, add it to ``PROBLEMS``, and add ``conf/problem/NAME.yaml`` with its parameters.
The PINNacle cases (``burgers1d_c`` … ``poisson_inv``) are PINNacle's definitions; those scored
against its data files read them from ``problem.data``.
"""
from pinnsolve.problem import Problem

from .burgers import Burgers
from .burgers1d_c import Burgers1dC
from .fit import Fit
from .heat2d_lt import Heat2dLT
from .heat2d_ms import Heat2dMS
from .helmholtz import Helmholtz
from .klein_gordon import KleinGordon
from .kovasznay import Kovasznay
from .low_regularity import LowRegularity
from .ns2d_c import NS2dC
from .oscillatory import Oscillatory
from .poisson import Poisson
from .poisson2d_c import Poisson2dC
from .poisson_inv import PoissonInv
from .poisson_nd import PoissonND
from .sine_gordon import SineGordon
from .wave1d_c import Wave1dC

PROBLEMS: dict[str, type[Problem]] = {
    "burgers": Burgers,
    "poisson": Poisson,
    "klein_gordon": KleinGordon,
    "helmholtz": Helmholtz,
    "sine_gordon": SineGordon,
    "low_regularity": LowRegularity,
    "oscillatory": Oscillatory,
    "fit": Fit,
    "kovasznay": Kovasznay,
    "burgers1d_c": Burgers1dC,
    "heat2d_ms": Heat2dMS,
    "heat2d_lt": Heat2dLT,
    "ns2d_c": NS2dC,
    "wave1d_c": Wave1dC,
    "poisson2d_c": Poisson2dC,
    "poisson_nd": PoissonND,
    "poisson_inv": PoissonInv,
}

__all__ = [
    "PROBLEMS", "Burgers", "Burgers1dC", "Fit", "Heat2dLT", "Heat2dMS", "Helmholtz", "KleinGordon", "Kovasznay",
    "LowRegularity", "NS2dC", "Oscillatory", "Poisson", "Poisson2dC", "PoissonInv", "PoissonND", "SineGordon", "Wave1dC",
]
