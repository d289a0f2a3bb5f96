"""The ``pinnsolve`` command: Hydra composes the config, :func:`pinnsolve.run.run` does the rest."""
from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from pinnsolve.config import ConfigError, register_configs, validate
from pinnsolve.run import run

log = logging.getLogger("pinnsolve")


def _reject(error: ConfigError) -> None:
    sys.stderr.write(f"pinnsolve: invalid configuration: {error}\n")
    sys.exit(2)


class ValidateBeforeRun(Callback):
    """Checks a single run's config before Hydra creates its output directory."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        try:
            validate(config)
        except ConfigError as error:
            _reject(error)


register_configs()


@hydra.main(version_base="1.3", config_path="pkg://pinnsolve.conf", config_name="config")
def main(cfg: DictConfig) -> float:
    """Train one job; returns its rel L2 error (the value a Hydra sweeper would minimise)."""
    try:
        metrics = run(cfg, Path(HydraConfig.get().runtime.output_dir))
    except ConfigError as error:
        _reject(error)
    return metrics["rel_l2"]


if __name__ == "__main__":
    main()
