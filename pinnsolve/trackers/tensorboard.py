"""``logger=tensorboard``: every record as scalars, the final metrics as the run's hyper-parameter
entry (TensorBoard's HPARAMS tab compares the jobs of a sweep), the config and the outcome as text."""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pinnsolve.run_directory import TRACKER_DIR
from pinnsolve.trackers.base import Tracker, flat, last_iteration, measures, scalars


class TensorBoardTracker(Tracker):
    library = "tensorboard"
    extra = "tensorboard"

    @classmethod
    def open(cls, logger: Any, *, problem: str, run_dir: Path | None, config: Mapping[str, Any], resumed_at: int | None) -> TensorBoardTracker:
        if logger.log_dir is None and run_dir is None:
            raise ValueError("this run has no directory to write into; give logger.log_dir=DIR")
        # in the run directory, `tensorboard --logdir` on a sweep's directory shows each job as a run
        log_dir = Path(logger.log_dir) if logger.log_dir is not None else run_dir / TRACKER_DIR
        return cls(log_dir, config, resumed_at)

    def __init__(self, log_dir: Path, config: Mapping[str, Any], resumed_at: int | None) -> None:
        from torch.utils.tensorboard import SummaryWriter  # here, so that a missing library refuses the run at once

        self._writer_class = SummaryWriter
        self.log_dir, self.config, self.resumed_at = log_dir, config, resumed_at
        self._writer: Any = None

    @property
    def writer(self) -> Any:
        # made at the first record, once the run has cleared an earlier run's files from its directory
        if self._writer is None:
            # a resumed run records again from its checkpoint's iteration on: what the killed one
            # wrote after that is dropped, so that each step has one value
            purge = None if self.resumed_at is None else self.resumed_at + 1
            self._writer = self._writer_class(log_dir=str(self.log_dir), purge_step=purge)
            if self.resumed_at is None:
                self._writer.add_text("config", "```\n" + json.dumps(self.config, indent=2, default=str) + "\n```")
        return self._writer

    def record(self, row: Mapping[str, Any]) -> None:
        step = int(row["iteration"])
        for name, value in measures(row):
            self.writer.add_scalar(name, value, step)
        self.writer.flush()

    def finish(self, metrics: Mapping[str, Any], run_dir: Path | None) -> None:
        step = last_iteration(metrics)
        hparams = {key: value if isinstance(value, (int, float, str, bool)) else str(value) for key, value in flat(self.config).items()}
        final = {f"final/{name}": value for name, value in scalars(metrics)}
        # "." : into this run's folder, not a new one beside it
        self.writer.add_hparams(hparams, final, run_name=".", global_step=step)
        self.writer.add_text("outcome", f"{metrics.get('status')}: {metrics.get('stop_reason')}", step)

    def close(self, failed: bool) -> None:
        if self._writer is not None:
            self._writer.close()
