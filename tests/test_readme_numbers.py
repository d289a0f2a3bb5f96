"""README numbers that match the code: the defaults table names the commit it was measured on, and
the code that decides those numbers (the training engine, the problems, the configs) must be as it
was then. Change any of it and this fails until `python benchmarks/defaults.py` is rerun."""
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# what the defaults' errors and times depend on; the command line, reports, checkpoints and
# validation do not train and are left out
ENGINE = [
    "conf", "problems", "pinnsolve/optim", "pinnsolve/derivatives", "pinnsolve/geometry", "pinnsolve/nn",
    "pinnsolve/train/trainer.py", "pinnsolve/train/phases.py", "pinnsolve/train/loss.py", "pinnsolve/train/resampling.py",
    "pinnsolve/assemble.py", "pinnsolve/report/evaluation.py", "pinnsolve/problem.py", "pinnsolve/conditions.py",
    "pinnsolve/readers.py", "pinnsolve/run.py",
]
# where jobs run (the launchers' presets) and the named experiments (searches, papers' setups, longer
# runs) do not change what the defaults compute
NOT_ENGINE = [":(exclude)conf/hydra", ":(exclude,glob)conf/experiment/*/**"]


def test_the_defaults_table_was_measured_on_the_engine_as_it_is():
    readme = (REPO / "README.md").read_text()
    section = readme.split("<!-- results:defaults:begin -->")[1].split("<!-- results:defaults:end -->")[0]
    measured = re.search(r"commit ([0-9a-f]{7,40})(\+changes)?", section)
    assert measured, "the defaults table names no commit"
    assert not measured.group(2), "the defaults table was measured on uncommitted changes"
    for path in ENGINE:
        assert (REPO / path).exists(), f"{path} is gone: update ENGINE"
    changed = subprocess.run(
        ["git", "diff", "--name-only", measured.group(1), "--", *ENGINE, *NOT_ENGINE], cwd=REPO, capture_output=True, text=True
    )
    assert changed.returncode == 0, f"git cannot compare with commit {measured.group(1)}: {changed.stderr.strip()}"
    assert changed.stdout == "", (
        f"the engine changed since the defaults table's commit {measured.group(1)} "
        f"({', '.join(changed.stdout.split())}): rerun python benchmarks/defaults.py"
    )
