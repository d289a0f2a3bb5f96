"""Experiment trackers: where a run streams its records (loss components, rel L2, slopes, identified
coefficients) as it trains, and its final metrics when it ends, besides its own files (``logger=``).

``TRACKERS`` maps each ``logger=`` choice but ``none`` to its tracker class. A new tracker is one
module with a :class:`~pinnsolve.trackers.base.Tracker` subclass plus one entry here; it imports
its library only when a run opens it, so that the others cost nothing.
"""
from __future__ import annotations

from pinnsolve.trackers.base import Tracker, scalars
from pinnsolve.trackers.mlflow import MLflowTracker
from pinnsolve.trackers.tensorboard import TensorBoardTracker

TRACKERS: dict[str, type[Tracker]] = {
    "tensorboard": TensorBoardTracker,
    "mlflow": MLflowTracker,
}

__all__ = ["TRACKERS", "MLflowTracker", "TensorBoardTracker", "Tracker", "scalars"]
