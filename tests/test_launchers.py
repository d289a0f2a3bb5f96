"""Sweeps through Hydra's joblib launcher: jobs in parallel processes, the sweep report and exit
status as with the default launcher, and the cores shared among the jobs."""
import csv
import os

from conftest import load_config, pinnsolve_in_process
from test_cli import pinnsolve, tiny_args


def logged_threads(sweep_dir, jobs):
    """The torch thread count each job's log reports."""
    lines = [line for job in range(jobs) for line in (sweep_dir / str(job) / "pinnsolve.log").read_text().splitlines()]
    return [line.rsplit(" ", 1)[1] for line in lines if "torch threads:" in line]


def test_a_joblib_sweep_runs_its_jobs_in_parallel_processes_and_reports_like_any_sweep(tmp_path, monkeypatch, capsys):
    sweep_dir = tmp_path / "sweep"
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)  # the jobs' share is what is tested
    status, stderr = pinnsolve_in_process([
        "-m", *tiny_args("poisson"), "hydra/launcher=joblib", "hydra.launcher.n_jobs=2",
        "trainer.adam.lr=1e-3,-1", f"hydra.sweep.dir={sweep_dir}",
    ], monkeypatch, capsys)
    # one of the two jobs has an impossible rate: it fails alone, and the sweep says so
    assert status == 1, stderr
    assert "pinnsolve: 1 of 2 jobs failed" in stderr
    with (sweep_dir / "summary.csv").open() as handle:
        rows = {(r["overrides"], r["status"]) for r in csv.DictReader(handle)}
    assert sorted(status for _, status in rows) == ["completed", "failed"]
    assert all(("trainer.adam.lr=-1" in overrides) == (status == "failed") for overrides, status in rows)
    assert (sweep_dir / "comparison.png").is_file()
    assert logged_threads(sweep_dir, 2) == [str(max(1, (os.cpu_count() or 1) // 2))] * 2


def test_a_submitit_local_sweep_runs_through_the_cluster_submission_path(tmp_path, monkeypatch):
    """submitit's local executor pickles the job, runs it in a process of its own and waits for it,
    as on SLURM; the report follows, and each job takes the threads cpus_per_task gives it."""
    sweep_dir = tmp_path / "sweep"
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    result = pinnsolve(
        "-m", *tiny_args("poisson"), "hydra/launcher=submitit_local", "hydra.launcher.cpus_per_task=1",
        "seed=3", f"hydra.sweep.dir={sweep_dir}", cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    with (sweep_dir / "summary.csv").open() as handle:
        assert [r["status"] for r in csv.DictReader(handle)] == ["completed"]
    assert logged_threads(sweep_dir, 1) == ["1"]
    assert list((sweep_dir / ".submitit").glob("*/*_result.pkl"))  # submitit's own record of each job


def test_the_slurm_preset_composes_submitit_with_its_keys():
    launcher = load_config(
        "hydra/launcher=slurm", "hydra.launcher.partition=gpu", "hydra.launcher.gpus_per_node=1", with_hydra=True
    ).hydra.launcher
    assert launcher._target_ == "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher"
    assert (launcher.partition, launcher.gpus_per_node, launcher.cpus_per_task, launcher.timeout_min) == ("gpu", 1, 2, 60)


def test_an_optuna_search_minimises_rel_l2_and_a_failed_trial_is_a_bad_one_not_a_crash(tmp_path, monkeypatch, capsys):
    import yaml

    sweep_dir = tmp_path / "search"
    status, stderr = pinnsolve_in_process([
        "-m", *tiny_args("poisson"), "hydra/sweeper=optuna", "hydra.sweeper.n_trials=4", "hydra.sweeper.sampler.seed=0",
        "trainer.adam.lr=choice(1e-2,-1)", "network.width=choice(6,8)", f"hydra.sweep.dir={sweep_dir}",
    ], monkeypatch, capsys)
    with (sweep_dir / "summary.csv").open() as handle:
        trials = list(csv.DictReader(handle))
    assert len(trials) == 4
    failed = [t for t in trials if t["status"] == "failed"]
    assert failed and all("trainer.adam.lr=-1" in t["overrides"] for t in failed)  # seed 0 draws the bad rate
    assert status == 1, stderr  # the search finished, and reports its failed trials as any sweep
    best = yaml.safe_load((sweep_dir / "optimization_results.yaml").read_text())
    completed = [t for t in trials if t["status"] == "completed"]
    assert best["best_value"] == min(float(t["rel_l2"]) for t in completed)
    assert best["best_params"]["trainer.adam.lr"] == 1e-2


def test_the_tune_experiment_searches_with_optuna_over_the_rate_and_the_scale():
    cfg = load_config("experiment=tune/burgers", with_hydra=True)
    sweeper = cfg.hydra.sweeper
    assert sweeper._target_ == "hydra_plugins.hydra_optuna_sweeper.optuna_sweeper.OptunaSweeper"
    assert (sweeper.direction, sweeper.n_trials) == ("minimize", 20)
    assert dict(sweeper.params) == {"trainer.adam.lr": "tag(log, interval(1e-4, 1e-2))", "activation.scale": "range(1, 11)"}
    assert (cfg.problem.name, cfg.activation.name, cfg.sampler.n_residual) == ("burgers", "neuron_wise", 2000)
