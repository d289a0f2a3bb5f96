"""The `pinnsolve` command: tiny runs of every problem, sweeps, help, and bad input."""
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from omegaconf import OmegaConf

from conftest import PROBLEM_CONFIGS, TINY, coarse_reference, load_config, pinnsolve_in_process
from pinnsolve import cli, load
from pinnsolve.config import validate
from pinnsolve.report.sweep import _band, read_sweep
from pinnsolve.report.sweep import main as sweep_main  # the pinnsolve-report command

RUN_FILES = ["metrics.json", "history.csv", "prediction.npz", "model.pt", "solution.png", "loss.png", "error.png"]
TIME_DEPENDENT = {"burgers", "klein_gordon", "klein_gordon_cubic", "sine_gordon"}
VARIABLES = {
    "poisson": ["x", "y"], "helmholtz": ["x", "y"], "sine_gordon": ["x", "y", "t"], "low_regularity": ["x", "y"], "oscillatory": ["x", "y"],
    "fit": ["x"],
}
HARD_BC_TUNED = {"poisson", "klein_gordon", "helmholtz", "low_regularity", "oscillatory"}  # whose own experiments set problem.hard_bc
CONF = Path(__file__).resolve().parents[1] / "conf"


def pinnsolve(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "HYDRA_FULL_ERROR"}  # Hydra's short errors
    return subprocess.run(
        [sys.executable, "-m", "pinnsolve.cli", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )


def tiny_args(problem: str) -> list[str]:
    grid = ["problem.reference_x_points=33", "problem.reference_t_points=11"] if problem == "burgers" else coarse_reference(problem, 11)
    return [f"problem={problem}", *TINY, *grid]


@pytest.mark.parametrize("problem", PROBLEM_CONFIGS)
def test_tiny_run_writes_every_file(problem, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    status, stderr = pinnsolve_in_process([*tiny_args(problem), "plots=true", f"hydra.run.dir={out}"], monkeypatch, capsys)
    assert status == 0, stderr
    expected = RUN_FILES + (["slices.png"] if problem in TIME_DEPENDENT else [])
    for name in expected + [".hydra/config.yaml", ".hydra/overrides.yaml"]:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert (problem in TIME_DEPENDENT) == (out / "slices.png").exists()

    metrics = json.loads((out / "metrics.json").read_text())
    variables = VARIABLES.get(problem, ["x", "t"])
    assert metrics["problem"] == ("klein_gordon" if problem.startswith("klein") else problem)
    assert metrics["variables"] == variables
    assert metrics["activation"] == "fixed" and metrics["status"] == "completed"
    assert (metrics["iterations_adam"], metrics["iterations_quasi_newton"]) == (6, 4)
    for key in ("rel_l2", "max_abs_error", "mse", "loss", "wall_time_s"):
        assert np.isfinite(metrics[key]) and metrics[key] >= 0, key
    assert set(metrics["time_to_rel_l2"]) == {"1e-02", "1e-03", "1e-04", "1e-05"}
    components = set(metrics["loss_components"])
    assert "residual" in components
    # these defaults impose u exactly, and a fit has no boundary
    assert ("boundary" in components) == (problem not in HARD_BC_TUNED | {"fit"})

    with (out / "history.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["iteration"]) for r in rows] == [0, 2, 4, 6, 8, 10]
    assert set(rows[0]) == {"iteration", "elapsed_s", "loss", "rel_l2", *components}
    assert float(rows[-1]["rel_l2"]) == pytest.approx(metrics["rel_l2"], rel=1e-9)
    assert [float(r["elapsed_s"]) for r in rows] == sorted(float(r["elapsed_s"]) for r in rows)

    data = np.load(out / "prediction.npz")
    n = 33 * 11 if problem == "burgers" else 11 ** len(variables)
    assert data["inputs"].shape == (n, len(variables)) and data["u_pred"].shape == (n,) and data["u_ref"].shape == (n,)
    rel = np.linalg.norm(data["u_pred"] - data["u_ref"]) / np.linalg.norm(data["u_ref"])
    assert rel == pytest.approx(metrics["rel_l2"], rel=1e-9)


def test_plots_false_writes_every_file_but_the_figures_and_load_draws_them_later(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    status, stderr = pinnsolve_in_process([*tiny_args("burgers"), "plots=true", f"hydra.run.dir={out}"], monkeypatch, capsys)
    assert status == 0, stderr
    status, stderr = pinnsolve_in_process([*tiny_args("burgers"), "plots=false", "seed=1", f"hydra.run.dir={out}"], monkeypatch, capsys)
    assert status == 0, stderr
    assert not list(out.glob("*.png"))  # the first run's figures went with its other results
    for name in RUN_FILES:
        assert (out / name).is_file() == name.endswith((".json", ".csv", ".npz", ".pt")), name
    assert json.loads((out / "metrics.json").read_text())["seed"] == 1
    load(out).plot("slices", out / "slices.png")
    assert (out / "slices.png").stat().st_size > 10_000


def test_poisson_in_three_dimensions_plots_a_slice(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    args = [*tiny_args("poisson"), "problem.dim=3", "problem.eval_points_per_axis=7", "plots=true", f"hydra.run.dir={out}"]
    status, stderr = pinnsolve_in_process(args, monkeypatch, capsys)
    assert status == 0, stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["variables"] == ["x", "y", "z"]
    assert np.load(out / "prediction.npz")["inputs"].shape == (343, 3)
    assert (out / "solution.png").stat().st_size > 0


def test_multirun_gives_each_job_its_own_directory(tmp_path, monkeypatch, capsys):
    sweep = tmp_path / "sweep"
    args = [*tiny_args("poisson"), "seed=0,1", f"hydra.sweep.dir={sweep}"]
    status, stderr = pinnsolve_in_process(["-m", *args], monkeypatch, capsys)
    assert status == 0, stderr
    seeds = [json.loads((sweep / job / "metrics.json").read_text())["seed"] for job in ("0", "1")]
    assert seeds == [0, 1]


@pytest.mark.parametrize("activation", ["global_sr", "neuron_wise"])
def test_adaptive_run_reports_its_slopes(activation, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    args = [*tiny_args("burgers"), f"activation={activation}", "plots=true", f"hydra.run.dir={out}"]
    status, stderr = pinnsolve_in_process(args, monkeypatch, capsys)
    assert status == 0, stderr
    for name in ("slopes.png", "activations.png", "loss.png"):
        assert (out / name).stat().st_size > 0, name
    metrics = json.loads((out / "metrics.json").read_text())
    shared_slope = activation == "global_sr"  # the global slope, with our slope recovery extension on
    assert metrics["activation"] == ("global" if shared_slope else activation)
    assert metrics["activation_settings"]["scale"] == 10.0 and metrics["activation_settings"]["slope_recovery"] is True
    assert set(metrics["slopes"]) == {"layer_1", "layer_2"}
    per_layer = [metrics["slopes"][k] for k in ("layer_1", "layer_2")]
    if shared_slope:
        assert per_layer[0] == per_layer[1] != 1.0
    else:
        assert all(len(values) == 8 for values in per_layer)
    assert metrics["slope_recovery"] == pytest.approx(metrics["loss_components"]["slope_recovery"], rel=1e-12)

    with (out / "history.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    columns = ["slope_1", "slope_2"] if shared_slope else [
        f"slope_{k}_{stat}" for k in (1, 2) for stat in ("mean", "std", "min", "max")
    ]
    assert list(rows[0])[-len(columns) - 2:] == ["slope_recovery", "rel_l2", *columns]
    assert float(rows[0]["slope_recovery"]) == pytest.approx(np.exp(-0.1), rel=1e-12)
    # the loss without penalties is the total less W_a·S(a), W_a = 1
    for row in rows:
        assert float(row["pde_loss"]) == pytest.approx(float(row["loss"]) - float(row["slope_recovery"]), rel=1e-9)
    assert metrics["pde_loss"] == pytest.approx(metrics["loss"] - metrics["slope_recovery"], rel=1e-9)
    assert float(rows[0][columns[0]]) == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize(
    "overrides",
    [
        ["activation=raf", "problem.hard_bc=false"],
        ["activation=raf", "activation.mode=learnable", "activation.basis=[identity,square,sin,gaussian,rational]"],
        ["activation=raf", "network=resnet", "network.width=6", "problem.hard_bc=true"],
    ],
)
def test_raf_runs_from_the_command_line(overrides, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    status, stderr = pinnsolve_in_process([*tiny_args("poisson"), *overrides, "plots=true", f"hydra.run.dir={out}"], monkeypatch, capsys)
    assert status == 0, stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["activation"] == "raf" and metrics["status"] == "completed"
    assert metrics["activation_settings"]["mode"] == ("learnable" if "activation.mode=learnable" in overrides else "partition")
    assert (out / "activations.png").stat().st_size > 0
    assert ("boundary" in metrics["loss_components"]) == ("problem.hard_bc=false" in overrides)
    state = torch.load(out / "model.pt")
    if "activation.mode=learnable" in overrides:  # the learned coefficients are in the checkpoint
        prefix = "network." if "problem.hard_bc=false" not in overrides else ""  # the hard-BC wrapper's
        assert state[f"{prefix}activations.0.alpha"].shape == state[f"{prefix}activations.0.beta"].shape == (5, 8)
        assert state[f"{prefix}activations.1.bases.4.numerator"].shape == (4,)


def test_sweep_report_summarises_every_job_and_can_be_rebuilt(tmp_path, monkeypatch, capsys):
    sweep = tmp_path / "sweep"
    base = [arg for arg in tiny_args("poisson") if not arg.startswith("network.width")]
    args = [*base, "activation=fixed,layer_wise", "network.width=8,-1", "seed=0,1"]
    status, stderr = pinnsolve_in_process(["-m", *args, f"hydra.sweep.dir={sweep}"], monkeypatch, capsys)
    assert status == 1  # the width −1 jobs failed, and the command says so
    assert "4 of 8 jobs failed" in stderr

    with (sweep / "summary.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["job"] for r in rows] == [str(i) for i in range(8)]
    for row in rows:
        metrics_file = sweep / row["job"] / "metrics.json"
        assert row["group"] == " ".join(o for o in row["overrides"].split() if o.startswith(("activation=", "network.width")))
        if "network.width=-1" in row["overrides"]:
            assert row["status"] == "failed" and not metrics_file.exists()
            assert row["error"] == "invalid configuration: network.width: must be a positive integer, got -1"
        else:
            metrics = json.loads(metrics_file.read_text())
            assert row["status"] == "completed" and int(row["seed"]) == metrics["seed"]
            assert float(row["rel_l2"]) == metrics["rel_l2"] and float(row["loss"]) == metrics["loss"]
            assert float(row["wall_time_s"]) == metrics["wall_time_s"]
            assert (int(row["iterations_adam"]), int(row["iterations_quasi_newton"])) == (6, 4)

    with (sweep / "groups.csv").open() as handle:
        groups = {g["group"]: g for g in csv.DictReader(handle)}
    finished = groups["activation=layer_wise network.width=8"]
    assert (finished["jobs"], finished["completed"]) == ("2", "2")
    values = [float(r["rel_l2"]) for r in rows if r["group"] == "activation=layer_wise network.width=8"]
    assert float(finished["rel_l2_mean"]) == pytest.approx(np.mean(values), rel=1e-12)
    assert float(finished["rel_l2_std"]) == pytest.approx(np.std(values, ddof=1), rel=1e-12)
    assert groups["activation=fixed network.width=-1"]["completed"] == "0"
    assert (sweep / "comparison.png").stat().st_size > 0
    # the panel of losses without penalties takes a fixed run's loss, which has none, as it is
    finished = [job for job in read_sweep(sweep) if job.history]
    fixed, layer_wise = (next(j for j in finished if f"activation={name}" in j.overrides) for name in ("fixed", "layer_wise"))
    assert "pde_loss" not in fixed.history[0] and "pde_loss" in layer_wise.history[0]
    _, fixed_values = _band([fixed.history], "pde_loss")
    assert list(fixed_values[0]) == [row["loss"] for row in fixed.history]
    _, adaptive_values = _band([layer_wise.history], "pde_loss")
    assert list(adaptive_values[0]) == [row["pde_loss"] for row in layer_wise.history]

    summary = (sweep / "summary.csv").read_text()
    for name in ("summary.csv", "groups.csv", "comparison.png"):
        (sweep / name).unlink()
    assert sweep_main([str(sweep)]) == 0  # pinnsolve-report SWEEP_DIR
    assert (sweep / "summary.csv").read_text() == summary
    assert (sweep / "comparison.png").stat().st_size > 0


PRESETS = {"adam_lbfgs": "lbfgs", "adam_bfgs": "bfgs", "adam_ssbfgs": "ssbfgs_ab", "adam_ssbroyden": "ssbroyden2"}


@pytest.mark.parametrize("problem", PROBLEM_CONFIGS)
@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_the_trainer_the_user_names_wins_over_the_problems_experiment(problem, preset):
    cfg = load_config(f"problem={problem}", f"trainer={preset}")
    plain = load_config(f"problem={problem}", "experiment=none", f"trainer={preset}")  # the preset's file alone
    tuned = load_config(f"problem={problem}")
    assert cfg.trainer.quasi_newton.method.value == PRESETS[preset]
    assert cfg.trainer.adam == plain.trainer.adam and cfg.trainer.quasi_newton == plain.trainer.quasi_newton
    assert cfg.trainer.loss_weights == tuned.trainer.loss_weights  # the preset sets no weights: the experiment's stay
    assert cfg.network == tuned.network and cfg.sampler == tuned.sampler


def test_the_network_the_user_names_wins_over_the_problems_experiment():
    tuned = load_config("problem=poisson")
    assert (tuned.network.name, tuned.network.width) == ("mlp", 32)
    resnet = load_config("problem=poisson", "network=resnet")
    assert (resnet.network.name, resnet.network.width, resnet.network.init) == ("resnet", 50, "torch_default")
    named_mlp, burgers = load_config("problem=burgers", "network=mlp"), load_config("problem=burgers")
    assert (burgers.network.depth, burgers.network.width) == (4, 20)  # Burgers' experiment
    assert (named_mlp.network.depth, named_mlp.network.width) == (4, 32)  # conf/network/mlp.yaml


def test_a_sampler_the_user_names_keeps_the_experiments_point_counts():
    tuned = load_config("problem=burgers")
    sobol = load_config("problem=burgers", "sampler=sobol")
    assert sobol.sampler.name.value == "sobol"
    assert (sobol.sampler.n_residual, sobol.sampler.resample.value) == (tuned.sampler.n_residual, "rad") == (8000, "rad")


def test_key_overrides_win_over_the_group_the_user_names():
    cfg = load_config("problem=poisson", "network=resnet", "network.width=7")
    assert (cfg.network.name, cfg.network.width) == ("resnet", 7)


@pytest.mark.parametrize("problem", PROBLEM_CONFIGS)
def test_a_problem_runs_with_its_own_experiment_and_experiment_none_with_the_plain_defaults(problem):
    tuned, named, plain = (load_config(f"problem={problem}", *extra) for extra in ([], [f"experiment={problem}"], ["experiment=none"]))
    assert load_config(f"problem={problem}", with_hydra=True).hydra.runtime.choices.experiment == problem
    assert tuned == named
    assert (plain.network.depth, plain.network.width, plain.sampler.n_residual) == (4, 32, 1000)
    assert plain.trainer.quasi_newton.iterations == 1000 and dict(plain.trainer.loss_weights) == {}
    # the problem's parameters are its file's; of them, an experiment tunes only how the boundary is imposed
    assert {key: value for key, value in tuned.problem.items() if key != "hard_bc"} == {
        key: value for key, value in plain.problem.items() if key != "hard_bc"}
    assert (tuned.problem.hard_bc, plain.problem.hard_bc) == (problem in HARD_BC_TUNED, False)


EXPERIMENTS = sorted(
    str(path.relative_to(CONF / "experiment").with_suffix("")) for path in (CONF / "experiment").rglob("*.yaml")
)


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_every_experiment_composes_into_a_valid_config_and_sets_no_activation_values(experiment, tmp_path):
    meant_for = experiment.rsplit("/", 1)[-1]
    problem = [f"problem={meant_for}"] if "/" not in experiment and meant_for != "none" else []
    cfg = load_config(*problem, f"experiment={experiment}", with_hydra=True)
    if "data" in cfg.problem:  # a PINNacle case: validating checks that its reference file is there, not what it holds
        (tmp_path / "reference.dat").write_text("")
        cfg.problem.data = str(tmp_path / "reference.dat")
    validate(cfg)
    if meant_for in {path.stem for path in (CONF / "problem").glob("*.yaml")}:  # not none, nor a setup for any problem (pinnacle/setup)
        assert cfg.hydra.runtime.choices.problem == meant_for
    # the activation comes before the experiment: values an experiment set there would override the one the user names
    assert "activation" not in (OmegaConf.load(CONF / "experiment" / f"{experiment}.yaml") or {})


@pytest.mark.parametrize("problem", ["poisson", "klein_gordon", "helmholtz"])
def test_a_high_accuracy_experiment_selects_its_problem_and_the_trainer_the_user_names_wins(problem):
    cfg = load_config(f"experiment=high_accuracy/{problem}")
    default = load_config(f"experiment=study/{problem}")  # the settings it builds on
    assert cfg.problem.name == problem
    assert cfg.trainer.quasi_newton.iterations > default.trainer.quasi_newton.iterations
    assert cfg.sampler.n_residual > default.sampler.n_residual
    chosen = load_config(f"experiment=high_accuracy/{problem}", "trainer=adam_lbfgs")
    assert chosen.trainer.quasi_newton.method.value == "lbfgs"


def test_burgers_with_the_ssbroyden_preset_runs_from_the_command_line(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    args = [*tiny_args("burgers"), "trainer=adam_ssbroyden", f"hydra.run.dir={out}"]
    status, stderr = pinnsolve_in_process(args, monkeypatch, capsys)
    assert status == 0, stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["methods"] == {"adam": "adam", "quasi_newton": "ssbroyden2"}
    assert metrics["derivatives"] == "autograd"  # auto, for a run far shorter than compiling pays back
    assert (metrics["iterations_adam"], metrics["iterations_quasi_newton"]) == (6, 4)


def test_help_lists_the_groups_and_their_options(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["pinnsolve", "--help"])
    try:
        cli.main()
    except SystemExit as stop:
        assert stop.code in (0, None)
    shown = capsys.readouterr().out
    for line in ("problem: burgers, burgers1d_c, fit, heat2d_lt, heat2d_ms, helmholtz, klein_gordon, klein_gordon_cubic, kovasznay,"
                 " low_regularity, ns2d_c, oscillatory, poisson, poisson2d_c, poisson_inv, poisson_nd, sine_gordon, wave1d_c",
                 "sampler: grid, halton, lhs, sobol, uniform", "trainer: adam_bfgs, adam_lbfgs, adam_ssbfgs, adam_ssbroyden",
                 "activation: fixed, global, global_sr, layer_wise, layer_wise_no_sr, neuron_wise, neuron_wise_no_sr",
                 "experiment: burgers, burgers1d_c, fit, heat2d_ms, helmholtz, klein_gordon, klein_gordon_cubic, low_regularity, none,"
                 " ns2d_c, oscillatory, poisson, poisson2d_c, poisson_inv, poisson_nd, sine_gordon, wave1d_c",
                 "experiment/high_accuracy: burgers, helmholtz, klein_gordon, poisson",
                 "experiment/raf: low_regularity, oscillatory, poisson",
                 "experiment/inverse: burgers, poisson, sine_gordon",
                 "experiment/pinnacle: setup",
                 "experiment/study: burgers, helmholtz, klein_gordon, klein_gordon_cubic, poisson",
                 "logger: mlflow, none, tensorboard"):
        assert line in shown, line


# Bad input: Hydra's composition errors (unknown option, wrong type, unknown key), pinnsolve's checks, and an
# error found while assembling the run. Every row goes through the command's own entry point in this process,
# where a refusal costs a fraction of a second rather than a 3-second process start; each kind of refusal is
# also run end to end in a process of its own below.
REFUSED = [
    (["problem=heat"], "Could not find 'problem/heat'"),
    (["problem=fit", "problem.hard_bc=true"], "problem.hard_bc: hard boundary conditions need a Dirichlet condition on the whole boundary; this problem's boundary conditions are []"),
    (["problem=fit", "problem.target=wiggly"], "problem (fit): target must be one of ['smooth', 'burgers_t025', 'discontinuous'] or a .npz file, got 'wiggly'"),
    (["problem=oscillatory", "problem.frequency=0.3"], "problem (oscillatory): frequency must be a positive multiple of 1/2 (so that u = 0 on the boundary), got 0.3"),
    (["problem=low_regularity", "problem.dim=0"], "problem (low_regularity): dim must be ≥ 1, got 0"),
    (["experiment=helmholtz"], "experiment=helmholtz is tuned for problem=helmholtz, but the problem is burgers; run problem=helmholtz"),
    (["experiment=heat"], "experiment=heat: no such experiment; the experiments are ['adaptive/burgers', 'adaptive/helmholtz'"),
    (["experiment=high_acuracy/burgers"], "experiment=high_acuracy/burgers: no such experiment"),
    (["experiment=null"], "Config group override must be a string or a list. Got NoneType"),
    (["logger=wandb"], "Could not find 'logger/wandb'"),
    (["logger.log_dir=runs"], "logger.log_dir: applies to logger=tensorboard only, and the logger is none"),
    (["logger=tensorboard", "logger.tracking_uri=http://localhost:5000"], "logger.tracking_uri: applies to logger=mlflow only, and the logger is tensorboard"),
    (["problem=burgers", "experiment=high_accuracy/klein_gordon"], "experiment=high_accuracy/klein_gordon is tuned for problem=klein_gordon, but the problem is burgers; drop problem=burgers"),
    (["sampler.n_residual=abc"], "sampler.n_residual"),
    (["sampler.n_residual=0"], "sampler.n_residual: must be a positive integer, got 0"),
    (["sampler.n_initial=0"], "sampler.n_initial: must be a positive integer (burgers has initial conditions), got 0"),
    (["trainer.adam.iterations=-5"], "trainer.adam.iterations: must be ≥ 0"),
    (["trainer.adam.lr=-0.1"], "trainer.adam.lr: must be positive, got -0.1"),
    (["activation.base=swish"], "activation.base"),
    (["precision=float16"], "precision"),
    (["trainer.condition_loss=mean"], "trainer.condition_loss"),
    (["activation=layer_wise", "activation.scale=[10,5,2]"], "activation.scale: must be one number per hidden layer, 2 here, got [10, 5, 2]"),
    (["activation=global", "activation.scale=[10,5]"], "activation.scale: must be one number for activation=global"),
    (["derivatives=fast"], "derivatives"),
    (["network.width=0"], "network.width: must be a positive integer, got 0"),
    (["problem.nu=-1"], "problem (burgers): nu must be in [1e-6, 100], got -1"),
    (["problem.nu=1e-9"], "problem (burgers): nu must be in [1e-6, 100], got 1e-09"),
    (["problem.t_max=1e300"], "problem (burgers): t_max must be in (0, 100] (the reference's quadrature), got 1e+300"),
    (["problem=helmholtz", "problem.a1=1e300"], "problem (helmholtz): its values cannot be computed (OverflowError: (34, 'Numerical result out of range'))"),
    (["problem=kovasznay", "problem.reynolds=1e300"], "problem (kovasznay): its values cannot be computed (OverflowError"),
    (["problem.quadrature_tolerance=1e-300"], "problem (burgers): quadrature_tolerance must be ≥ 1e-14, got 1e-300"),
    (["problem=helmholtz", "problem.a1=0.5"], "problem (helmholtz): a1 must be a non-zero integer with solution=sines"),
    (["problem=helmholtz", "problem.k=1e300"], "problem (helmholtz): k must be at most 1e18 in magnitude"),
    (["problem.nu=fast"], "problem.nu"),
    (["+problem.viscosity=1"], "problem.viscosity"),
    (["trainer.loss_weights.wall=2"], "Key 'wall' is not in struct"),
    (["+trainer.loss_weights.wall=2"], "no loss component named ['wall']; the components are ['residual', 'initial', 'boundary']"),
    (["trainer.loss_weights.boundary=-1"], "trainer.loss_weights.boundary: must be ≥ 0"),
    (["activation=swish"], "Could not find 'activation/swish'"),
    (["activation=neuron_wise", "activation.scale=0.5"], "activation.scale: must be ≥ 1 (the paper's n), or a list of such numbers, got 0.5"),
    (["activation=global", "activation.init=0"], "activation.init: must be positive, null (1/scale) or pinnacle (layer_wise, neuron_wise), got 0"),
    (["activation=neuron_wise", "activation.init=xavier"], "activation.init: must be positive, null (1/scale) or pinnacle (layer_wise, neuron_wise), got 'xavier'"),
    (["activation=global", "activation.init=pinnacle"], "activation.init: must be positive or null (1/scale) for activation=global (PINNacle draws a slope per layer or per neuron), got 'pinnacle'"),
    (["activation=global", "activation.slope_recovery=maybe"], "activation.slope_recovery"),
    (["activation=layer_wise", "activation.slope_recovery_weight=-1"], "activation.slope_recovery_weight: must be ≥ 0"),
    (["activation=layer_wise", "+activation.slopes=3"], "activation.slopes"),
    (["activation=fixed", "+activation.scale=3"], "activation.scale"),
    (["activation=raf", "activation.mode=mixed"], "activation.mode"),
    (["activation=raf", "activation.basis=[sin,cosh]"], "activation.basis"),
    (["activation=raf", "activation.basis=[]"], "activation.basis: must be a non-empty list"),
    (["activation=raf", "activation.gaussian_width=0"], "activation.gaussian_width: must be ≥ 1e-3, got 0"),
    (["activation=raf", "activation.gaussian_width=1e-320"], "activation.gaussian_width: must be ≥ 1e-3, got 1e-320"),
    (["activation=raf", "network.width=3"], "network.width: must be at least the number of RAF bases (4) in partition mode, got 3"),
    (["network=resnet", "network.blocks=0"], "network.blocks: must be a positive integer, got 0"),
    (["network=resnet", "network.width=1"], "network.width: must be ≥ the input dimension 2 (resnet), got 1"),
    (["network=cnn"], "Could not find 'network/cnn'"),
    (["network.init=he"], "network.init: must be one of ['glorot_normal', 'torch_default'], got 'he'"),
    (["network.input_scaling=sometimes"], "network.input_scaling"),
    (["trainer.adam.weight_decay=-1e-4"], "trainer.adam.weight_decay: must be ≥ 0, got -0.0001"),
    (["problem.hard_bc=maybe"], "problem.hard_bc"),
    (["trainer.quasi_newton.method=newton"], "trainer.quasi_newton.method"),
    (["trainer=newton"], "Could not find 'trainer/newton'"),
    (["trainer.quasi_newton.loss_transform=cube"], "trainer.quasi_newton.loss_transform"),
    (["trainer.quasi_newton.iterations=-1"], "trainer.quasi_newton.iterations: must be ≥ 0 (0 skips the phase), got -1"),
    (["trainer.quasi_newton.history_size=0"], "trainer.quasi_newton.history_size: must be a positive integer, got 0"),
    (["trainer.quasi_newton.line_search.c1=0"], "trainer.quasi_newton.line_search.c1: must be in (0, 1), got 0"),
    (["trainer.quasi_newton.line_search.c2=1e-5"], "trainer.quasi_newton.line_search.c2: must be in (c1, 1) = (0.0001, 1), got 1e-05"),
    (["trainer.quasi_newton.line_search.max_evals=0"], "trainer.quasi_newton.line_search.max_evals: must be a positive integer"),
    (["sampler.resample=sometimes"], "sampler.resample"),
    (["sampler.resample=rad", "sampler.resample_every=0"], "sampler.resample_every: must be positive with sampler.resample=rad, got 0"),
    (["sampler.resample=none", "sampler.resample_every=5"], "sampler.resample_every: 5 has no effect with sampler.resample=none"),
    (["sampler.resample=rad", "sampler.resample_every=5", "sampler.rad.candidates=10"],
     "sampler.rad.candidates: must be ≥ sampler.n_residual (64), got 10"),
    (["sampler.resample=rad", "sampler.resample_every=5", "sampler.rad.k=-1"], "sampler.rad.k: must be ≥ 0, got -1"),
    (["sampler.resample=rad", "sampler.resample_every=5", "sampler.rad.c=-0.5"], "sampler.rad.c: must be ≥ 0, got -0.5"),
    # no number may be NaN or infinite, wherever it is
    (["trainer.adam.lr=inf"], "trainer.adam.lr: must be a finite number, got inf"),
    (["trainer.adam.weight_decay=inf"], "trainer.adam.weight_decay: must be a finite number, got inf"),
    (["trainer.loss_weights.boundary=inf"], "trainer.loss_weights.boundary: must be a finite number, got inf"),
    (["trainer.target_rel_l2=nan"], "trainer.target_rel_l2: must be a finite number, got nan"),
    (["trainer.time_budget_s=inf"], "trainer.time_budget_s: must be a finite number, got inf"),
    (["activation=neuron_wise", "activation.scale=inf"], "activation.scale: must be a finite number, got inf"),
    (["problem.nu=inf"], "problem.nu: must be a finite number, got inf"),
    (["problem.nu=nan"], "problem.nu: must be a finite number, got nan"),
    (["problem.t_max=inf"], "problem.t_max: must be a finite number, got inf"),
    # seeds, and the new trainer keys
    (["seed=-1"], "seed: must be an integer in [0, 2^63), got -1"),
    (["seed=1.5"], "Error merging override seed=1.5; Value '1.5' of type 'float' could not be converted to Integer"),
    (["trainer.divergence_factor=1"], "trainer.divergence_factor: must be > 1 or null, got 1"),
    (["trainer.checkpoint_every=-1"], "trainer.checkpoint_every: must be ≥ 0 (0: at the end of each phase only), got -1"),
    (["trainer.residual_taper.points=[[0,0.5,1]]"],
     "trainer.residual_taper.points[0]: must be a list of one number per variable of the problem, ['x', 't'], got [0, 0.5, 1]"),
    (["trainer.residual_taper.points=[0.5]"],
     "trainer.residual_taper.points[0]: must be a list of one number per variable of the problem, ['x', 't'], got 0.5"),
    (["trainer.residual_taper.points=[[0,inf]]"], "trainer.residual_taper.points[0][1]: must be a finite number, got inf"),
    (["trainer.residual_taper.radius=0"], "trainer.residual_taper.radius: must be positive, got 0.0"),
    # a key that does not exist, in every node, named with the keys there are
    (["+precison=float32"], "precison: unknown key; the top level has ['problem', 'activation', 'sampler', 'network'"),
    (["+trainer.adam.foo=1"], "trainer.adam.foo: unknown key; trainer.adam has ['iterations', 'lr', 'decay_rate', 'decay_steps', 'weight_decay']"),
    (["+trainer.quasi_newton.line_search.c3=0.5"], "trainer.quasi_newton.line_search.c3: unknown key; trainer.quasi_newton.line_search has ['c1', 'c2', 'max_evals']"),
    (["+sampler.n_interior=10"], "sampler.n_interior: unknown key; sampler has ['name', 'n_residual'"),
    (["+network.dropout=0.1"], "network.dropout: unknown key; network has ['name', 'depth', 'width'"),
    (["+trainer.lbfgs.iterations=5"], "trainer.lbfgs: unknown key; trainer has ['adam', 'quasi_newton'"),
    # sizes that cannot fit in memory, refused with the estimate
    (["problem=poisson", "problem.dim=8"], "the run needs at least"),
    (["sampler.n_residual=1000000000000", "sampler.rad.candidates=1000000000000"], "2,000,000,000,032 training and candidate points × 2 layers of width 8"),
    (["network.width=300000", "trainer.quasi_newton.method=lbfgs"], "× 2 layers of width 300000, 90,000,900,000 weights) and this machine has"),
    (["network.width=600", "network.depth=3", "trainer.quasi_newton.method=bfgs"],
     "721,800 weights and bfgs's dense 721,800 × 721,800 matrix) and this machine has"),
    # values that would run and mean nothing
    (["trainer.loss_weights.residual=0", "trainer.loss_weights.initial=0", "trainer.loss_weights.boundary=0"],
     "trainer.loss_weights: every term's weight is 0 (residual, initial, boundary): nothing would be trained"),
]


def assert_refused(status: int, stderr: str, message: str, out: Path) -> None:
    """Exit status 2, the message on one line, no traceback, and nothing in ``out`` that looks like a run."""
    assert status == 2
    assert message in stderr
    assert stderr.startswith("pinnsolve: ") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    assert not out.exists()  # a refused run removes the directory it made


@pytest.mark.parametrize(("overrides", "message"), REFUSED)
def test_bad_input_is_one_clear_message_and_no_finished_run(overrides, message, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    assert_refused(*pinnsolve_in_process([*TINY, *overrides, f"hydra.run.dir={out}"], monkeypatch, capsys), message, out)


# every row runs in-process above; in a process of its own, one per way a refusal reaches the user: Hydra's
# composition error (an unknown option), pinnsolve's check before Hydra makes the run directory (a value
# out of range), and an error found only while assembling the run
ONE_OF_EACH_KIND = [["problem=heat"], ["sampler.n_residual=0"], ["+trainer.loss_weights.wall=2"]]
COMMAND_LINE_REFUSALS = [row for row in REFUSED if row[0] in ONE_OF_EACH_KIND]
assert len(COMMAND_LINE_REFUSALS) == len(ONE_OF_EACH_KIND), "every kind's row must be in REFUSED"


@pytest.mark.parametrize(("overrides", "message"), COMMAND_LINE_REFUSALS)
def test_bad_input_in_a_process_of_its_own_is_one_clear_message_and_no_finished_run(overrides, message, tmp_path):
    out = tmp_path / "run"
    result = pinnsolve(*TINY, *overrides, f"hydra.run.dir={out}", cwd=tmp_path)
    assert_refused(result.returncode, result.stderr, message, out)
