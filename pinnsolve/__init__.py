"""pinnsolve: physics-informed neural networks for PDEs, configured with Hydra.

Entry points: the ``pinnsolve`` command (:mod:`pinnsolve.cli`) and the Python API
(:mod:`pinnsolve.api`): ``from pinnsolve import solve, load``.
"""

__version__ = "0.1.0"

API = ("solve", "load", "Solution", "compose_config")


def __getattr__(name: str):
    # the API is imported on first use, so that the command and the engine's modules do not load it
    if name in API:
        from pinnsolve import api

        return getattr(api, name)
    raise AttributeError(f"module 'pinnsolve' has no attribute {name!r}")
