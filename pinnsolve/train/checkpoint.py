"""``checkpoint.pt``: what a run needs to continue where it stopped, written atomically.

It holds the run's resolved config (so that a checkpoint cannot continue another run), the
trainer's state (model, optimiser state with any quasi-Newton matrix, training points, counters,
clock, history), the sampler's and torch's random states, and the wall time spent so far.
"""
from __future__ import annotations

import copy
import io
import pickle
from pathlib import Path
from typing import Any

import torch

from pinnsolve.run_directory import written

FILE = "checkpoint.pt"
FORMAT = 1  # raised whenever what a checkpoint holds changes


# keys added to the config after checkpoints were written, each with the value that changes
# nothing: a checkpoint from before a key existed continues a run that leaves it at that value
INERT = {("inverse", "smoothness"): {}}


def comparable(config: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``config`` without the :data:`INERT` keys that hold their inert value."""
    config = copy.deepcopy(config)
    for (*path, last), inert in INERT.items():
        node = config
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and node.get(last, inert) == inert:
            node.pop(last, None)
    return config


class CheckpointError(ValueError):
    """A checkpoint that is missing, unreadable, of another format, or of another run."""


def save(path: Path, state: dict[str, Any]) -> None:
    """Write ``state`` to ``path`` whole or not at all, so that a kill or a full disk leaves the old or the new one."""
    save_tensors(path, {"format": FORMAT, **state})


def save_tensors(path: Path, state: Any) -> None:
    """``torch.save`` of ``state`` as ``path``, whole or not at all. torch's own writer reports a
    full disk as a RuntimeError about zip positions, so it writes to memory and Python writes
    the file (an OSError naming the path)."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    with written(path) as handle:
        handle.write(buffer.getbuffer())


def load(path: Path, config: dict[str, Any], device: torch.device) -> dict[str, Any]:
    """The checkpoint at ``path``, its tensors on ``device``; refused unless it was written by a
    run of ``config`` (the resolved config as a plain dict)."""
    if not path.is_file():
        raise CheckpointError(f"{path}: no checkpoint (the run stopped before writing its first one); start the run afresh")
    try:
        state = torch.load(path, map_location=device, weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError, ValueError) as error:
        # torch's own messages run to paragraphs about pickle's safety; the kind of failure is enough
        raise CheckpointError(f"{path}: not a readable checkpoint ({type(error).__name__}: truncated, damaged or not torch's)") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        found = state.get("format") if isinstance(state, dict) else type(state).__name__
        raise CheckpointError(f"{path}: not a pinnsolve checkpoint of format {FORMAT} (found {found!r})")
    saved = state.get("config")
    if not isinstance(saved, dict) or comparable(saved) != comparable(config):
        keys = differing_keys(saved if isinstance(saved, dict) else {}, config)
        raise CheckpointError(
            f"{path}: written by a run of another config (differs in {', '.join(keys[:5]) or 'its layout'}); "
            "it cannot continue this run"
        )
    return state


def differing_keys(a: Any, b: Any, prefix: str = "") -> list[str]:
    """The dotted keys at which two nested dicts differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [k for key in sorted(set(a) | set(b), key=str) for k in differing_keys(a.get(key), b.get(key), f"{prefix}{key}.")]
    return [] if a == b else [prefix.rstrip(".") or "(root)"]
