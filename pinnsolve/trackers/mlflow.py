"""``logger=mlflow``: one MLflow run per pinnsolve run (per job in a sweep) with the config as
parameters, every record as metrics at its iteration, the final metrics, the outcome as tags, and
the run directory's files as artifacts. A resumed run continues its MLflow run."""
from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pinnsolve.trackers.base import Tracker, flat, last_iteration, measures, scalars

RUN_DIR_TAG = "pinnsolve.run_dir"  # how a resumed run finds its MLflow run again
STATUS = {"completed": "FINISHED", "diverged": "FAILED", "interrupted": "KILLED"}
BATCH = 100  # MLflow takes at most this many parameters in one call
ARTIFACTS = (".json", ".csv", ".png", ".log")


class MLflowTracker(Tracker):
    library = "mlflow"
    extra = "mlflow"

    @classmethod
    def open(cls, logger: Any, *, problem: str, run_dir: Path | None, config: Mapping[str, Any], resumed_at: int | None) -> MLflowTracker:
        name = logger.run_name or (str(run_dir) if run_dir is not None else problem)
        return cls(logger.tracking_uri, logger.experiment or "pinnsolve", name, run_dir, config, resumed_at)

    def __init__(
        self, tracking_uri: str | None, experiment: str, run_name: str, run_dir: Path | None,
        config: Mapping[str, Any], resumed_at: int | None,
    ) -> None:
        from mlflow.tracking import MlflowClient

        self.status = "KILLED"  # closed before finish() and not failed: stopped from outside
        self.client = MlflowClient(tracking_uri=tracking_uri)  # None: MLFLOW_TRACKING_URI, else MLflow's default
        found = self.client.get_experiment_by_name(experiment)
        experiment_id = found.experiment_id if found is not None else self.client.create_experiment(experiment)
        earlier = None
        if resumed_at is not None and run_dir is not None:
            runs = self.client.search_runs(
                [experiment_id], filter_string=f"tags.`{RUN_DIR_TAG}` = '{run_dir.resolve()}'", order_by=["attributes.start_time DESC"],
                max_results=1,
            )
            earlier = runs[0].info.run_id if runs else None
        if earlier is not None:
            self.run_id = earlier
            self.client.update_run(earlier, status="RUNNING")
            return
        tags = {RUN_DIR_TAG: str(run_dir.resolve())} if run_dir is not None else {}
        self.run_id = self.client.create_run(experiment_id, run_name=run_name, tags=tags).info.run_id
        from mlflow.entities import Param

        params = [Param(key, str(value)) for key, value in flat(config).items()]
        for start in range(0, len(params), BATCH):
            self.client.log_batch(self.run_id, params=params[start:start + BATCH])

    def _metrics(self, values: list[tuple[str, float]], step: int) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        metrics = [Metric(name, value, now, step) for name, value in values]
        for start in range(0, len(metrics), BATCH * 10):
            self.client.log_batch(self.run_id, metrics=metrics[start:start + BATCH * 10])

    def record(self, row: Mapping[str, Any]) -> None:
        self._metrics(list(measures(row)), int(row["iteration"]))

    def finish(self, metrics: Mapping[str, Any], run_dir: Path | None) -> None:
        self._metrics([(f"final/{name}", value) for name, value in scalars(metrics)], last_iteration(metrics))
        self.client.set_tag(self.run_id, "status", str(metrics.get("status")))
        self.client.set_tag(self.run_id, "stop_reason", str(metrics.get("stop_reason")))
        if run_dir is not None:
            for path in sorted(run_dir.iterdir()):
                if path.is_file() and path.suffix in ARTIFACTS:
                    self.client.log_artifact(self.run_id, str(path))
        self.status = STATUS.get(str(metrics.get("status")), "FINISHED")

    def close(self, failed: bool) -> None:
        self.client.set_terminated(self.run_id, status="FAILED" if failed else self.status)
