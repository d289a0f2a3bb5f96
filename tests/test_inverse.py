"""Inverse problems: identified coefficients, measurements drawn or read, the data term, outputs."""
import csv
import json
import math
import re

import numpy as np
import pytest
import torch
from torch import nn

from conftest import TINY, load_config, pinnsolve_in_process
from pinnsolve import load, solve
from pinnsolve.config import ConfigError, problem_from_config
from pinnsolve.derivatives import Field, Points, engine
from pinnsolve.inverse import Coefficients, read_observations, sample_observations, with_coefficients
from pinnsolve.train.loss import PINNLoss, TrainingPoints
from pinnsolve.problem import Region
from pinnsolve.problems.burgers import Burgers, hopf_cole_converged
from pinnsolve.problems.klein_gordon import KleinGordon, KleinGordonSolution
from pinnsolve.nn.activations import fixed
from pinnsolve.nn.network import MLP
from pinnsolve.problems.poisson_inv import PoissonInv

KLEIN_GORDON = KleinGordon(
    alpha=-1.0, beta=0.0, gamma=1.0, k=2, x_min=-1.0, x_max=1.0, t_max=10.0, solution=KleinGordonSolution.x_cos_t,
    eval_points_per_axis=9,
)
TINY_BURGERS = ["problem=burgers", *TINY, "problem.reference_x_points=33", "problem.reference_t_points=11"]


class Exact(nn.Module):
    """The Klein–Gordon solution x cos t as a model of one output (autograd differentiates it exactly)."""

    activations = ()

    def forward(self, inputs):
        return (inputs[:, 0] * torch.cos(inputs[:, 1]))[:, None]


def exact_loss(coefficients: Coefficients) -> tuple[PINNLoss, TrainingPoints]:
    rng = np.random.default_rng(0)
    observations = sample_observations(KLEIN_GORDON.reference(), 40, 0.0, rng)
    data = (torch.as_tensor(observations.inputs), torch.as_tensor(observations.u))
    loss = PINNLoss(KLEIN_GORDON, engine("autograd"), data=data, coefficients=coefficients)
    inside = torch.as_tensor(rng.uniform((-1, 0), (1, 10), size=(50, 2)))
    return loss, TrainingPoints(inside, {Region.INITIAL: inside[:10] * torch.tensor([1.0, 0.0]),
                                         Region.BOUNDARY: inside[10:20] * torch.tensor([0.0, 1.0]) + torch.tensor([1.0, 0.0])})


def test_with_exact_data_and_the_true_coefficients_the_data_and_residual_terms_vanish():
    loss, points = exact_loss(Coefficients({"alpha": -1.0, "gamma": 1.0}))
    total, terms = loss(Exact().double(), points)
    assert loss.components == ("residual", "initial", "initial_rate", "boundary", "data")
    for name, value in terms.items():
        assert float(value.detach()) < 1e-28, name
    assert float(total.detach()) < 1e-27


def test_a_wrong_coefficient_changes_the_operator_and_not_the_source():
    loss, points = exact_loss(Coefficients({"gamma": 1.5}))
    field = engine("autograd").field(Exact().double(), points.residual, ("x", "t"), ("u",), loss.keys[None])
    residual = loss.current_problem().residual(field)
    u = points.residual[:, 0] * torch.cos(points.residual[:, 1])
    # the source h stays the configured problem's (γ = 1), so the residual is (1.5 − 1)·u²
    assert torch.allclose(residual, 0.5 * u**2, rtol=1e-12, atol=1e-14)
    assert KLEIN_GORDON.gamma == 1.0 and with_coefficients(KLEIN_GORDON, {"gamma": torch.tensor(2.0)}).gamma == 2.0


def exact_field_of(problem, n=200):
    box = problem.domain
    inputs = torch.as_tensor(np.random.default_rng(3).uniform(box.lower, box.upper, size=(n, box.dim))).requires_grad_(True)
    return Field(inputs, problem.exact(Points(inputs, problem.variables)), problem.variables)


def test_poissons_diffusion_and_sine_gordons_coefficients_change_the_operator_and_not_the_source():
    poisson = problem_from_config(load_config("problem=poisson"))
    f = exact_field_of(poisson)
    # −κ'Δu − f with −Δu = f (κ = 1): (κ' − 1)·f
    wrong = with_coefficients(poisson, {"diffusion": torch.tensor(2.5, dtype=torch.float64)}).residual(f)
    torch.testing.assert_close(wrong, 1.5 * poisson.source(f), rtol=1e-10, atol=1e-12)
    assert poisson.residual(f).abs().max() < 1e-12

    breather = problem_from_config(load_config("problem=sine_gordon"))
    f = exact_field_of(breather)
    exact = breather.exact_derivatives(f)
    # u_tt − β'Δu + γ' sin u − h with h = u_tt − Δu + sin u: −(β' − 1)Δu + (γ' − 1) sin u
    wrong = with_coefficients(breather, {"beta": torch.tensor(1.5, dtype=torch.float64), "gamma": torch.tensor(0.7, dtype=torch.float64)})
    torch.testing.assert_close(wrong.residual(f), -0.5 * exact["laplacian"] - 0.3 * torch.sin(exact["u"]), rtol=1e-10, atol=1e-12)
    assert breather.residual(f).abs().max() < 1e-12


def test_the_sine_gordon_breathers_terms_are_independent_so_beta_and_gamma_are_identifiable():
    # β and γ are identifiable from u alone only if no other (a, b, c) than the PDE's (1, −1, 1)
    # makes a·u_tt + b·Δu + c·sin u vanish: the normalised columns have exactly one null direction
    breather = problem_from_config(load_config("problem=sine_gordon"))
    exact = breather.exact_derivatives(exact_field_of(breather, n=2000))
    columns = torch.stack([exact["tt"], exact["laplacian"], torch.sin(exact["u"])], dim=1).detach()
    singular = torch.linalg.svdvals(columns / columns.norm(dim=0))
    assert singular[2] < 1e-12 and singular[1] > 0.5, singular


def test_the_coefficients_receive_the_gradient_of_the_loss():
    coefficients = Coefficients({"gamma": 1.5, "beta": 0.3}, positive=["gamma"])
    loss, points = exact_loss(coefficients)
    total, _ = loss(Exact().double(), points)
    total.backward()
    # J = mean(((γ−1)u² + β u)²): the gradient in log γ and β, against central differences
    u = points.residual[:, 0] * torch.cos(points.residual[:, 1])

    def j(gamma, beta):
        return float((((gamma - 1) * u**2 + beta * u) ** 2).mean())

    h = 1e-6
    d_log_gamma = (j(1.5 * math.exp(h), 0.3) - j(1.5 * math.exp(-h), 0.3)) / (2 * h)
    d_beta = (j(1.5, 0.3 + h) - j(1.5, 0.3 - h)) / (2 * h)
    assert float(coefficients.raw["gamma"].grad) == pytest.approx(d_log_gamma, rel=1e-8)
    assert float(coefficients.raw["beta"].grad) == pytest.approx(d_beta, rel=1e-8)
    assert coefficients.current() == pytest.approx({"gamma": 1.5, "beta": 0.3}, rel=1e-15)


def test_the_hopf_cole_reference_solves_burgers_with_any_convection_coefficient():
    nu, convection, h = 0.02, 2.0, 1e-4
    x, t = np.meshgrid(np.linspace(-0.9, 0.9, 7), np.linspace(0.1, 0.5, 5), indexing="ij")

    def u(dx=0.0, dt=0.0):
        return hopf_cole_converged(x + dx, t + dt, nu, 1e-13, convection)

    u_t = (u(dt=h) - u(dt=-h)) / (2 * h)
    u_x = (u(dx=h) - u(dx=-h)) / (2 * h)
    u_xx = (u(dx=h) - 2 * u() + u(dx=-h)) / h**2
    residual = u_t + convection * u() * u_x - nu * u_xx
    assert np.abs(residual).max() < 1e-6 * np.abs(u_t).max()
    assert np.allclose(hopf_cole_converged(x, 0 * t, nu, 1e-13, convection), -np.sin(np.pi * x), atol=1e-12)
    reference = Burgers(nu=nu, convection=convection, t_max=0.5, reference_x_points=9, reference_t_points=4,
                        quadrature_tolerance=1e-12).reference()
    assert np.array_equal(reference.u, hopf_cole_converged(reference.inputs[:, 0], reference.inputs[:, 1], nu, 1e-12, convection))


def test_drawn_observations_are_reference_points_with_noise_of_the_stated_size():
    reference = KLEIN_GORDON.reference()
    clean = sample_observations(reference, 60, 0.0, np.random.default_rng(3))
    noisy = sample_observations(reference, 60, 0.01, np.random.default_rng(3))
    exact = clean.inputs[:, 0] * np.cos(clean.inputs[:, 1])
    assert np.abs(clean.u - exact).max() < 1e-15 and len({tuple(p) for p in clean.inputs}) == 60
    assert np.array_equal(noisy.inputs, clean.inputs)
    assert 0.002 < np.std(noisy.u - clean.u) / np.std(clean.u) < 0.02


def write_csv(path, rows, header=("x", "t", "u")):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_a_users_data_file_round_trips_as_npz_and_as_csv(tmp_path):
    observations = sample_observations(KLEIN_GORDON.reference(), 30, 0.0, np.random.default_rng(0))
    x, t, u = observations.inputs[:, 0], observations.inputs[:, 1], observations.u
    np.savez(tmp_path / "m.npz", x=x, t=t, u=u, note=np.zeros(30))
    write_csv(tmp_path / "m.csv", [(repr(float(a)), repr(float(b)), repr(float(c))) for a, b, c in zip(x, t, u)])
    for name in ("m.npz", "m.csv"):
        read = read_observations(tmp_path / name, ("x", "t"), KLEIN_GORDON.domain)
        assert np.array_equal(read.inputs, observations.inputs) and np.array_equal(read.u, u) and not read.synthetic


BAD_FILES = [
    ("missing.npz", None, r"no such file"),
    ("m.txt", "text", r"a \.npz or \.csv file, not \.txt"),
    ("m.npz", {"x": [0.1], "u": [1.0]}, r"no column \['t'\]; it has \['u', 'x'\], and needs \['x', 't', 'u'\]"),
    ("m.npz", {"x": [0.1, 0.2], "t": [0.5], "u": [1.0, 2.0]}, r"the columns \['x', 't', 'u'\] must be of one length; got shapes \{'x': \(2,\), 't': \(1,\), 'u': \(2,\)\}"),
    ("m.npz", {"x": [0.1, 0.2], "t": [0.5, np.nan], "u": [1.0, 2.0]}, r"1 rows hold NaN or infinity \(the first: data row 2\)"),
    ("m.npz", {"x": [0.1], "t": [0.5], "u": np.array([1.0 + 2.0j])}, r"array 'u' must be 1-D and real, got complex128 of shape \(1,\)"),
    ("m.csv", [("0.1", "0.5", "1"), ("1.5", "0.2", "0")], r"1 points lie outside the domain \[-1, 1\] × \[0, 1\] of \['x', 't'\] \(the first: data row 2, \(1\.5, 0\.2\)\)"),
    ("m.csv", [("0.1", "oops", "1")], r"data row 1 holds a value that is not a real number: '0\.1,oops,1'"),
    ("m.csv", [("0.1", "0.5", "1"), ("0.2", "0.5")], r"data row 2 has 2 values, the header names 3 columns"),
    ("m.csv", [], r"no measurements \(its header names \['x', 't', 'u'\], and no row follows\)"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_bad_data_files_are_refused_with_what_is_wrong(name, content, message, tmp_path):
    path = tmp_path / name
    if isinstance(content, dict):
        np.savez(path, **{key: value if np.iscomplexobj(value) else np.asarray(value, dtype=float) for key, value in content.items()})
    elif isinstance(content, list):
        write_csv(path, content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=rf"^inverse\.data: {re.escape(str(path))}: {message}$"):
        solve(*TINY_BURGERS, "inverse.parameters=[nu]", "inverse.positive=[nu]", f"inverse.data={path}")


REFUSED = [
    (["inverse.parameters=[kappa]"], "inverse.parameters: must be coefficients of Burgers, ['nu', 'convection'], got 'kappa'"),
    (["inverse.parameters=[t_max]"], "inverse.parameters: must be coefficients of Burgers"),
    (["inverse.parameters=[nu]"], "inverse.parameters: ['nu'] need measurements: set inverse.observations=N or inverse.data=FILE"),
    (["inverse.parameters=[nu]", "inverse.observations=10", "inverse.positive=[convection]"], "inverse.positive: must be among inverse.parameters ['nu'], got 'convection'"),
    (["inverse.parameters=[nu,convection]", "inverse.observations=10", "inverse.init=[0.1]"], "inverse.init: must be one value per parameter of ['nu', 'convection'], or empty, got [0.1]"),
    (["inverse.parameters=[convection]", "inverse.observations=10", "inverse.init=[1.0]"], "inverse.init: convection would start at 1, its true value; give inverse.init"),
    (["inverse.parameters=[nu]", "inverse.positive=[nu]", "inverse.observations=10", "inverse.init=[-0.1]"], "inverse.init: must be positive for nu"),
    (["inverse.observations=100000"], "inverse.observations: must be at most the reference grid's 363 points, got 100000"),
    (["inverse.noise=0.01"], "inverse.noise: adds noise to inverse.observations, which is 0"),
    (["inverse.observations=-1"], "inverse.observations: must be ≥ 0, got -1"),
    (["inverse.observations=5", "inverse.data=m.npz"], "inverse.data: measurements come from a file or are drawn"),
    (["+inverse.smoothness.a=0.1"], "inverse.smoothness: must be keyed by unknowns of the problem, ['u'], got 'a'"),
    (["+inverse.smoothness.u=-0.1"], "inverse.smoothness.u: must be ≥ 0, got -0.1"),
]


@pytest.mark.parametrize(("overrides", "message"), REFUSED)
def test_impossible_inverse_settings_are_refused_before_anything_runs(overrides, message, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    status, stderr = pinnsolve_in_process([*TINY_BURGERS, *overrides, f"hydra.run.dir={out}"], monkeypatch, capsys)
    assert status == 2 and message in stderr and stderr.count("\n") == 1, stderr
    assert not (out / "metrics.json").exists()


IDENTIFY_NU = ["inverse.parameters=[nu]", "inverse.positive=[nu]", "inverse.observations=200", "inverse.init=[0.01]"]


def test_an_inverse_run_writes_the_identified_coefficients_their_history_and_plot(tmp_path):
    solved = solve(*TINY_BURGERS, *IDENTIFY_NU, "trainer.quasi_newton.iterations=30", "plots=true", output_dir=tmp_path / "run")
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    nu = metrics["identified"]["nu"]
    assert set(nu) == {"value", "true", "abs_error", "rel_error"} and nu["true"] == 0.0031830988618379067  # conf/problem/burgers.yaml
    assert nu["rel_error"] == pytest.approx(abs(nu["value"] - nu["true"]) / nu["true"], rel=1e-12)
    assert nu["value"] != 0.01  # it moved
    with (tmp_path / "run" / "history.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert "nu" in rows[0] and "data" in rows[0]
    assert float(rows[0]["nu"]) == pytest.approx(0.01, rel=1e-12) and float(rows[-1]["nu"]) == pytest.approx(nu["value"], rel=1e-12)
    assert (tmp_path / "run" / "parameters.png").stat().st_size > 0
    assert metrics["rel_l2"] > 0 and "data" in metrics["loss_components"]
    # the coefficients are in model.pt: a loaded run predicts as the trained one and knows ν
    loaded = load(tmp_path / "run")
    assert float(loaded.model.coefficients.current()["nu"]) == pytest.approx(nu["value"], rel=1e-15)
    points = loaded.reference.inputs[:20]
    assert np.array_equal(loaded.predict(points), solved.predict(points))
    assert loaded.plot("parameters") is not None


@pytest.mark.parametrize(
    "setup",
    [
        ["activation=neuron_wise", "trainer=adam_lbfgs"],
        ["activation=raf", "network=resnet", "network.width=8", "trainer=adam_bfgs"],
        ["problem.hard_bc=true", "derivatives=jets", "sampler=sobol"],
    ],
    ids=["nlaaf-lbfgs", "raf-resnet-bfgs", "hard-bc-jets"],
)
def test_identification_works_with_every_kind_of_model_and_optimizer(setup):
    solution = solve(*TINY_BURGERS, *IDENTIFY_NU, "trainer.quasi_newton.iterations=10", *setup)
    history = [row["nu"] for row in solution.history]
    assert history[0] == pytest.approx(0.01, rel=1e-12) and len(set(history)) > 2  # moved in both phases
    assert solution.metrics["status"] == "completed"
    assert solution.metrics["iterations_quasi_newton"] > 0


def test_a_users_data_file_drives_an_inverse_run_with_no_true_value(tmp_path):
    reference = Burgers(nu=0.01 / math.pi, convection=1.0, t_max=1.0, reference_x_points=33, reference_t_points=11,
                        quadrature_tolerance=1e-12).reference()
    np.savez(tmp_path / "m.npz", x=reference.inputs[:, 0], t=reference.inputs[:, 1], u=reference.u)
    solution = solve(*TINY_BURGERS, "inverse.parameters=[nu]", "inverse.positive=[nu]", f"inverse.data={tmp_path / 'm.npz'}")
    assert solution.metrics["identified"]["nu"]["true"] is None and solution.metrics["identified"]["nu"]["rel_error"] is None
    assert solution.metrics["loss_components"]["data"] >= 0


def test_a_csv_saved_by_excel_with_a_byte_order_mark_reads_as_without(tmp_path):
    rows = [("0.1", "0.5", "1.5"), ("-0.3", "0.2", "2.5")]
    write_csv(tmp_path / "plain.csv", rows)
    (tmp_path / "excel.csv").write_bytes(b"\xef\xbb\xbf" + (tmp_path / "plain.csv").read_bytes())  # Excel's "CSV UTF-8"
    plain, excel = (read_observations(tmp_path / name, ("x", "t"), KLEIN_GORDON.domain) for name in ("plain.csv", "excel.csv"))
    assert np.array_equal(plain.inputs, excel.inputs) and np.array_equal(excel.u, [1.5, 2.5])


def test_noise_relative_to_a_spread_of_zero_is_refused():
    # one observation has no spread, so σ × std would add no noise at all
    with pytest.raises(ConfigError, match=r"^inverse\.noise: noise is relative to the measured values' standard deviation, which is 0 for \['u'\] \(1 observation of equal value\)"):
        solve(*TINY_BURGERS, "inverse.parameters=[nu]", "inverse.positive=[nu]", "inverse.observations=1", "inverse.noise=0.01")


class ExactPInv(nn.Module):
    """PInv's true (u, a) as a model of two outputs, differentiated exactly by autograd and jets alike."""

    activations = ()

    def forward(self, inputs):
        return PINV.exact(Points(inputs, ("x", "y")))


PINV = PoissonInv(corrected_source=True, noise=0.1, grid_points=4, eval_points=16)


def smoothness_loss(engine_name: str) -> tuple[PINNLoss, TrainingPoints]:
    inside = torch.as_tensor(np.random.default_rng(0).random((64, 2)))
    data = (inside[:10], ExactPInv()(inside[:10])[:, 0])
    loss = PINNLoss(PINV, engine(engine_name), data=data, data_unknowns=["u"], smoothness={"a": 0.25})
    boundary = torch.as_tensor([[0.0, 0.3], [1.0, 0.7], [0.2, 0.0], [0.9, 1.0]], dtype=torch.float64)
    return loss, TrainingPoints(inside, {Region.BOUNDARY: boundary})


def test_a_smoothness_prior_adds_lambda_times_the_mean_squared_gradient_and_stays_out_of_the_pde_loss():
    loss, points = smoothness_loss("autograd")
    assert loss.components == ("residual", "boundary_a", "data", "smoothness_a") and loss.penalised
    total, terms = loss(ExactPInv().double(), points)
    inside = points.residual
    # a = 1/(1 + r), r = x² + y² + (x − 1)² + (y − 1)²: ∂a/∂x = −(4x − 2)/(1 + r)², and so in y
    x, y = inside[:, 0], inside[:, 1]
    r = x**2 + y**2 + (x - 1) ** 2 + (y - 1) ** 2
    expected = (((4 * x - 2) ** 2 + (4 * y - 2) ** 2) / (1 + r) ** 4).mean()
    torch.testing.assert_close(terms["smoothness_a"], expected, rtol=1e-12, atol=0)
    assert all(float(terms[name].detach()) < 1e-26 for name in ("residual", "boundary_a", "data")), terms
    torch.testing.assert_close(total, 0.25 * expected + loss.pde_loss(terms), rtol=1e-12, atol=0)
    assert float(loss.pde_loss(terms).detach()) < 1e-26


def test_the_jets_compute_a_smoothness_prior_as_autograd_does():
    model = MLP(in_features=2, depth=2, width=8, activation=fixed("tanh"), low=(0.0, 0.0), high=(1.0, 1.0), out_features=2).double()
    (loss, points), (jets, _) = smoothness_loss("autograd"), smoothness_loss("jets")
    expected, got = loss(model, points)[1], jets(model, points)[1]
    assert list(got) == list(expected)
    for name in expected:
        torch.testing.assert_close(got[name], expected[name], rtol=1e-12, atol=1e-15)


def test_a_smoothness_prior_on_a_name_that_is_no_unknown_is_refused_by_the_loss():
    with pytest.raises(ValueError, match=r"^smoothness of \['b'\]: no such unknown; the unknowns are \['u', 'a'\]$"):
        PINNLoss(PINV, engine("autograd"), smoothness={"b": 1.0})


def test_a_run_with_a_smoothness_prior_records_it_and_the_loss_without_it(tmp_path):
    solution = solve("problem=poisson_inv", "experiment=none", "problem.grid_points=10", "problem.eval_points=100",
                     *TINY, "+inverse.smoothness.a=0.5")
    assert solution.history[0].keys() >= {"residual", "boundary_a", "data", "smoothness_a", "pde_loss"}
    last = solution.history[-1]
    assert last["loss"] == pytest.approx(last["pde_loss"] + 0.5 * last["smoothness_a"], rel=1e-12)
    assert set(solution.metrics["loss_components"]) == {"residual", "boundary_a", "data", "smoothness_a"}
