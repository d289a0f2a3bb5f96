"""logger=tensorboard and logger=mlflow: what each tool's own reader shows of a run, read back
from the files the real libraries wrote into a temporary folder."""
import csv
import json
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from tensorboard.backend.event_processing.event_multiplexer import EventMultiplexer

from conftest import TINY, coarse_reference, pinnsolve_in_process, tiny_config
from pinnsolve import trackers
from pinnsolve.config import ConfigError
from pinnsolve.run import run
from pinnsolve.train import interrupts

ARGS = ["problem=poisson", *TINY, *coarse_reference("poisson", 9)]


def history(run_dir: Path) -> list[dict[str, str]]:
    with open(run_dir / "history.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def tensorboard_runs(log_dir: Path) -> EventMultiplexer:
    events = EventMultiplexer().AddRunsFromDirectory(str(log_dir))
    events.Reload()
    return events


def test_tensorboard_shows_every_record_the_final_metrics_and_the_hyper_parameters(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    status, stderr = pinnsolve_in_process([*ARGS, "logger=tensorboard", f"hydra.run.dir={out}"], monkeypatch, capsys)
    assert status == 0, stderr
    events = tensorboard_runs(out)
    assert list(events.Runs()) == ["tensorboard"]  # one run, in the run directory
    rows = history(out)
    columns = [column for column in rows[0] if column != "iteration"]
    assert {"loss", "residual", "rel_l2", "elapsed_s"} <= set(columns)
    for column in columns:
        shown = [(event.step, event.value) for event in events.Scalars("tensorboard", column)]
        assert [step for step, _ in shown] == [int(row["iteration"]) for row in rows], column
        # TensorBoard keeps float32
        assert [value for _, value in shown] == pytest.approx([float(row[column]) for row in rows], rel=1e-6), column
    metrics = json.loads((out / "metrics.json").read_text())
    (final,) = events.Scalars("tensorboard", "final/rel_l2")
    assert final.step == 10 and final.value == pytest.approx(metrics["rel_l2"], rel=1e-6)
    assert events.Scalars("tensorboard", "final/per_unknown.u.rel_l2")[0].value == pytest.approx(metrics["rel_l2"], rel=1e-6)
    hparams = events.SummaryMetadata("tensorboard", "_hparams_/session_start_info").plugin_data.content
    assert b"trainer.adam.lr" in hparams and b"activation.name" in hparams
    texts = {tag: events.Tensors("tensorboard", tag)[0].tensor_proto.string_val[0].decode() for tag in ("config/text_summary", "outcome/text_summary")}
    assert texts["outcome/text_summary"] == "completed: iterations done"
    assert '"problem":' in texts["config/text_summary"]


def test_a_rerun_into_the_directory_replaces_the_earlier_runs_events(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    for seed in (0, 1):
        status, stderr = pinnsolve_in_process([*ARGS, "logger=tensorboard", f"seed={seed}", f"hydra.run.dir={out}"], monkeypatch, capsys)
        assert status == 0, stderr
    events = tensorboard_runs(out)
    steps = [event.step for event in events.Scalars("tensorboard", "loss")]
    assert steps == sorted(set(steps))  # one run's records, not two runs' on top of each other
    assert [event.value for event in events.Scalars("tensorboard", "loss")] == pytest.approx(
        [float(row["loss"]) for row in history(out)], rel=1e-6)


def test_tensorboard_writes_where_logger_log_dir_says_and_a_run_without_a_directory_needs_it(tmp_path):
    cfg = tiny_config("poisson", "logger=tensorboard", f"logger.log_dir={tmp_path / 'events'}")
    finished = run(cfg, None)
    events = tensorboard_runs(tmp_path / "events")
    assert [event.step for event in events.Scalars(".", "rel_l2")] == [row["iteration"] for row in finished.result.history]
    with pytest.raises(ConfigError, match=r"^logger=tensorboard: cannot start: this run has no directory to write into; give logger.log_dir=DIR$"):
        run(tiny_config("poisson", "logger=tensorboard"), None)


def test_an_mlflow_sweep_is_one_mlflow_run_per_job_with_its_records_metrics_parameters_and_files(tmp_path, monkeypatch, capsys):
    store = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.chdir(tmp_path)  # MLflow keeps artifacts beside the working directory
    sweep = tmp_path / "sweep"
    status, stderr = pinnsolve_in_process(
        ["-m", *ARGS, "seed=0,1", "logger=mlflow", f"logger.tracking_uri={store}", "logger.experiment=tiny", "plots=true", f"hydra.sweep.dir={sweep}"],
        monkeypatch, capsys,
    )
    assert status == 0, stderr
    client = MlflowClient(store)
    experiment = client.get_experiment_by_name("tiny")
    runs = {r.info.run_name: r for r in client.search_runs([experiment.experiment_id])}
    assert sorted(runs) == [str(sweep / "0"), str(sweep / "1")]
    for job in ("0", "1"):
        found = runs[str(sweep / job)]
        metrics = json.loads((sweep / job / "metrics.json").read_text())
        assert found.info.status == "FINISHED" and found.data.tags["status"] == "completed"
        assert found.data.params["seed"] == job and found.data.params["problem.name"] == "poisson"
        assert found.data.params["trainer.adam.iterations"] == "6"
        shown = client.get_metric_history(found.info.run_id, "rel_l2")
        assert [(m.step, m.value) for m in sorted(shown, key=lambda m: m.step)] == [
            (int(row["iteration"]), pytest.approx(float(row["rel_l2"]), rel=1e-12)) for row in history(sweep / job)
        ]
        assert found.data.metrics["final/rel_l2"] == pytest.approx(metrics["rel_l2"], rel=1e-12)
        assert found.data.metrics["final/iterations_quasi_newton"] == 4
        artifacts = {a.path for a in client.list_artifacts(found.info.run_id)}
        assert {"metrics.json", "history.csv", "solution.png", "loss.png"} <= artifacts


def test_a_resumed_run_continues_its_mlflow_run(tmp_path, monkeypatch):
    store = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "run"
    cfg = tiny_config("poisson", "logger=mlflow", f"logger.tracking_uri={store}", "trainer.checkpoint_every=2")
    calls = iter(range(100))
    monkeypatch.setattr(interrupts, "reason", lambda: "SIGINT received" if next(calls) == 5 else None)
    assert run(cfg, out).metrics["status"] == "interrupted"
    client = MlflowClient(store)
    (stopped,) = client.search_runs([client.get_experiment_by_name("pinnsolve").experiment_id])
    assert stopped.info.status == "KILLED" and stopped.data.tags["status"] == "interrupted"
    monkeypatch.setattr(interrupts, "reason", lambda: None)
    finished = run(cfg, out, resume=True)
    (continued,) = client.search_runs([client.get_experiment_by_name("pinnsolve").experiment_id])
    assert continued.info.run_id == stopped.info.run_id and continued.info.status == "FINISHED"
    steps = sorted({m.step for m in client.get_metric_history(continued.info.run_id, "loss")})
    assert steps == [row["iteration"] for row in finished.result.history]


def test_a_tracker_whose_library_is_missing_is_refused_before_the_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(trackers.MLflowTracker, "library", "no_such_package_for_pinnsolve")
    out = tmp_path / "run"
    status, stderr = pinnsolve_in_process([*ARGS, "logger=mlflow", f"hydra.run.dir={out}"], monkeypatch, capsys)
    assert status == 2 and not out.exists()
    assert stderr.strip().splitlines()[-1] == (
        "pinnsolve: invalid configuration: logger=mlflow: the no_such_package_for_pinnsolve package is not installed; pip install 'pinnsolve[mlflow]'"
    )


def test_an_mlflow_store_that_cannot_be_opened_refuses_the_run_and_keeps_the_earlier_one(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    status, stderr = pinnsolve_in_process([*ARGS, f"hydra.run.dir={out}"], monkeypatch, capsys)
    assert status == 0, stderr
    before = {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()}
    blocked = tmp_path / "a_file"
    blocked.write_text("")
    status, stderr = pinnsolve_in_process(
        [*ARGS, "logger=mlflow", f"logger.tracking_uri=sqlite:///{blocked}/store.db", f"hydra.run.dir={out}"], monkeypatch, capsys
    )
    assert status == 2 and "pinnsolve: invalid configuration: logger=mlflow: cannot start: [Errno 17] File exists" in stderr
    after = {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()}
    assert {name: after.get(name) for name in before if name != "pinnsolve.log"} == {
        name: data for name, data in before.items() if name != "pinnsolve.log"
    }


def test_a_tensorboard_folder_holding_other_files_is_not_a_runs_and_is_left_alone(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    (out / "tensorboard").mkdir(parents=True)
    (out / "tensorboard" / "notes.txt").write_text("mine")
    status, stderr = pinnsolve_in_process([*ARGS, "logger=tensorboard", f"hydra.run.dir={out}"], monkeypatch, capsys)
    assert status == 2 and "holds files that are not a pinnsolve run's (tensorboard/)" in stderr
    assert (out / "tensorboard" / "notes.txt").read_text() == "mine"
