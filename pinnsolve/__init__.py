"""pinnsolve: physics-informed neural networks for PDEs, configured with Hydra.

Entry points: the ``pinnsolve`` command (:mod:`pinnsolve.cli`) and :func:`pinnsolve.run.run`.
"""

__version__ = "0.1.0"
