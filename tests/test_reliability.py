"""Nothing lost, nothing false: a refused or failed command never destroys a run, one run at a time
per directory, every result file whole or absent, values that cannot work refused up front,
results that cannot mean what was asked flagged, interrupts as one line.

Behaviour that involves the filesystem or signals runs real processes: two ``pinnsolve`` processes
for the lock, a real small tmpfs for a full disk, real SIGINTs.
"""
from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import TINY, pinnsolve_in_process, tiny_config
from pinnsolve import load, solve
from pinnsolve.config import ConfigError
from pinnsolve.geometry import Box
from pinnsolve.geometry.samplers import SAMPLERS, CollocationSampler
from pinnsolve.run import run
from pinnsolve.run_directory import LOCK_FILE, PARTIAL, written
from pinnsolve.train import checkpoint
from pinnsolve.train.resampling import ResidualAdaptive

PROBLEM = ["problem=poisson", "problem.eval_points_per_axis=9"]
# a run of a few seconds: long enough for a second process or a signal to meet it mid-run (the
# first checkpoint comes at 50 of 800 iterations), short enough that resuming it to the end is quick
SECONDS = ["trainer.adam.iterations=800", "trainer.quasi_newton.iterations=0", "trainer.checkpoint_every=50",
           "trainer.log_every=25"]


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pinnsolve.cli", *args]


def environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "HYDRA_FULL_ERROR"}
    return dict(env, OMP_NUM_THREADS="1")


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` but the log (which a refused run may append to) and the lock, by relative path."""
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*")) if path.is_file() and path.name not in ("pinnsolve.log", LOCK_FILE)
    }


@pytest.fixture
def finished(tmp_path, monkeypatch, capsys) -> Path:
    """A finished run's directory, written by the command."""
    out = tmp_path / "run"
    status, _ = pinnsolve_in_process([*PROBLEM, *TINY, f"hydra.run.dir={out}"], monkeypatch, capsys)
    assert status == 0 and (out / "metrics.json").is_file()
    return out


# 1. A command that fails never destroys what was there

@pytest.mark.parametrize("overrides", [
    ["+trainer.loss_weights.wall=2"],  # found while assembling, after Hydra has written its config into the directory
    ["trainer.loss_weights.residual=0", "trainer.loss_weights.boundary=0"],
    ["inverse.parameters=[k]", f"inverse.data={Path('/nonexistent/measurements.npz')}", "problem=helmholtz"],
    pytest.param(["device=cuda"], marks=pytest.mark.skipif(torch.cuda.is_available(), reason="refused only where there is no CUDA")),
], ids=["unknown-loss-term", "nothing-to-train", "missing-inverse-data", "cuda-without-cuda"])
def test_a_refused_run_into_a_finished_runs_directory_changes_nothing_there(overrides, finished, monkeypatch, capsys):
    before, log_before = snapshot(finished), (finished / "pinnsolve.log").read_text()
    status, stderr = pinnsolve_in_process([*PROBLEM, *TINY, *overrides, f"hydra.run.dir={finished}"], monkeypatch, capsys)
    assert status == 2 and stderr.startswith("pinnsolve: invalid configuration: ") and stderr.count("\n") == 1
    assert snapshot(finished) == before  # the saved config, metrics, model, checkpoint and plots, byte for byte
    assert (finished / "pinnsolve.log").read_text().startswith(log_before)


def test_a_refused_run_in_a_process_of_its_own_changes_nothing_there(finished):
    before = snapshot(finished)
    result = subprocess.run(command(*PROBLEM, *TINY, "+trainer.loss_weights.wall=2", f"hydra.run.dir={finished}"),
                            capture_output=True, text=True, env=environment(), timeout=120)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert snapshot(finished) == before


def test_a_failed_resume_keeps_the_interrupted_runs_files(finished, monkeypatch, capsys):
    metrics = json.loads((finished / "metrics.json").read_text())
    metrics["status"] = "interrupted"  # as a Ctrl-C leaves it
    (finished / "metrics.json").write_text(json.dumps(metrics))
    damaged = (finished / checkpoint.FILE).read_bytes()[:100]
    (finished / checkpoint.FILE).write_bytes(damaged)
    before = snapshot(finished)
    status, stderr = pinnsolve_in_process([f"resume={finished}"], monkeypatch, capsys)
    assert status == 2 and "not a readable checkpoint" in stderr
    assert snapshot(finished) == before


def test_a_directory_holding_other_files_is_refused_and_left_alone(tmp_path, monkeypatch, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "model.pt").write_bytes(b"the user's own model")
    (mine / "notes.txt").write_text("keep me\n")
    (mine / "metrics.json").mkdir()  # a run's file name that is a directory here
    before = snapshot(mine)
    status, stderr = pinnsolve_in_process([*PROBLEM, *TINY, f"hydra.run.dir={mine}"], monkeypatch, capsys)
    assert status == 2 and stderr.count("\n") == 1
    assert f"hydra.run.dir: {mine} holds files that are not a pinnsolve run's (metrics.json/, notes.txt)" in stderr
    assert snapshot(mine) == before and sorted(p.name for p in mine.iterdir()) == ["metrics.json", "model.pt", "notes.txt"]
    # hydra.run.dir= (empty) is the current directory, which holds the user's files
    monkeypatch.chdir(mine)
    status, stderr = pinnsolve_in_process([*PROBLEM, *TINY, "hydra.run.dir="], monkeypatch, capsys)
    assert status == 2 and "hydra.run.dir: . holds files that are not a pinnsolve run's" in stderr
    assert snapshot(mine) == before
    # the Python API refuses the same directory before writing its config there
    with pytest.raises(ConfigError, match="output_dir: .* holds files that are not a pinnsolve run's"):
        solve(*PROBLEM, *TINY, output_dir=mine)
    assert snapshot(mine) == before


def test_a_refused_solve_leaves_no_directory_behind(tmp_path):
    out = tmp_path / "new"
    with pytest.raises(ConfigError, match="trainer.loss_weights: every term's weight is 0"):
        solve(*PROBLEM, *TINY, "trainer.loss_weights.residual=0", "trainer.loss_weights.boundary=0", output_dir=out)
    assert not out.exists()


@pytest.mark.parametrize("make", [
    lambda tmp: tmp / ("n" * 300),  # a name longer than the filesystem allows
    lambda tmp: (tmp / "link").symlink_to(tmp / "nowhere") or tmp / "link",  # a dangling symbolic link
], ids=["name-too-long", "dangling-link"])
def test_a_run_directory_that_cannot_be_made_is_one_line_naming_it(make, tmp_path, monkeypatch, capsys):
    out = make(tmp_path)
    status, stderr = pinnsolve_in_process([*PROBLEM, *TINY, f"hydra.run.dir={out}"], monkeypatch, capsys)
    assert status == 2 and stderr.count("\n") == 1 and "Traceback" not in stderr
    assert stderr.startswith("pinnsolve: ") and f"hydra.run.dir: cannot use {out}: " in stderr


# 2. One run per directory at a time

def test_a_second_run_into_a_directory_in_use_is_refused_and_the_first_is_whole(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    # a first run that trains until it is told to stop, so that the second surely meets it however slow the machine
    endless = ["trainer.adam.iterations=10000000", "trainer.quasi_newton.iterations=0", "trainer.checkpoint_every=50"]
    first = subprocess.Popen(command(*PROBLEM, *TINY, *endless, "seed=1", f"hydra.run.dir={out}"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=environment())
    deadline = time.monotonic() + 60
    while not (out / checkpoint.FILE).is_file():  # the first run is training
        assert first.poll() is None and time.monotonic() < deadline, first.stderr.read() if first.poll() is not None else "timeout"
        time.sleep(0.05)
    # the second in this process: the lock is held by another process all the same, without a second start-up's seconds
    status, stderr = pinnsolve_in_process([*PROBLEM, *TINY, *endless, "seed=2", f"hydra.run.dir={out}"], monkeypatch, capsys)
    assert status == 2 and stderr.count("\n") == 1 and "Traceback" not in stderr
    assert f"another pinnsolve run (pid {first.pid}) is using {out}" in stderr
    first.send_signal(signal.SIGINT)
    _, first_stderr = first.communicate(timeout=120)
    assert first.returncode == 130
    # stderr is a pipe, not a terminal: no progress bar redraws, only the line saying how to resume
    assert re.fullmatch(rf"pinnsolve: SIGINT received at iteration \d+; continue with: pinnsolve resume={re.escape(str(out))}\n", first_stderr)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["seed"] == 1 and metrics["status"] == "interrupted"
    assert "seed: 1" in (out / ".hydra" / "config.yaml").read_text()  # the refused run's config did not replace it
    assert not list(out.glob(f"*{PARTIAL}"))


# 3. Every result file is whole or absent

def test_a_file_whose_writing_fails_keeps_its_old_contents_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "metrics.json"
    path.write_text("old\n")
    with pytest.raises(RuntimeError):
        with written(path) as handle:
            handle.write(b"half of the new")
            raise RuntimeError("the writer failed")
    assert path.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json"]


def test_a_file_written_whole_has_the_mode_a_plain_write_gives(tmp_path):
    (tmp_path / "plain.txt").write_text("x")
    with written(tmp_path / "whole.txt") as handle:
        handle.write(b"x")
    assert (tmp_path / "whole.txt").stat().st_mode == (tmp_path / "plain.txt").stat().st_mode


@pytest.fixture
def small_disk(tmp_path):
    """A real tmpfs of 104 KiB: room for a tiny run's checkpoint and data files, not for its plots."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; CI runs as root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=104k", "tmpfs", str(disk)], capture_output=True, text=True)
    assert mounted.returncode == 0, f"as root, a tmpfs is the way to a full disk: {mounted.stderr}"
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def test_a_full_disk_is_one_line_naming_the_file_and_the_run_resumes_once_there_is_room(small_disk):
    out = small_disk / "run"
    result = subprocess.run(command(*PROBLEM, *TINY, "plots=true", f"hydra.run.dir={out}"), capture_output=True, text=True,
                            env=environment(), timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"pinnsolve: cannot write {out}/" in result.stderr and ": No space left on device; the checkpoint is kept" in result.stderr
    assert not (out / "metrics.json").exists()  # the directory does not look finished
    files = [p for p in out.iterdir() if p.is_file()]
    assert not [p for p in files if p.name.endswith(PARTIAL)]
    assert all(p.stat().st_size > 0 for p in files if p.name != LOCK_FILE)  # no 0-byte or truncated file
    subprocess.run(["mount", "-o", "remount,size=4m", str(small_disk)], check=True)
    resumed = subprocess.run(command(f"resume={out}"), capture_output=True, text=True, env=environment(), timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads((out / "metrics.json").read_text())["status"] == "completed"
    assert {"solution.png", "loss.png", "error.png", "model.pt", "prediction.npz"} <= {p.name for p in out.iterdir()}


# 4. An accepted value works, or is refused up front

FALLBACK_SCRIPT = """
import logging, sys, torch
from pinnsolve.derivatives import AutogradEngine, CompiledEngine, Fallback
logging.basicConfig(level=logging.WARNING, stream=sys.stdout, format="%(message)s")
engine = Fallback(CompiledEngine(), AutogradEngine())
def evaluate(x):
    return (torch.tanh(x) ** 3).sum()
x = torch.linspace(0, 1, 17, dtype=torch.float64)
print(engine.prepare(evaluate)(x).item() - evaluate(x).item(), engine.name)
"""


def test_a_compiler_that_cannot_build_falls_back_to_autograd_with_a_warning(tmp_path):
    # found (it answers --version) but failing every build; in a process of its own, with a cache of
    # its own, since Inductor keeps what a compiler made (a precompiled header) for every later run
    broken = tmp_path / "g++"
    broken.write_text('#!/bin/sh\ncase "$*" in *--version*) exec g++ "$@";; esac\necho "internal compiler error" >&2\nexit 1\n')
    broken.chmod(0o755)
    env = dict(environment(), CXX=str(broken), TORCHINDUCTOR_CACHE_DIR=str(tmp_path / "inductor"))
    result = subprocess.run([sys.executable, "-c", FALLBACK_SCRIPT], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    warning, values = result.stdout.strip().splitlines()[-2:]
    assert warning.startswith("derivatives=auto: compiled could not compile") and warning.endswith("using autograd instead")
    assert values == "0.0 autograd"  # the same value, computed by autograd


# 5. A result that is not a solution is never "completed" silently

def test_a_zero_reference_is_a_warning_in_the_metrics_and_rel_l2_null(tmp_path):
    target = tmp_path / "zero.npz"
    np.savez(target, x=np.linspace(-1, 1, 9), u=np.zeros(9))
    out = tmp_path / "run"
    run(tiny_config("fit", f"problem.target={target}"), out)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["rel_l2"] is None and metrics["max_abs_error"] > 0
    assert any("the reference of u is zero (below 1e-12) at every evaluation point" in w for w in metrics["warnings"])


def test_rad_weights_that_overflow_are_drawn_uniformly_and_say_so(caplog):
    sampler = CollocationSampler(Box(("x",), (0.0,), (1.0,)), SAMPLERS["uniform"](), np.random.default_rng(0))
    rad = ResidualAdaptive(sampler, n=8, candidates=32, k=4.0, c=0.0)
    with caplog.at_level(logging.WARNING, logger="pinnsolve"):
        points = rad(lambda p: np.full(len(p), 1e100))  # |r|^4 overflows
    assert points.shape == (8, 1)
    assert "RAD: the weights |residual|^k = |r|^4 are not finite (they overflow, or the residual is NaN); these 8 points are drawn uniformly" in caplog.text


# 6. Interrupts and the top level

def test_ctrl_c_while_the_command_loads_is_one_line():
    # what the console script does, saying when it calls the command: from then on, torch and Hydra take seconds to load
    script = "import sys; from pinnsolve.command import pinnsolve; sys.argv = ['pinnsolve', '--help']; print('ready', flush=True); pinnsolve()"
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment())
    assert process.stdout.readline() == "ready\n"
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr == "pinnsolve: interrupted (SIGINT)\n" and "usage" not in stdout.lower()


def wait_for(process: subprocess.Popen, path: Path, poll_s: float = 0.02) -> None:
    """Until the running ``process`` has written ``path`` (a minute at most)."""
    deadline = time.monotonic() + 60
    while not path.is_file():
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(poll_s)


def test_ctrl_c_pressed_on_while_an_interrupted_run_exits_keeps_its_exit_status_and_one_line(tmp_path):
    # signals that come once the run has written everything (metrics.json is last), while the
    # interpreter shuts down, must not turn exit 130 into a death by the signal
    out = tmp_path / "run"
    process = subprocess.Popen(command(*PROBLEM, *TINY, *SECONDS, f"hydra.run.dir={out}"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=environment())
    wait_for(process, out / checkpoint.FILE)
    process.send_signal(signal.SIGINT)
    wait_for(process, out / "metrics.json", poll_s=0.005)  # the shutdown that follows is short
    while process.poll() is None:
        process.send_signal(signal.SIGINT)
        time.sleep(0.01)
    stderr = process.stderr.read()
    assert process.returncode == 130 and "Traceback" not in stderr
    assert re.fullmatch(rf"pinnsolve: SIGINT received at iteration \d+; continue with: pinnsolve resume={re.escape(str(out))}\n", stderr), stderr
    assert json.loads((out / "metrics.json").read_text())["status"] == "interrupted"


@pytest.mark.parametrize(("status", "written_after_start", "exit_status", "line"), [
    # the run had written everything: it ends as it would have, whenever the signal came
    ("interrupted", True, 130, "pinnsolve: SIGINT received at iteration 50; continue with: pinnsolve resume=RUN\n"),
    ("completed", True, 0, ""),
    # an earlier run's metrics.json in the directory (this run had not yet cleared it) says nothing of this one
    ("completed", False, 130, "pinnsolve: stopped at once by a second SIGINT; it had saved no checkpoint\n"),
])
def test_a_second_ctrl_c_once_the_run_has_written_everything_ends_it_as_it_would_have(
        status, written_after_start, exit_status, line, tmp_path, capsys):
    from pinnsolve import cli

    started = time.time()
    metrics = {"status": status, "stop_reason": "SIGINT received at iteration 50",
               "training_started_at": started + (1.0 if written_after_start else -100.0)}
    (tmp_path / "metrics.json").write_text(json.dumps(metrics))
    handler = signal.getsignal(signal.SIGINT)  # an interrupted run's exit ignores SIGINT from there on
    try:
        with pytest.raises(SystemExit) as stopped:
            cli.stopped_at_once(tmp_path, started)
    finally:
        signal.signal(signal.SIGINT, handler)
    assert (stopped.value.code or 0) == exit_status
    assert capsys.readouterr().err == line.replace("RUN", str(tmp_path))


def test_a_second_ctrl_c_stops_at_once_in_one_line_keeping_what_the_first_saved(tmp_path):
    out = tmp_path / "run"
    # plots=true: drawing them makes the writing long enough for the second signal to meet it
    process = subprocess.Popen(command(*PROBLEM, *TINY, *SECONDS, "plots=true", f"hydra.run.dir={out}"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=environment())
    wait_for(process, out / checkpoint.FILE)
    process.send_signal(signal.SIGINT)
    time.sleep(0.05)  # the first stops training and starts writing: the second meets it there
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and (
        lines[0] == f"pinnsolve: stopped at once by a second SIGINT; its checkpoint is kept; continue with: pinnsolve resume={out}"
        # the first had finished writing already
        or re.fullmatch(rf"pinnsolve: SIGINT received at iteration \d+; continue with: pinnsolve resume={re.escape(str(out))}", lines[0])
    ), stderr
    assert not list(out.glob(f"*{PARTIAL}"))
    resumed = subprocess.run(command(f"resume={out}"), capture_output=True, text=True, env=environment(), timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads((out / "metrics.json").read_text())["status"] == "completed"


# 7. The Python API keeps the command's promises

def test_load_predicts_after_the_fit_target_has_moved(tmp_path):
    x = np.linspace(0.0, 2.0, 21)
    target = tmp_path / "target.npz"
    np.savez(target, x=x, u=np.sin(x))
    trained = solve("problem=fit", f"problem.target={target}", *TINY, output_dir=tmp_path / "run")
    points = [[0.25], [1.5]]
    expected = trained.predict(points)
    target.rename(tmp_path / "elsewhere.npz")
    loaded = load(tmp_path / "run")
    np.testing.assert_array_equal(loaded.predict(points), expected)
    assert loaded.variables == ("x",) and loaded.metrics["rel_l2"] == trained.metrics["rel_l2"]
    with pytest.raises(ConfigError, match="no reference: the problem cannot be made any more"):
        loaded.plot("solution")
