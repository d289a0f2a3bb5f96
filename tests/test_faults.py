"""Runs that survive faults: checkpoints and resume, signals, divergence, reruns into a used directory.

The kill and signal tests run ``pinnsolve`` as a real process, wait until its checkpoint shows it
in the phase under test, and signal it there; a run resumed from that checkpoint must end exactly
as an uninterrupted one (every history and metrics value bar the clocks, and every weight).
"""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from omegaconf import OmegaConf

from conftest import TINY, pinnsolve_in_process, tiny_config
from pinnsolve import cli
from pinnsolve.report import sweep
from pinnsolve.train import checkpoint
from pinnsolve.run import run

CLOCKS = {"elapsed_s", "train_time_s", "wall_time_s", "time_to_rel_l2", "training_started_at"}
# long enough phases that a checkpoint can be caught in either, short enough for a test
LONG = ["trainer.adam.iterations=400", "trainer.quasi_newton.iterations=120", "trainer.log_every=25",
        "trainer.checkpoint_every=20", "trainer.quasi_newton.method=bfgs", "sampler.resample=rad",
        "sampler.resample_every=100", "sampler.rad.candidates=256"]
PROBLEM = ["problem=poisson", "problem.eval_points_per_axis=9"]


def arguments(out: Path, *extra: str) -> list[str]:
    return [*PROBLEM, *TINY, *LONG, *extra, f"hydra.run.dir={out}"]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    """The run the others are stopped and resumed from, run through uninterrupted in this process."""
    out = tmp_path_factory.mktemp("uninterrupted")
    run(tiny_config("poisson", *LONG), out)
    return out


def start(args: list[str]) -> subprocess.Popen:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.Popen([sys.executable, "-m", "pinnsolve.cli", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=env)


def wait_for_phase(process: subprocess.Popen, out: Path, phase: int, at_least: int) -> dict:
    """Poll ``out``'s checkpoint until it is in phase ``phase`` with ``at_least`` iterations of it done."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        try:
            state = torch.load(out / checkpoint.FILE, weights_only=True)["trainer"]
        except (FileNotFoundError, RuntimeError, EOFError):
            state = None
        if state is not None and state["phase"] == phase and list(state["done"].values())[phase] >= at_least:
            return state
        time.sleep(0.02)
    raise AssertionError("the run never reached the phase")


def assert_same_run(a: Path, b: Path) -> None:
    """Every value of history.csv and metrics.json but the clocks, and every weight, equal to the bit."""
    def history(out: Path) -> list[dict[str, str]]:
        with (out / "history.csv").open() as handle:
            return [{k: v for k, v in row.items() if k not in CLOCKS} for row in csv.DictReader(handle)]

    def metrics(out: Path) -> dict:
        return {k: v for k, v in json.loads((out / "metrics.json").read_text()).items() if k not in CLOCKS}

    assert history(a) == history(b)
    assert metrics(a) == metrics(b)
    weights_a, weights_b = torch.load(a / "model.pt"), torch.load(b / "model.pt")
    assert weights_a.keys() == weights_b.keys()
    for name in weights_a:
        assert torch.equal(weights_a[name], weights_b[name]), name


@pytest.mark.parametrize(("phase", "at_least"), [(0, 150), (1, 40)], ids=["adam", "quasi_newton"])
def test_a_run_killed_mid_phase_resumes_to_the_uninterrupted_result(phase, at_least, tmp_path, uninterrupted, monkeypatch, capsys):
    out = tmp_path / "killed"
    process = start(arguments(out))
    state = wait_for_phase(process, out, phase, at_least)
    process.kill()
    process.wait()
    assert not (out / "metrics.json").exists()
    assert state["phase_state"] is not None  # killed inside the phase, its optimiser's state saved
    status, stderr = resume_in_process(out, monkeypatch, capsys)
    assert status == 0, stderr
    assert_same_run(uninterrupted, out)


@pytest.mark.parametrize(("sent", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_run_with_everything_written(sent, status, tmp_path, uninterrupted, monkeypatch, capsys):
    out = tmp_path / "run"
    process = start(arguments(out, "plots=true"))
    wait_for_phase(process, out, 1, 30)
    process.send_signal(sent)
    stderr = process.communicate(timeout=120)[1]
    assert process.returncode == status
    assert "Traceback" not in stderr
    assert f"{sent.name} received" in stderr and f"pinnsolve resume={out}" in stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["status"] == "interrupted" and metrics["iterations_adam"] == 400
    assert 30 <= metrics["iterations_quasi_newton"] < 120
    for name in ("history.csv", "model.pt", "prediction.npz", "solution.png", "loss.png", checkpoint.FILE):
        assert (out / name).is_file(), name
    with (out / "history.csv").open() as handle:
        last = list(csv.DictReader(handle))[-1]
    assert int(last["iteration"]) == 400 + metrics["iterations_quasi_newton"]  # the state it stopped in
    if sent == signal.SIGINT:  # and it continues as if never stopped
        resumed, stderr = resume_in_process(out, monkeypatch, capsys)
        assert resumed == 0, stderr
        assert_same_run(uninterrupted, out)


def test_an_interrupted_sweep_reports_the_jobs_that_ran(tmp_path):
    sweep_dir = tmp_path / "sweep"
    process = start(["-m", *PROBLEM, *TINY, *LONG, "seed=0,1,2", f"hydra.sweep.dir={sweep_dir}"])
    wait_for_phase(process, sweep_dir / "0", 0, 100)
    process.send_signal(signal.SIGINT)
    stderr = process.communicate(timeout=120)[1]
    assert process.returncode == 130
    assert "Traceback" not in stderr and "sweep interrupted by SIGINT" in stderr
    with (sweep_dir / "summary.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["status"] for r in rows] == ["interrupted", "failed", "failed"]
    assert all("not run: the sweep was interrupted" in r["error"] for r in rows[1:])


def finished_run(tmp_path: Path, *overrides: str) -> Path:
    """A finished tiny run with its config saved as Hydra saves it."""
    cfg = tiny_config("poisson", "trainer.checkpoint_every=2", *overrides)
    out = tmp_path / "run"
    (out / ".hydra").mkdir(parents=True)
    OmegaConf.save(cfg, out / ".hydra" / "config.yaml")
    run(cfg, out)
    return out


def resume_in_process(out: Path, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["pinnsolve", f"resume={out}"])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    return stop.value.code, capsys.readouterr().err


def test_resuming_a_finished_run_says_so_and_changes_nothing(tmp_path, monkeypatch, capsys):
    out = finished_run(tmp_path)
    before = (out / "metrics.json").read_text()
    status, stderr = resume_in_process(out, monkeypatch, capsys)
    assert status == 0 and "has finished already (status completed); nothing to resume" in stderr
    assert (out / "metrics.json").read_text() == before


def test_a_run_killed_after_training_resumes_to_its_outputs(tmp_path, monkeypatch, capsys):
    out = finished_run(tmp_path)
    before = json.loads((out / "metrics.json").read_text())
    for name in ("metrics.json", "history.csv", "model.pt"):  # as if killed while writing its outputs
        (out / name).unlink()
    status, stderr = resume_in_process(out, monkeypatch, capsys)
    assert status == 0, stderr
    after = json.loads((out / "metrics.json").read_text())
    assert {k: v for k, v in after.items() if k not in CLOCKS} == {k: v for k, v in before.items() if k not in CLOCKS}


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda out: (out / checkpoint.FILE).write_bytes(b"not a checkpoint"), "not a readable checkpoint"),
        (lambda out: torch.save({"format": 99}, out / checkpoint.FILE), "not a pinnsolve checkpoint of format 1"),
        (lambda out: (out / checkpoint.FILE).unlink(), "no checkpoint (the run stopped before writing its first one)"),
        (lambda out: OmegaConf.save(tiny_config("poisson", "trainer.checkpoint_every=2", "seed=7"), out / ".hydra" / "config.yaml"),
         "written by a run of another config (differs in seed)"),
        (lambda out: (out / ".hydra" / "config.yaml").write_text("trainer: [1, 2\n"), "is not a pinnsolve config"),
        (lambda out: (out / ".hydra" / "config.yaml").unlink(), "not a run directory (no .hydra/config.yaml)"),
    ],
    ids=["corrupt", "other-format", "missing", "foreign", "config-unreadable", "not-a-run"],
)
def test_a_checkpoint_that_cannot_continue_the_run_is_one_clear_error(damage, message, tmp_path, monkeypatch, capsys):
    out = finished_run(tmp_path)
    (out / "metrics.json").unlink()
    damage(out)
    status, stderr = resume_in_process(out, monkeypatch, capsys)
    assert status == 2
    assert message in stderr and str(out) in stderr and "Traceback" not in stderr
    assert not (out / "metrics.json").exists()


def without_smoothness(out: Path) -> None:
    """The run's saved config and checkpoint as written before inverse.smoothness existed."""
    state = torch.load(out / checkpoint.FILE, weights_only=True)
    assert state["config"]["inverse"].pop("smoothness") == {}
    torch.save(state, out / checkpoint.FILE)
    saved = OmegaConf.to_container(OmegaConf.load(out / ".hydra" / "config.yaml"))
    del saved["inverse"]["smoothness"]
    OmegaConf.save(saved, out / ".hydra" / "config.yaml")


def test_a_checkpoint_from_before_a_key_existed_resumes_while_the_run_leaves_the_key_inert(tmp_path, monkeypatch, capsys):
    out = finished_run(tmp_path)
    (out / "metrics.json").unlink()
    without_smoothness(out)
    status, stderr = resume_in_process(out, monkeypatch, capsys)
    assert status == 0, stderr
    assert json.loads((out / "metrics.json").read_text())["status"] == "completed"


def test_a_checkpoint_from_before_a_key_existed_does_not_continue_a_run_that_sets_it(tmp_path, monkeypatch, capsys):
    out = finished_run(tmp_path)
    (out / "metrics.json").unlink()
    without_smoothness(out)
    saved = OmegaConf.load(out / ".hydra" / "config.yaml")
    saved.inverse.smoothness = {"u": 0.1}
    OmegaConf.save(saved, out / ".hydra" / "config.yaml")
    status, stderr = resume_in_process(out, monkeypatch, capsys)
    assert status == 2 and "written by a run of another config (differs in inverse.smoothness);" in stderr, stderr


def test_resume_takes_no_other_arguments(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["pinnsolve", f"resume={tmp_path}", "seed=1"])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    assert stop.value.code == 2 and "resume=RUN_DIR takes no other arguments" in capsys.readouterr().err


def test_a_loss_that_blows_up_but_stays_finite_is_diverged(tmp_path):
    # the case: float64, lr 1e6 and ReLU³ grow the loss past any bound without overflowing
    cfg = tiny_config("poisson", "trainer.adam.lr=1e6", "activation.base=relu3", "trainer.log_every=1")
    out = tmp_path / "run"
    metrics = run(cfg, out).metrics
    assert metrics["status"] == "diverged"
    assert "× the initial" in metrics["stop_reason"] and "trainer.divergence_factor" in metrics["stop_reason"]
    with (out / "history.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert float(rows[-1]["loss"]) > 1e6 * float(rows[0]["loss"])  # the whole history is kept, the blow-up too
    assert metrics["rel_l2"] < 1e3  # the model kept is the last good one


def test_a_diverged_run_exits_3_and_says_why(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    monkeypatch.setattr(sys, "argv", ["pinnsolve", *PROBLEM, *TINY, "trainer.adam.lr=1e6", "activation.base=relu3",
                                      "trainer.log_every=1", f"hydra.run.dir={out}"])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    assert stop.value.code == 3
    assert "pinnsolve: training diverged: loss grew to" in capsys.readouterr().err
    assert json.loads((out / "metrics.json").read_text())["status"] == "diverged"


def test_a_rerun_into_a_used_directory_leaves_nothing_of_the_earlier_run(tmp_path, caplog):
    caplog.set_level("INFO", logger="pinnsolve")
    out = tmp_path / "run"
    run(tiny_config("poisson", "activation=neuron_wise", "plots=true"), out)
    assert (out / "slopes.png").is_file()
    run(tiny_config("poisson", "seed=1", "plots=true"), out)
    assert not (out / "slopes.png").exists()  # the fixed activation has no slopes to plot
    assert json.loads((out / "metrics.json").read_text())["seed"] == 1
    assert "removed an earlier run's files" in caplog.text


def test_a_sweep_rerun_into_its_directory_reports_a_now_failing_job_as_failed(tmp_path, monkeypatch, capsys):
    sweep_dir = tmp_path / "sweep"

    def sweep(rates: str) -> int:
        monkeypatch.setattr(sys, "argv", ["pinnsolve", "-m", *PROBLEM, *TINY, f"trainer.adam.lr={rates}",
                                          f"hydra.sweep.dir={sweep_dir}"])
        try:
            cli.main()
        except SystemExit as stop:
            return stop.code
        return 0

    assert sweep("1e-3,2e-3") == 0
    assert sweep("1e-3,-1") == 1
    assert "1 of 2 jobs failed (1)" in capsys.readouterr().err
    assert not (sweep_dir / "1" / "metrics.json").exists()
    with (sweep_dir / "summary.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["status"] for r in rows] == ["completed", "failed"] and "trainer.adam.lr" in rows[1]["error"]


@pytest.fixture
def read_only_dir(tmp_path):
    """A directory nothing may be written in: by its mode for a user, by a read-only mount for root
    (whom modes do not stop)."""
    directory = tmp_path / "read_only"
    directory.mkdir()
    if os.geteuid() != 0:
        directory.chmod(0o555)
        yield directory
        directory.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(directory)], capture_output=True, text=True)
    assert mounted.returncode == 0, f"as root, a read-only mount is the way to an unwritable directory: {mounted.stderr}"
    yield directory
    subprocess.run(["umount", str(directory)], check=True)


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (lambda tmp, ro: [f"hydra.run.dir={tmp / 'a_file' / 'run'}"], "hydra.run.dir: {tmp}/a_file is a file, so the directory"),
        (lambda tmp, ro: [f"hydra.run.dir={tmp / 'a_file'}"], "hydra.run.dir: {tmp}/a_file is a file, so the directory"),
        (lambda tmp, ro: [f"hydra.run.dir={ro / 'run'}"], "hydra.run.dir: {tmp}/read_only is not writable"),
        (lambda tmp, ro: ["-m", f"hydra.sweep.dir={tmp / 'a_file' / 'sweep'}"], "hydra.sweep.dir: {tmp}/a_file is a file"),
        (lambda tmp, ro: ["-m", f"hydra.sweep.dir={ro / 'sweep'}"], "hydra.sweep.dir: {tmp}/read_only is not writable"),
    ],
    ids=["file-in-the-way", "file-as-run-dir", "read-only-run", "file-in-the-sweep's-way", "read-only-sweep"],
)
def test_an_output_path_that_cannot_be_written_is_one_line_naming_it(where, message, tmp_path, read_only_dir, monkeypatch, capsys):
    (tmp_path / "a_file").write_text("in the way\n")
    where = where(tmp_path, read_only_dir)
    args = ["-m", *PROBLEM, *TINY, "seed=0,1", *where[1:]] if where[0] == "-m" else [*PROBLEM, *TINY, *where]
    status, stderr = pinnsolve_in_process(args, monkeypatch, capsys)
    assert status == 2
    assert message.format(tmp=tmp_path) in stderr and stderr.count("\n") == 1 and "Traceback" not in stderr


def test_the_report_marks_a_job_with_a_damaged_file_failed_and_reports_the_rest(tmp_path, monkeypatch, capsys):
    sweep_dir = tmp_path / "sweep"
    monkeypatch.setattr(sys, "argv", ["pinnsolve", "-m", *PROBLEM, *TINY, "seed=0,1,2,3", f"hydra.sweep.dir={sweep_dir}"])
    cli.main()  # every job completes, so no exit status
    (sweep_dir / "1" / "metrics.json").write_text('{"status": "comp')
    (sweep_dir / "2" / "history.csv").write_text("iteration,loss\n0,not-a-number\n")
    (sweep_dir / "3" / ".hydra" / "overrides.yaml").write_text("- [unclosed\n")
    assert sweep.main([str(sweep_dir)]) == 0
    with (sweep_dir / "summary.csv").open() as handle:
        rows = {r["job"]: r for r in csv.DictReader(handle)}
    assert rows["0"]["status"] == "completed" and float(rows["0"]["rel_l2"]) > 0
    assert rows["1"]["status"] == "failed" and rows["1"]["error"].startswith("unreadable metrics.json: JSONDecodeError")
    assert rows["2"]["status"] == "failed" and rows["2"]["error"].startswith("unreadable history.csv: ValueError")
    assert rows["3"]["status"] == "failed" and rows["3"]["error"].startswith("unreadable .hydra/overrides.yaml")
    assert (sweep_dir / "groups.csv").is_file() and (sweep_dir / "comparison.png").is_file()
    (sweep_dir / "0" / "history.csv").unlink()
    assert sweep.main([str(sweep_dir)]) == 0
    with (sweep_dir / "summary.csv").open() as handle:
        rows = {r["job"]: r for r in csv.DictReader(handle)}
    assert rows["0"]["status"] == "completed" and rows["0"]["error"] == "no history.csv: its curves are left out of comparison.png"


def test_the_report_of_a_path_that_is_no_sweep_directory_says_what_it_is(tmp_path, capsys):
    assert sweep.main([str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err == f"pinnsolve-report: {tmp_path / 'nowhere'} does not exist\n"
    (tmp_path / "file").write_text("")
    assert sweep.main([str(tmp_path / "file")]) == 2
    assert capsys.readouterr().err == f"pinnsolve-report: {tmp_path / 'file'} is a file, not a sweep directory\n"


def test_a_sweep_with_a_diverged_job_exits_3_and_names_it(tmp_path, monkeypatch, capsys):
    sweep_dir = tmp_path / "sweep"
    status, stderr = pinnsolve_in_process(
        ["-m", *PROBLEM, *TINY, "activation.base=relu3", "trainer.log_every=1", "trainer.adam.lr=1e-3,1e6",
         f"hydra.sweep.dir={sweep_dir}"], monkeypatch, capsys)
    assert status == 3 and "1 of 2 jobs diverged (1)" in stderr
    with (sweep_dir / "summary.csv").open() as handle:
        assert [r["status"] for r in csv.DictReader(handle)] == ["completed", "diverged"]
