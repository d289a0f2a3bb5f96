"""The ``pinnsolve`` command: Hydra composes the config, :func:`pinnsolve.run.run` does the rest."""
from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from pinnsolve import sweep
from pinnsolve.problems import PROBLEMS
from pinnsolve.config import ConfigError, register_configs, validate
from pinnsolve.run import run

log = logging.getLogger("pinnsolve")


def _reject(error: ConfigError) -> None:
    sys.stderr.write(f"pinnsolve: invalid configuration: {error}\n")
    sys.exit(2)


def check_experiment_matches_problem(choices: DictConfig) -> None:
    """An experiment at ``experiment/GROUP/PROBLEM`` (PROBLEM a registered problem) is tuned for that problem; a different
    ``problem=`` on the command line wins in Hydra, which would run one PDE with another's settings."""
    experiment, problem = choices.get("experiment"), choices.get("problem")
    if experiment and "/" in experiment:
        meant_for = experiment.rsplit("/", 1)[1]
        if meant_for in PROBLEMS and meant_for != problem:
            raise ConfigError(
                f"experiment={experiment} is tuned for problem={meant_for}, but problem={problem} was chosen; "
                f"drop problem= (the experiment selects its problem) or pick experiment=.../{problem}"
            )


class ValidateBeforeRun(Callback):
    """Checks a single run's config before Hydra creates its output directory."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        try:
            check_experiment_matches_problem(config.hydra.runtime.choices)
            validate(config)
        except ConfigError as error:
            _reject(error)


class SweepReport(Callback):
    """Writes the sweep's report when every job has run, and fails the command if any job failed."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        jobs = sweep.write_report(sweep_dir)
        log.info("sweep report: %s", sweep_dir / "summary.csv")
        failed = [job for job in jobs if job.status in ("failed", "incomplete")]
        if failed:
            sys.stderr.write(
                f"pinnsolve: {len(failed)} of {len(jobs)} jobs failed ({', '.join(j.name for j in failed)}); "
                f"see {sweep_dir / 'summary.csv'}\n"
            )
            sys.exit(1)


register_configs()


@hydra.main(version_base="1.3", config_path="pkg://pinnsolve.conf", config_name="config")
def main(cfg: DictConfig) -> float:
    """Train one job; returns its rel L2 error (the value a Hydra sweeper would minimise).

    In a sweep, a job that fails leaves its error in ``error.txt`` and the sweep goes on.
    """
    hydra_config = HydraConfig.get()
    output_dir = Path(hydra_config.runtime.output_dir)
    in_sweep = hydra_config.mode == RunMode.MULTIRUN
    try:
        return run(cfg, output_dir)["rel_l2"]
    except ConfigError as error:
        if not in_sweep:
            _reject(error)
        message = f"invalid configuration: {error}"
        log.error("job %s failed: %s", hydra_config.job.num, message)
    except Exception as error:  # one job's failure must not end the sweep
        if not in_sweep:
            raise
        message = f"{type(error).__name__}: {error}"
        log.exception("job %s failed: %s", hydra_config.job.num, message)
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / sweep.ERROR_FILE).write_text(message + "\n")
    return float("nan")

if __name__ == "__main__":
    main()
