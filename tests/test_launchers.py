"""Sweeps through Hydra's joblib launcher: jobs in parallel processes, the sweep report and exit
status as with the default launcher, and the cores shared among the jobs."""
import csv
import os

from test_cli import pinnsolve, tiny_args


def test_a_joblib_sweep_runs_its_jobs_in_parallel_processes_and_reports_like_any_sweep(tmp_path):
    sweep_dir = tmp_path / "sweep"
    env_threads = os.environ.pop("OMP_NUM_THREADS", None)  # the jobs' share is what is tested
    try:
        result = pinnsolve(
            "-m", *tiny_args("poisson"), "hydra/launcher=joblib", "hydra.launcher.n_jobs=2",
            "trainer.adam.lr=1e-3,-1", "seed=0,1", f"hydra.sweep.dir={sweep_dir}", cwd=tmp_path,
        )
    finally:
        if env_threads is not None:
            os.environ["OMP_NUM_THREADS"] = env_threads
    # one of the four jobs has an impossible rate: it fails alone, and the sweep says so
    assert result.returncode == 1, result.stderr
    assert "pinnsolve: 2 of 4 jobs failed" in result.stderr
    with (sweep_dir / "summary.csv").open() as handle:
        rows = {(r["overrides"], r["status"]) for r in csv.DictReader(handle)}
    statuses = sorted(status for _, status in rows)
    assert statuses == ["completed", "completed", "failed", "failed"]
    assert all(("trainer.adam.lr=-1" in overrides) == (status == "failed") for overrides, status in rows)
    assert (sweep_dir / "comparison.png").is_file()
    threads = []
    for job in range(4):
        log = (sweep_dir / str(job) / "pinnsolve.log").read_text()
        threads += [line.rsplit(" ", 1)[1] for line in log.splitlines() if "torch threads:" in line]
    share = str(max(1, (os.cpu_count() or 1) // 2))
    assert threads == [share] * 4
