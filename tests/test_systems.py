"""Systems of equations: several named unknowns, each engine against autograd at 1e-12 in float64,
hard constraints per unknown, and the errors and files of a run of several unknowns."""
import json

import numpy as np
import pytest
import torch

from conftest import evaluate, tiny_config, up_to_second
from pinnsolve.nn.activations import fixed
from pinnsolve.assemble import assemble
from pinnsolve.conditions import Region, dirichlet
from pinnsolve.nn.constraints import HardDirichlet
from pinnsolve.derivatives import Field, Points
from pinnsolve.geometry import Box
from pinnsolve.train.loss import PINNLoss, ResidualTaper, TrainingPoints
from pinnsolve import derivatives
from pinnsolve.nn.network import MLP, PerUnknown
from pinnsolve.problem import Problem, Reference
from pinnsolve.run import run

VARIABLES = ("x", "y", "t")
UNKNOWNS = ("u", "v", "p")


def mlp(outputs=3, seed=0, depth=2):
    torch.manual_seed(seed)
    return MLP(in_features=3, depth=depth, width=8, activation=fixed("tanh"), low=(0.0, 0.0, 0.0), high=(1.0, 2.0, 1.0),
               out_features=outputs).double()


def inputs(n=30, seed=1):
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(n, 3, dtype=torch.float64, generator=generator) * torch.tensor([1.0, 2.0, 1.0])


def test_jets_give_every_unknowns_derivatives_as_autograd_does():
    model, x = mlp(), inputs()
    by_jets = evaluate(model, x, VARIABLES, "jets", unknowns=UNKNOWNS)
    by_autograd = evaluate(model, x, VARIABLES, "autograd", unknowns=UNKNOWNS)
    for key in up_to_second(3):
        for got, want in zip(_all(by_jets, key), _all(by_autograd, key)):
            torch.testing.assert_close(got, want, atol=1e-12, rtol=1e-12)


def test_compiled_jets_give_every_unknowns_derivatives_as_autograd_does():
    """In two variables and one hidden layer: what compiling adds is the same for any size, and
    a small graph compiles in a few seconds."""
    torch.manual_seed(0)
    model = MLP(in_features=2, depth=1, width=8, activation=fixed("tanh"), low=(0.0, 0.0), high=(1.0, 2.0), out_features=3).double()
    x, variables, keys = inputs()[:, :2], ("x", "y"), sorted(up_to_second(2))

    def every_derivative(points, engine="jets"):
        f = evaluate(model, points, variables, engine, unknowns=UNKNOWNS)
        return [f.d(unknown, *(variables[i] for i in key)) for key in keys for unknown in UNKNOWNS]

    compiled = derivatives.engine("compiled").prepare(every_derivative)
    for got, want in zip(compiled(x), every_derivative(x, "autograd")):
        torch.testing.assert_close(got, want, atol=1e-12, rtol=1e-12)


def _all(field, key):
    names = [VARIABLES[i] for i in key]
    return [field.d(unknown, *names) for unknown in UNKNOWNS]


def test_the_unknowns_are_the_networks_columns_and_a_field_names_them():
    model, x = mlp(), inputs()
    f = evaluate(model, x, VARIABLES, "autograd", unknowns=UNKNOWNS)
    outputs = model(x)
    for i, name in enumerate(UNKNOWNS):
        torch.testing.assert_close(f[name], outputs[:, i], atol=0, rtol=0)
    torch.testing.assert_close(f["y"], x[:, 1], atol=0, rtol=0)
    with pytest.raises(KeyError, match=r"this field has unknowns \['u', 'v', 'p'\]; name the one meant"):
        f.d("x")
    with pytest.raises(KeyError, match="name the one meant"):
        _ = f.u
    with pytest.raises(ValueError, match=r"unknowns and variables must have distinct names; \['x'\]"):
        Field(x, outputs, VARIABLES, ("x", "v", "p"))


def test_one_network_per_unknown_joins_their_outputs_and_jets_follow():
    networks = [mlp(outputs=1, seed=s) for s in range(3)]
    model, x = PerUnknown(networks), inputs()
    joined = torch.cat([network(x) for network in networks], dim=1)
    torch.testing.assert_close(model(x), joined, atol=0, rtol=0)
    by_jets = evaluate(model, x, VARIABLES, "jets", unknowns=UNKNOWNS)
    by_autograd = evaluate(model, x, VARIABLES, "autograd", unknowns=UNKNOWNS)
    for key in up_to_second(3):
        for got, want in zip(_all(by_jets, key), _all(by_autograd, key)):
            torch.testing.assert_close(got, want, atol=1e-12, rtol=1e-12)
    assert len(model.activations) == 3 * 2


def test_hard_constraints_apply_to_the_unknowns_that_have_boundary_values_only():
    box = Box(("x", "y"), (0.0, 0.0), (1.0, 2.0))

    def lid(p):
        return torch.sin(p["x"]) + p["y"] ** 2

    torch.manual_seed(0)
    network = MLP(in_features=2, depth=2, width=8, activation=fixed("tanh"), low=box.low, high=box.high, out_features=3).double()
    model = HardDirichlet(network, box, UNKNOWNS, {"u": lid, "v": None})
    on_boundary = torch.as_tensor(box.boundary(lambda n, k: np.random.default_rng(0).random((n, k)), 200))
    outputs = model(on_boundary)
    torch.testing.assert_close(outputs[:, 0], lid(Points(on_boundary, box.variables)), atol=1e-13, rtol=0)
    assert outputs[:, 1].abs().max() < 1e-15
    torch.testing.assert_close(outputs[:, 2], network(on_boundary)[:, 2], atol=0, rtol=0)  # p is free
    x = on_boundary * 0.5 + 0.25
    for engine in ("jets",):
        got = evaluate(model, x, ("x", "y"), engine, unknowns=UNKNOWNS)
        want = evaluate(model, x, ("x", "y"), "autograd", unknowns=UNKNOWNS)
        for unknown in UNKNOWNS:
            for names in [(), ("x",), ("y",), ("x", "x"), ("x", "y"), ("y", "y")]:
                torch.testing.assert_close(got.d(unknown, *names), want.d(unknown, *names), atol=1e-12, rtol=1e-12)


class Swirl(Problem):
    """A 2-unknown linear system with a closed form: u = sin x cos y, v = −cos x sin y solve
    u_x + v_y = 0 and Δu + 2u = 0, Δv + 2v = 0 (a test of several equations and unknowns)."""

    unknowns = ("u", "v")

    @property
    def domain(self):
        return Box(("x", "y"), (0.0, 0.0), (1.0, 1.0))

    def exact(self, p):
        return torch.stack([torch.sin(p["x"]) * torch.cos(p["y"]), -torch.cos(p["x"]) * torch.sin(p["y"])], dim=1)

    @property
    def conditions(self):
        return (dirichlet("u_wall", Region.BOUNDARY, lambda p: self.exact(p)[:, 0], unknown="u"),
                dirichlet("v_wall", Region.BOUNDARY, lambda p: self.exact(p)[:, 1], unknown="v"))

    def residual(self, f):
        return {"divergence": f.d("u", "x") + f.d("v", "y"),
                "helmholtz_u": f.laplacian(("x", "y"), of="u") + 2 * f["u"],
                "helmholtz_v": f.laplacian(("x", "y"), of="v") + 2 * f["v"]}

    def reference(self):
        x = np.random.default_rng(0).random((50, 2))
        return Reference(x, self.exact(Points(torch.as_tensor(x), ("x", "y"))).numpy(), None, self.unknowns)


class ExactSwirl(torch.nn.Module):
    activations = ()

    def forward(self, x):
        return Swirl().exact(Points(x, ("x", "y")))


@pytest.mark.parametrize("engine", ["autograd", "jets"])
def test_a_systems_equations_are_loss_terms_of_their_own_and_vanish_at_the_exact_solution(engine):
    problem = Swirl()
    loss = PINNLoss(problem, derivatives.engine("autograd"), weights={"helmholtz_v": 3.0})
    assert loss.components == ("divergence", "helmholtz_u", "helmholtz_v", "u_wall", "v_wall")
    rng = np.random.default_rng(0)
    points = TrainingPoints(torch.as_tensor(rng.random((40, 2))),
                            {Region.BOUNDARY: torch.as_tensor(problem.domain.boundary(lambda n, k: rng.random((n, k)), 20))})
    total, terms = loss(ExactSwirl(), points)
    assert all(float(v) < 1e-28 for v in terms.values()), terms
    # a wrong field: each equation's own term, weighted by its own weight
    model = MLP(in_features=2, depth=2, width=8, activation=fixed("tanh"), low=(0.0, 0.0), high=(1.0, 1.0), out_features=2).double()
    wrong = PINNLoss(problem, derivatives.engine(engine), weights={"helmholtz_v": 3.0})
    total, terms = wrong(model, points)
    expected = sum(terms[name] * (3.0 if name == "helmholtz_v" else 1.0) for name in terms)
    torch.testing.assert_close(total, expected, atol=1e-14, rtol=1e-14)


def test_the_residual_taper_is_the_distance_to_the_nearest_point_over_the_radius_up_to_one():
    corners = ResidualTaper(((0.0, 1.0), (1.0, 1.0)), radius=0.1)
    at = torch.tensor([[0.0, 1.0], [0.03, 0.96], [0.5, 0.5], [1.0, 0.95], [0.94, 1.0], [0.5, 1.0]], dtype=torch.float64)
    torch.testing.assert_close(corners(at), torch.tensor([0.0, 0.5, 1.0, 0.5, 0.6, 1.0], dtype=torch.float64), rtol=1e-14, atol=1e-15)
    # every variable counts, time too: (0.3, 0.4, 0) is 0.5 from the origin, (0.3, 0.4, 1.2) is 1.3
    origin = ResidualTaper(((0.0, 0.0, 0.0),), radius=1.0)
    torch.testing.assert_close(origin(torch.tensor([[0.3, 0.4, 0.0], [0.3, 0.4, 1.2]], dtype=torch.float64)),
                               torch.tensor([0.5, 1.0], dtype=torch.float64), rtol=1e-14, atol=0)


@pytest.mark.parametrize("engine", ["autograd", "jets", "compiled"])
def test_a_tapered_loss_weights_each_equations_residual_and_the_residual_a_sampler_scores(engine):
    problem = Swirl()
    model = MLP(in_features=2, depth=2, width=8, activation=fixed("tanh"), low=(0.0, 0.0), high=(1.0, 1.0), out_features=2).double()
    rng = np.random.default_rng(0)
    # half the points within 0.2 (0.14·√2) of the corner (0, 0), where the weight is below 1
    interior = np.concatenate([0.14 * rng.random((20, 2)), rng.random((20, 2))])
    points = TrainingPoints(torch.as_tensor(interior),
                            {Region.BOUNDARY: torch.as_tensor(problem.domain.boundary(lambda n, k: rng.random((n, k)), 20))})
    taper = ResidualTaper(((0.0, 0.0),), radius=0.2)
    plain = PINNLoss(problem, derivatives.engine("autograd"))
    tapered = PINNLoss(problem, derivatives.engine(engine), taper=taper)
    weight = taper(points.residual)
    assert 0 < float(weight.min()) and float(weight[:20].max()) < 1
    field = plain.engine.field(model, points.residual, problem.variables, problem.unknowns, plain.keys[None])
    equations = problem.equations(field)
    _, terms = tapered(model, points)
    _, plain_terms = plain(model, points)
    for name, r in equations.items():
        torch.testing.assert_close(terms[name], (weight * r).square().mean(), rtol=1e-12, atol=0)
        assert float(terms[name]) < float(plain_terms[name])
    for condition in ("u_wall", "v_wall"):  # the conditions are not tapered
        torch.testing.assert_close(terms[condition], plain_terms[condition], rtol=1e-12, atol=0)
    torch.testing.assert_close(tapered.residual(model, points.residual), weight * plain.residual(model, points.residual),
                               rtol=1e-12, atol=0)


def test_the_configs_taper_reaches_the_loss_and_none_is_the_default():
    tapered = assemble(tiny_config("kovasznay", "trainer.residual_taper.points=[[0,0],[1,0.5]]", "trainer.residual_taper.radius=0.3"))
    assert tapered.trainer.loss.taper == ResidualTaper(((0.0, 0.0), (1.0, 0.5)), 0.3)
    assert assemble(tiny_config("kovasznay")).trainer.loss.taper is None


def test_a_run_of_a_system_writes_every_unknown_and_scores_them_together_and_apart(tmp_path):
    cfg = tiny_config("kovasznay", "plots=true")
    finished = run(cfg, tmp_path)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["unknowns"] == ["u", "v", "p"]
    saved = np.load(tmp_path / "prediction.npz")
    predicted = np.stack([saved[f"{n}_pred"] for n in "uvp"], axis=1)
    reference = np.stack([saved[f"{n}_ref"] for n in "uvp"], axis=1)
    np.testing.assert_allclose(predicted, finished.predicted, rtol=0, atol=0)
    together = np.linalg.norm(predicted - reference) / np.linalg.norm(reference)
    assert metrics["rel_l2"] == pytest.approx(together, rel=1e-12)
    for i, name in enumerate("uvp"):
        alone = np.linalg.norm(predicted[:, i] - reference[:, i]) / np.linalg.norm(reference[:, i])
        assert metrics["per_unknown"][name]["rel_l2"] == pytest.approx(alone, rel=1e-12)
    assert set(metrics["loss_components"]) == {"momentum_x", "momentum_y", "continuity", "wall_u", "wall_v", "outlet_p",
                                               "outlet_u", "outlet_v"}
    assert (tmp_path / "solution.png").stat().st_size > 10_000


def test_a_system_with_the_hard_constraint_and_one_network_per_unknown_runs():
    parts = assemble(tiny_config("poisson_inv", "problem.hard_bc=true", "network.per_unknown=true"))
    assert isinstance(parts.model.network, PerUnknown)
    assert parts.model.constrained == (False, True)  # a = a_true on the boundary; u has no condition
    assert "boundary_a" not in parts.trainer.loss.components


def test_a_problem_object_takes_no_field_overrides_and_no_problem_choice():
    from pinnsolve.api import compose_config
    from pinnsolve.config import ConfigError

    problem = Swirl()
    with pytest.raises(ConfigError, match=r"^problem: give the problem object or a problem= override, not both$"):
        compose_config("problem=poisson", problem=problem)
    with pytest.raises(ConfigError, match=r"^problem.nu: the problem object holds its own values; set them on the object"):
        compose_config("problem.nu=0.1", problem=problem)
    with pytest.raises(ConfigError, match=r"^problem: Swirl is not a dataclass; declare it with @dataclass\(frozen=True\)$"):
        compose_config(problem=problem)
