"""A plain (non-editable) wheel install finds conf/ and problems/ and runs from outside the repo."""
import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_wheel_installs_into_a_fresh_venv_and_runs(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"), str(REPO)],
        check=True, capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("pinnsolve-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    # the fresh venv sees our dependencies (torch, hydra, ...) but not our own package
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", str(wheel)],
        check=True, capture_output=True,
    )
    assert not (site / "problems").exists() and not (site / "conf").exists()
    assert (site / "pinnsolve" / "problems" / "burgers.py").is_file()
    assert (site / "pinnsolve" / "conf" / "problem" / "burgers.yaml").is_file()

    work = tmp_path / "elsewhere"
    work.mkdir()
    out = work / "run"
    result = subprocess.run(
        [env_dir / "bin" / "pinnsolve", "problem=poisson", "sampler.n_residual=32", "sampler.n_boundary=16", "network.width=4",
         "trainer.adam.iterations=3", "trainer.quasi_newton.iterations=2", "problem.eval_points_per_axis=5",
         "trainer.progress_bar=false", f"hydra.run.dir={out}"],
        cwd=work, capture_output=True, text=True, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert result.returncode == 0, result.stderr
    located = subprocess.check_output([python, "-c", "import pinnsolve; print(pinnsolve.__file__)"], cwd=work, text=True)
    assert located.strip() == str(site / "pinnsolve" / "__init__.py")  # the wheel's copy, not the repository's
    assert json.loads((out / "metrics.json").read_text())["status"] == "completed"
