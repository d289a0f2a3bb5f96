"""The PDE problems pinnsolve ships, by the name used in ``conf/problem/NAME.yaml``.

To add one: write a frozen dataclass subclassing :class:`pinnsolve.problem.Problem` in a
module here, add it to ``PROBLEMS``, and add ``conf/problem/NAME.yaml`` with its parameters.
"""
from pinnsolve.problem import Problem

from .burgers import Burgers
from .fit import Fit
from .helmholtz import Helmholtz
from .klein_gordon import KleinGordon
from .low_regularity import LowRegularity
from .oscillatory import Oscillatory
from .poisson import Poisson
from .sine_gordon import SineGordon

PROBLEMS: dict[str, type[Problem]] = {
    "burgers": Burgers,
    "poisson": Poisson,
    "klein_gordon": KleinGordon,
    "helmholtz": Helmholtz,
    "sine_gordon": SineGordon,
    "low_regularity": LowRegularity,
    "oscillatory": Oscillatory,
    "fit": Fit,
}

__all__ = ["PROBLEMS", "Burgers", "Fit", "Helmholtz", "KleinGordon", "LowRegularity", "Oscillatory", "Poisson", "SineGordon"]
