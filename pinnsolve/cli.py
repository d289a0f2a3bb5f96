"""The ``pinnsolve`` command: Hydra composes the config, :func:`pinnsolve.run.run` does the rest."""
from __future__ import annotations

import json
import logging
import math
import os
import signal
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import hydra
import torch
from hydra.core.hydra_config import HydraConfig
from hydra.errors import CompactHydraException
from hydra.types import RunMode
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from pinnsolve.report import sweep
from pinnsolve.run_directory import ERROR_FILE, Attempt, Claim, RunDirectoryError, clear_earlier_run, write_text
from pinnsolve.train import checkpoint, interrupts
from pinnsolve.train.checkpoint import CheckpointError
from pinnsolve.config import (
    RUN_CONFIG, ConfigError, check_experiment, check_output_dir, load_run_config, one_line, register_configs, validate,
)
from pinnsolve.run import run

log = logging.getLogger("pinnsolve")


# refusals: raised before a run changes anything in its directory
REFUSALS = (ConfigError, RunDirectoryError, CheckpointError)


def _reject(error: Exception) -> None:
    prefix = "invalid configuration: " if isinstance(error, ConfigError) else ""
    sys.stderr.write(f"pinnsolve: {prefix}{error}\n")
    sys.exit(2)


class ValidateBeforeRun(Callback):
    """Checks a single run's config, and the output directory of a run or a sweep, before Hydra
    creates it; claims a single run's directory before Hydra writes its config there."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        try:
            check_experiment(config.hydra.runtime.choices)
            validate(config)
            check_output_dir(Path(config.hydra.run.dir), "hydra.run.dir")
            Attempt.started = Attempt(Path(config.hydra.run.dir), "hydra.run.dir")
        except (ConfigError, RunDirectoryError) as error:
            _reject(error)

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        try:
            check_output_dir(Path(config.hydra.sweep.dir), "hydra.sweep.dir")
        except ConfigError as error:
            _reject(error)


# the exit status of a run by its status; interrupted runs exit as the signal says
EXIT_STATUS = {"completed": 0, "failed": 1, "diverged": 3}


class SweepReport(Callback):
    """Watches for SIGINT/SIGTERM across the sweep's jobs; when they have run, writes the sweep's
    report and exits non-zero if any job was interrupted (130/143), failed (1) or diverged (3)."""

    def __init__(self) -> None:
        self._watch = ExitStack()

    def __getstate__(self) -> dict[str, Any]:
        # a parallel launcher pickles the callbacks for its workers; the watch belongs to this process
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._watch = ExitStack()

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        self._watch.enter_context(interrupts.watch())

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        signal_received = interrupts.received()
        self._watch.close()
        sweep_dir = Path(config.hydra.sweep.dir)
        jobs = sweep.write_report(sweep_dir)
        log.info("sweep report: %s", sweep_dir / "summary.csv")
        if signal_received is not None:
            sys.stderr.write(f"pinnsolve: sweep interrupted by {signal_received.name}; report of the jobs run in {sweep_dir}\n")
            sys.exit(interrupts.EXIT_STATUS[signal_received])
        failed = [job for job in jobs if job.status in ("failed", "incomplete")]
        diverged = [job for job in jobs if job.status == "diverged"]
        for status, bad in (("failed", failed), ("diverged", diverged)):
            if bad:
                sys.stderr.write(
                    f"pinnsolve: {len(bad)} of {len(jobs)} jobs {status} ({', '.join(j.name for j in bad)}); "
                    f"see {sweep_dir / 'summary.csv'}\n"
                )
                sys.exit(EXIT_STATUS[status])


register_configs()


def main() -> Any:
    """The ``pinnsolve`` command: ``pinnsolve resume=RUN_DIR`` continues a run; anything else is
    Hydra's command line, whose composition errors (unknown option or key, wrong type) are
    refused as pinnsolve's own are: one line, exit status 2."""
    resuming = [arg for arg in sys.argv[1:] if arg.startswith("resume=")]
    if resuming:
        if len(sys.argv) != 2:
            sys.stderr.write("pinnsolve: resume=RUN_DIR takes no other arguments: the run continues with its saved config\n")
            sys.exit(2)
        sys.exit(resume(Path(resuming[0].split("=", 1)[1])))
    full_error = os.environ.get("HYDRA_FULL_ERROR")
    os.environ["HYDRA_FULL_ERROR"] = "1"  # Hydra raises its errors instead of printing them in paragraphs
    try:
        return hydra_main()
    except CompactHydraException as error:
        _reject(ConfigError(one_line(error)))
    except KeyboardInterrupt:  # a second Ctrl-C where no run is there to say what it kept (between a sweep's jobs, in Hydra)
        sys.stderr.write("pinnsolve: interrupted (SIGINT)\n")
        sys.exit(interrupts.EXIT_STATUS[signal.SIGINT])
    except ValueError as error:
        # a few of Hydra's refusals are plain ValueErrors (experiment=null, a sweep's --cfg); others are ours to show
        if "/hydra/" not in traceback.extract_tb(error.__traceback__)[-1].filename:
            raise
        _reject(ConfigError(one_line(error)))
    finally:
        if Attempt.started is not None:
            Attempt.started.release()
            Attempt.started = None
        if full_error is None:
            os.environ.pop("HYDRA_FULL_ERROR", None)
        else:
            os.environ["HYDRA_FULL_ERROR"] = full_error


@hydra.main(version_base="1.3", config_path="pkg://pinnsolve.conf", config_name="config")
def hydra_main(cfg: DictConfig) -> float:
    """Train one job; returns its rel L2 error (the value a Hydra sweeper minimises).

    In a sweep, a job that fails leaves its error in ``error.txt``, returns infinity (a bad trial
    for a search) and the sweep goes on; once a signal has interrupted the sweep, the jobs still
    to come are not run.
    """
    hydra_config = HydraConfig.get()
    output_dir = Path(hydra_config.runtime.output_dir)
    in_sweep = hydra_config.mode == RunMode.MULTIRUN
    share_cores(hydra_config.launcher)
    if in_sweep and interrupts.received() is not None:
        message = f"not run: the sweep was interrupted by {interrupts.received().name}"
    else:
        started = time.time()
        try:
            if in_sweep:  # each job composes its own choices; a single run's were checked before it started
                check_experiment(hydra_config.runtime.choices)
            with interrupts.watch():
                metrics = run(cfg, output_dir).metrics
            if not in_sweep:
                exit_with(metrics, output_dir)
            return metrics["rel_l2"]
        except REFUSALS as error:
            if not in_sweep:
                if Attempt.started is not None:
                    Attempt.started.undo()
                _reject(error)
            message = f"invalid configuration: {error}" if isinstance(error, ConfigError) else str(error)
            log.error("job %s failed: %s", hydra_config.job.num, message)
            if isinstance(error, RunDirectoryError):
                return math.inf  # the directory is not this job's to write in
        except KeyboardInterrupt:
            if not in_sweep:
                stopped_at_once(output_dir, started)
            raise
        except OSError as error:
            if not in_sweep:
                write_failed(error, output_dir)
            message = f"{type(error).__name__}: {error}"
            log.error("job %s failed: %s", hydra_config.job.num, message)
        except Exception as error:  # one job's failure must not end the sweep
            if not in_sweep:
                raise
            message = f"{type(error).__name__}: {error}"
            log.exception("job %s failed: %s", hydra_config.job.num, message)
    # Hydra has already put this job's config in the directory, so an earlier job's results
    # there no longer match it: they give way to the error
    with Claim(output_dir, "hydra.sweep.dir"):
        clear_earlier_run(output_dir)
        write_text(output_dir / ERROR_FILE, message + "\n")
    return math.inf  # the worst value for a sweeper that minimises it (Optuna refuses NaN, and then crashes)


def stopped_at_once(run_dir: Path, started: float) -> None:
    """A second Ctrl-C stopped the run (begun at ``started``, wall clock) where it was: say so, and
    what the first one kept; exit 130. One that came once the run had written everything (its
    metrics.json, written last; a busy machine can hold the process there a while) changes
    nothing: the run ends as it would have."""
    finished = written_metrics(run_dir)
    if finished is not None and finished.get("training_started_at", 0) >= started:  # this run's, not an earlier one's
        exit_with(finished, run_dir)
        sys.exit(0)
    kept = (
        f"its checkpoint is kept; continue with: pinnsolve resume={run_dir}" if (run_dir / checkpoint.FILE).is_file()
        else "it had saved no checkpoint"
    )
    sys.stderr.write(f"pinnsolve: stopped at once by a second SIGINT; {kept}\n")
    sys.exit(interrupts.EXIT_STATUS[signal.SIGINT])


def write_failed(error: OSError, run_dir: Path) -> None:
    """A file the run could not write (a full disk, a directory in the way): one line naming it;
    the checkpoint, written whole or not at all, still continues the run; exit 1."""
    what = f"cannot write {error.filename}: {error.strerror}" if error.filename else str(error)
    kept = f"; the checkpoint is kept: once that is fixed, pinnsolve resume={run_dir} continues" if (run_dir / checkpoint.FILE).is_file() else ""
    sys.stderr.write(f"pinnsolve: {what}{kept}\n")
    sys.exit(EXIT_STATUS["failed"])


def share_cores(launcher: DictConfig) -> None:
    """Torch threads for a job of a launcher that runs jobs side by side: ``OMP_NUM_THREADS`` if
    the user set it; else a submitit job's ``cpus_per_task`` (SLURM's allowance, which torch
    does not see: it counts the node's cores); else cores / ``n_jobs`` for joblib's workers. Jobs
    that each take a thread per core (torch's default) oversubscribe the machine. (joblib passes
    the user's value, or cores // n_jobs, to its workers, but torch in a worker measured one
    thread whatever it said; setting it here makes the value hold.)"""
    requested = os.environ.get("OMP_NUM_THREADS", "")
    cores = os.cpu_count() or 1
    n_jobs, cpus_per_task = launcher.get("n_jobs"), launcher.get("cpus_per_task")
    if requested.isdigit() and int(requested) > 0 and (n_jobs is not None or cpus_per_task is not None):
        torch.set_num_threads(int(requested))
    elif cpus_per_task is not None:
        torch.set_num_threads(cpus_per_task)
    elif n_jobs is not None:
        workers = n_jobs if n_jobs > 0 else max(1, cores + 1 + n_jobs)  # joblib: -1 is every core, -2 all but one
        torch.set_num_threads(max(1, cores // min(workers, cores)))
    log.info("torch threads: %d", torch.get_num_threads())


def exit_with(metrics: dict[str, Any], output_dir: Path) -> None:
    """End a single run's command with the exit status of its status, saying why when not 0."""
    status = metrics["status"]
    if status == "interrupted":
        # everything is written and the process only leaves: a Ctrl-C pressed on while the interpreter
        # shuts down (Python restores the default handler there) would end it by the signal, not with 130
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.stderr.write(f"pinnsolve: {metrics['stop_reason']}; continue with: pinnsolve resume={output_dir}\n")
        sys.exit(interrupts.EXIT_STATUS[interrupts.received() or signal.SIGINT])
    if status != "completed":
        sys.stderr.write(f"pinnsolve: training {status}: {metrics['stop_reason']}\n")
        sys.exit(EXIT_STATUS[status])


def written_metrics(run_dir: Path) -> dict[str, Any] | None:
    """The metrics a run wrote in ``run_dir`` (a run removes an earlier one's when it starts), if any."""
    try:
        metrics = json.loads((run_dir / "metrics.json").read_text())
    except (OSError, json.JSONDecodeError):
        return None
    return metrics if isinstance(metrics, dict) and "status" in metrics else None


def resume(run_dir: Path) -> int:
    """Continue the run in ``run_dir`` from its checkpoint with its saved config; the exit status."""
    if not (run_dir / RUN_CONFIG).is_file():
        sys.stderr.write(f"pinnsolve: resume={run_dir}: not a run directory (no .hydra/config.yaml)\n")
        return 2
    status = (written_metrics(run_dir) or {}).get("status")
    if status in ("completed", "diverged"):
        sys.stderr.write(f"pinnsolve: {run_dir} has finished already (status {status}); nothing to resume\n")
        return 0
    started = time.time()
    try:
        cfg = load_run_config(run_dir)
        with interrupts.watch(), logging_to(run_dir / "pinnsolve.log"):
            metrics = run(cfg, run_dir, resume=True).metrics
        exit_with(metrics, run_dir)
    except REFUSALS as error:
        sys.stderr.write(f"pinnsolve: cannot resume {run_dir}: {error}\n")
        return 2
    except KeyboardInterrupt:
        stopped_at_once(run_dir, started)
    except OSError as error:
        write_failed(error, run_dir)
    return 0


@contextmanager
def logging_to(log_file: Path) -> Iterator[None]:
    """What Hydra's job logging does for a run: INFO to the console and to the run's log (appended),
    in place of whatever the root logger had, which is restored afterwards."""
    root, form = logging.getLogger(), logging.Formatter("[%(asctime)s][%(name)s][%(levelname)s] - %(message)s")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stdout), logging.FileHandler(log_file)]
    for handler in handlers:
        handler.setFormatter(form)
    before = root.level, root.handlers
    root.setLevel(logging.INFO)
    root.handlers = handlers
    try:
        yield
    finally:
        root.level, root.handlers = before
        for handler in handlers:
            handler.close()


if __name__ == "__main__":
    from pinnsolve.cli import main as package_main  # the callbacks Hydra builds live in pinnsolve.cli, not __main__

    package_main()
