"""The Python API: solve() trains as the command does, load() reads a run back, predict() and plot()."""
import json
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest
from hydra import initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from matplotlib.figure import Figure

from conftest import TINY, pinnsolve_in_process
from pinnsolve import load, solve
from pinnsolve.config import ConfigError

POISSON = ["problem=poisson", *TINY, "problem.eval_points_per_axis=11"]
BURGERS = ["problem=burgers", *TINY, "problem.reference_x_points=17", "problem.reference_t_points=5", "activation=neuron_wise"]
REPO = Path(__file__).resolve().parents[1]


def test_solve_trains_as_the_command_does_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    solution = solve(*POISSON)
    assert list(tmp_path.iterdir()) == [] and solution.run_dir is None
    assert not GlobalHydra.instance().is_initialized()  # no Hydra state left behind

    status, stderr = pinnsolve_in_process([*POISSON, f"hydra.run.dir={tmp_path / 'cli'}"], monkeypatch, capsys)
    assert status == 0, stderr
    command = json.loads((tmp_path / "cli" / "metrics.json").read_text())
    # the same seed, the same config: the same numbers, to the last digit
    for key in ("rel_l2", "max_abs_error", "loss", "iterations_adam", "iterations_quasi_newton", "parameters"):
        assert solution.metrics[key] == command[key], key
    assert [row["loss"] for row in solution.history] == [row["loss"] for row in load(tmp_path / "cli").history]


def test_predict_is_the_model_at_the_points_and_its_error_is_the_metrics(tmp_path):
    solution = solve(*POISSON)
    reference = solution.reference
    u = solution.predict(reference.inputs)
    assert u.shape == (len(reference.u),)
    rel_l2 = np.linalg.norm(u - reference.u) / np.linalg.norm(reference.u)
    assert rel_l2 == pytest.approx(solution.metrics["rel_l2"], rel=1e-12)
    # the hard constraint makes u = 0 on the boundary exactly, whatever the network learned
    assert np.abs(solution.predict([[0.0, 0.3], [1.0, 0.7], [0.4, 0.0], [0.6, 1.0]])).max() < 1e-15
    with pytest.raises(ValueError, match=r"^points: expected an \(N, 2\) array of \['x', 'y'\], got shape \(4, 3\)$"):
        solution.predict(np.zeros((4, 3)))


def test_a_run_directory_loads_back_to_the_same_model(tmp_path):
    solved = solve(*BURGERS, "plots=true", output_dir=tmp_path / "run")
    assert solved.run_dir == tmp_path / "run"
    for name in ("metrics.json", "history.csv", "model.pt", "solution.png", "slopes.png", ".hydra/config.yaml"):
        assert (tmp_path / "run" / name).is_file(), name
    loaded = load(tmp_path / "run")
    points = np.random.default_rng(0).uniform((-1, 0), (1, 1), size=(50, 2))
    assert np.array_equal(loaded.predict(points), solved.predict(points))
    assert loaded.metrics == json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert loaded.metrics["rel_l2"] == solved.metrics["rel_l2"] and loaded.config == solved.config
    assert [row["rel_l2"] for row in loaded.history] == pytest.approx([row["rel_l2"] for row in solved.history], rel=1e-15)
    assert set(loaded.components) == set(solved.components) == {"residual", "initial", "boundary", "slope_recovery"}


def test_plot_draws_a_runs_figures_and_saves_one_where_asked(tmp_path):
    solution = solve(*BURGERS)
    for name in ("solution", "slices", "loss", "error", "slopes", "activations"):
        assert isinstance(solution.plot(name), Figure), name
    solution.plot("loss", tmp_path / "loss.png")
    assert (tmp_path / "loss.png").stat().st_size > 0
    with pytest.raises(ValueError, match=r"plot: no 'slices' figure for this run; it has \['solution', 'loss', 'error'\]"):
        solve(*POISSON).plot("slices")


def test_bad_input_is_a_config_error_before_anything_is_written(tmp_path):
    with pytest.raises(ConfigError, match=r"^network.width: must be a positive integer, got -1$"):
        solve(*POISSON, "network.width=-1", output_dir=tmp_path / "run")
    with pytest.raises(ConfigError, match=r"^Could not find 'problem/heat'; Available options in 'problem': burgers"):
        solve("problem=heat", output_dir=tmp_path / "run")
    with pytest.raises(ConfigError, match=r"^experiment=high_acuracy/burgers: no such experiment"):
        solve("experiment=high_acuracy/burgers")
    with pytest.raises(ConfigError, match=r"^problem: an object of a Problem dataclass, got str 'burgers'; "
                                          r"a problem by name is an override: solve\('problem=burgers'\)$"):
        solve(problem="burgers", output_dir=tmp_path / "run")
    assert not (tmp_path / "run").exists()
    with pytest.raises(ConfigError, match=r"^output_dir: .* is a file, so the directory .* cannot be made$"):
        (tmp_path / "file").write_text("")
        solve(*POISSON, output_dir=tmp_path / "file" / "run")


@pytest.mark.parametrize(("overrides", "message"), [
    ((5,), r"^overrides: each is a string 'key=value', got int 5$"),
    ((["problem=poisson", "seed=1"],), r"^overrides: each is a string 'key=value', got list \['problem=poisson', 'seed=1'\]; "
                                      r"pass them as separate arguments, solve\(\*overrides\)$"),
    (("problem=poisson seed=1",), r"^overrides: 'problem=poisson seed=1' holds several overrides; pass each as its own argument: "
                                  r"solve\('problem=poisson', 'seed=1'\)$"),
    (("problem=poisson", "hydra.run.dir=somewhere"), r"^hydra.run.dir: Hydra's settings are the command's; solve writes into output_dir=...$"),
])
def test_overrides_solve_cannot_take_are_a_config_error(tmp_path, overrides, message):
    with pytest.raises(ConfigError, match=message):
        solve(*overrides, output_dir=tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_load_says_what_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"not a run directory \(no \.hydra/config\.yaml\)"):
        load(tmp_path)
    solve(*POISSON, output_dir=tmp_path / "run")
    (tmp_path / "run" / "model.pt").unlink()
    with pytest.raises(FileNotFoundError, match=r"no model\.pt \(it was interrupted before its end; `pinnsolve resume="):
        load(tmp_path / "run")


def test_solve_inside_a_hydra_app_leaves_the_apps_hydra_as_it_was():
    with initialize_config_module(config_module="pinnsolve.conf", version_base="1.3"):
        outer = GlobalHydra.instance().hydra
        solve(*POISSON)
        assert GlobalHydra.instance().hydra is outer


def test_the_example_script_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["compare_activations.py", "--iterations", "6", "--out", str(tmp_path)])
    runpy.run_path(str(REPO / "examples" / "compare_activations.py"), run_name="__main__")
    printed = capsys.readouterr().out
    assert "fixed" in printed and "neuron_wise" in printed
    assert (tmp_path / "comparison.png").stat().st_size > 0
