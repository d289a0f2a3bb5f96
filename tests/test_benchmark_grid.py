"""The comparison grids' results file: a rerun of some seeds replaces those seeds' runs and keeps
the others, each run naming the commit it was measured on."""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def benchmarks_common():
    spec = importlib.util.spec_from_file_location("benchmarks_common", REPO / "benchmarks" / "common.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def entry(commit: str, seeds: list[int], command: str = "pinnsolve problem=ns2d_c seed=S") -> dict:
    return {"commit": commit, "machine": f"machine at {commit}", "command": command,
            "runs": [{"seed": s, "rel_l2": 0.1 * (s + 1), "from": commit} for s in seeds]}


def test_a_rerun_of_some_seeds_keeps_the_others_with_their_commit():
    merged = benchmarks_common().merged(entry("aaa1111", [0, 1, 2]), entry("bbb2222", [1, 2]))
    assert [(m["seed"], m["from"], m["commit"]) for m in merged["runs"]] == [
        (0, "aaa1111", "aaa1111"), (1, "bbb2222", "bbb2222"), (2, "bbb2222", "bbb2222")]
    assert merged["commit"] == "aaa1111, bbb2222"
    assert merged["machine"] == "machine at aaa1111; machine at bbb2222"


def test_a_changed_command_replaces_every_seed():
    merged = benchmarks_common().merged(entry("aaa1111", [0, 1, 2]), entry("bbb2222", [1], command="pinnsolve other seed=S"))
    assert [(m["seed"], m["commit"]) for m in merged["runs"]] == [(1, "bbb2222")]
    assert merged["commit"] == "bbb2222"


def test_the_error_at_a_cases_singular_points_is_told_apart_from_the_rest(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    import pinnacle

    # nodes: on the corner (0, 1), 0.005 from it, in the middle, on the corner (1, 1); u off by 3 on
    # the first corner and by 1 in the middle, p exact
    np.savez(tmp_path / "prediction.npz", inputs=np.array([[0.0, 1.0], [0.005, 1.0], [0.5, 0.5], [1.0, 1.0]]),
             u_pred=np.array([4.0, 1.0, 2.0, 1.0]), u_ref=np.ones(4), p_pred=np.zeros(4), p_ref=np.zeros(4))
    on, within = pinnacle.near_points(tmp_path, ((0.0, 1.0), (1.0, 1.0)))
    assert (on["radius"], on["nodes"], within["radius"], within["nodes"]) == (0.0, 2, 0.01, 3)
    assert abs(on["error_share"] - 0.9) < 1e-12 and abs(within["error_share"] - 0.9) < 1e-12
    assert abs(on["rel_l2_elsewhere"] - np.sqrt(1 / 2)) < 1e-12  # error 1 over the reference's norm² 1 + 1
    assert abs(within["rel_l2_elsewhere"] - 1.0) < 1e-12


def test_the_corners_script_runs_the_case_with_its_taper_set_and_without(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    import ns2d_c_corners

    assert ns2d_c_corners.command(None, "none") == ["problem=ns2d_c", "trainer.residual_taper.points=[]"]
    tapered = ns2d_c_corners.command(None, "0.02")
    assert tapered == ["problem=ns2d_c", "trainer.residual_taper.points=[[0,1],[1,1]]", "trainer.residual_taper.radius=0.02"]
    assert ns2d_c_corners.quoted("pinnsolve " + " ".join(tapered) + " seed=S") == (
        "pinnsolve problem=ns2d_c 'trainer.residual_taper.points=[[0,1],[1,1]]' trainer.residual_taper.radius=0.02 seed=S")


def test_the_pressure_script_fits_the_corner_log_law_and_finds_where_it_meets_the_corner_node(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    import ns2d_c_pressure

    # a graded grid on [0, 1]², p = 0.08 ln r + 0.1 on the lid and on the wall near (0, 1), and on the
    # corner node the law's value at r = 2e-3
    ticks = np.unique(np.concatenate([np.geomspace(4e-3, 1.0, 40), [0.0], 1 - np.geomspace(4e-3, 1.0, 40)]))
    x, y = (a.ravel() for a in np.meshgrid(ticks, ticks))
    r = np.hypot(x, 1 - y)
    p = np.where(r > 0, 0.08 * np.log(np.where(r > 0, r, 1.0)) + 0.1, 0.08 * np.log(2e-3) + 0.1)
    law = ns2d_c_pressure.corner_law(x, y, p, (0.0, 1.0))
    assert abs(law["a"] - 0.08) < 1e-12 and abs(law["b"] - 0.1) < 1e-12 and law["rms"] < 1e-12
    assert abs(law["meets_at"] - 2e-3) < 1e-12
    assert law["nodes"] == 2 * np.sum((ticks > 0) & (ticks <= 0.1))


def test_the_pressure_script_reads_the_tables_runs_and_refuses_others(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    import ns2d_c_pressure

    measured = json.loads((REPO / "benchmarks" / "results" / "pinnacle.json").read_text())["ns2d_c"]
    # on each run's nodes, p_pred = p_ref + 0.1 except on the corner (0, 1), off by 0.3
    inputs = np.array([[0.0, 1.0], [0.004, 1.0], [0.008, 1.0], [0.012, 1.0], [0.5, 0.5],
                       [0.988, 1.0], [0.992, 1.0], [0.996, 1.0], [1.0, 1.0]])
    reference = np.linspace(-0.4, 0.6, len(inputs))
    for run in measured["runs"]:
        folder = tmp_path / f"seed_{run['seed']}"
        folder.mkdir()
        (folder / "metrics.json").write_text(json.dumps({"rel_l2": run["rel_l2"]}))
        np.savez(folder / "prediction.npz", inputs=inputs, p_ref=reference, p_pred=reference + np.where(np.arange(9) == 0, 0.3, 0.1))
    text = ns2d_c_pressure.predictions(tmp_path)
    assert measured["commit"] in text
    row = next(line for line in text.splitlines() if line.startswith("| 0 |"))
    assert "-0.100 (-0.400) on (0, 1), -0.175 (-0.275), -0.050 (-0.150), +0.075 (-0.025) next to it" in row
    assert "+0.700 (+0.600) on (1, 1), +0.575 (+0.475), +0.450 (+0.350), +0.325 (+0.225) next to it" in row

    (tmp_path / "seed_1" / "metrics.json").write_text(json.dumps({"rel_l2": 0.5}))
    with pytest.raises(SystemExit, match="not the table's run"):
        ns2d_c_pressure.predictions(tmp_path)
