"""Published numbers that match the code: the defaults table (docs/results/defaults.md, and the
README's rows of it) and each row of the PINNacle table (docs/results/pinnacle.md, and the README's
rows of it) name the commit they were measured on, and the code that decides those numbers (the
training engine, the problems, the configs) must be as it was then. Change any of it and this fails
until `python benchmarks/defaults.py` or `python benchmarks/pinnacle.py` is rerun. The studies on
PINNacle's cases (the activations-on-PINNacle rows, the PINNacle-setup rows, the Heat 2d-LT section
of that page, and the network-size rows of docs/results/scaling.md) are pinned to their case's own
configs and modules only: they take hours to rerun, and no headline number comes from them."""
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import yaml

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


def own_files(problem: str) -> list[str]:
    """A problem's own settings and code: its problem and experiment configs and its module, with
    the configs and modules these pull in (Burgers 1d-C's experiment is Burgers'; NS 2d-C's module
    imports problems/navier_stokes.py)."""
    files: list[str] = []
    todo = [f"conf/problem/{problem}.yaml", f"conf/experiment/{problem}.yaml", f"problems/{problem}.py"]
    while todo:
        path = todo.pop()
        if path in files:
            continue
        files.append(path)  # kept when missing too: a file deleted since the commit shows in git's diff
        if not (REPO / path).exists():
            continue
        text = (REPO / path).read_text()
        if path.endswith(".yaml"):
            included = (yaml.safe_load(text) or {}).get("defaults") or []
            todo += [f"conf{entry}.yaml" for entry in included
                     if isinstance(entry, str) and re.fullmatch(r"/(problem|experiment)/\w+", entry)]
        else:
            todo += [f"problems/{name}.py" for name in re.findall(r"^from \.(\w+) import", text, re.M)]
    return files


def engine_of(problems: set[str]) -> list[str]:
    """What the numbers of ``problems`` depend on, as git pathspecs: the engine, less the problem
    and experiment configs of the other problems (a problem's own settings change no other's numbers)."""
    for path in ENGINE:
        assert (REPO / path).exists(), f"{path} is gone: update ENGINE"
    kept = {path for problem in problems for path in own_files(problem)}
    others = [path.relative_to(REPO).as_posix() for group in ("problem", "experiment")
              for path in sorted((REPO / "conf" / group).glob("*.yaml"))]
    return [*ENGINE, *NOT_ENGINE, *(f":(exclude){path}" for path in others if path not in kept)]


def section(page: Path, name: str) -> str:
    return page.read_text().split(f"<!-- results:{name}:begin -->")[1].split(f"<!-- results:{name}:end -->")[0]


def test_the_readmes_headline_rows_are_the_defaults_tables():
    table = section(REPO / "docs" / "results" / "defaults.md", "defaults")
    headline = section(REPO / "README.md", "headline")
    def cells(line: str) -> list[str]:
        return [cell.strip() for cell in line.strip().strip("|").split("|")]

    rows = [cells(line) for line in headline.splitlines() if line.startswith("| ") and not line.startswith("| problem")]
    assert len(rows) >= 3
    full = {cells(line)[0]: cells(line) for line in table.splitlines() if line.startswith("| ")}
    # both tables round the runs' errors themselves (rounding the full table's 4.85e-07 again would give 4.9e-07, not 4.8e-07)
    runs = {problem: [m["rel_l2"] for m in entry["runs"]]
            for problem, entry in json.loads((REPO / "benchmarks" / "results" / "defaults.json").read_text()).items()}
    for problem, mean, worst, *_ in rows:
        errors = runs[problem]
        assert f"{sum(errors) / len(errors):.2e}" == full[problem][2] and f"{max(errors):.2e}" == full[problem][3], problem
        assert f"{sum(errors) / len(errors):.1e}" == mean and f"{max(errors):.1e}" == worst, problem
    assert re.search(r"commit ([0-9a-f]{7,40})", headline).group(1) in table


def test_the_defaults_table_was_measured_on_the_engine_as_it_is():
    table = section(REPO / "docs" / "results" / "defaults.md", "defaults")
    measured = re.search(r"commit ([0-9a-f]{7,40}(?:\+changes)?)", table)
    assert measured, "the defaults table names no commit"
    problems = {line.split("|")[1].strip() for line in table.splitlines() if line.startswith("| ")}
    unchanged_since(measured.group(1), engine_of(problems), "the defaults table",
                    "python benchmarks/defaults.py")


def unchanged_since(commit: str, files: list[str], what: str, rerun: str) -> None:
    """``files`` (git pathspecs) are as they were at ``commit``, which holds no uncommitted changes."""
    assert not commit.endswith("+changes"), f"{what} was measured on uncommitted changes"
    changed = subprocess.run(["git", "diff", "--name-only", commit, "--", *files], cwd=REPO, capture_output=True, text=True)
    assert changed.returncode == 0, f"git cannot compare with commit {commit}: {changed.stderr.strip()}"
    assert changed.stdout == "", f"{what} was measured at {commit}, and since then {', '.join(changed.stdout.split())} changed: rerun {rerun}"


def test_each_pinnacle_row_was_measured_on_the_engine_and_its_cases_settings_as_they_are():
    results = json.loads((REPO / "benchmarks" / "results" / "pinnacle.json").read_text())
    table = section(REPO / "docs" / "results" / "pinnacle.md", "pinnacle")
    assert results, "benchmarks/results/pinnacle.json holds no case"
    for key, entry in results.items():
        assert entry["commit"] in table and entry["command"] in table, f"{key}'s row is not the one pinnacle.json holds"
        unchanged_since(entry["commit"], engine_of({entry["runs"][0]["problem"]}), f"{key}'s row",
                        f"python benchmarks/pinnacle.py {key}")


def test_each_activation_row_on_pinnacle_was_measured_on_its_case_and_activation_as_they_are():
    results = json.loads((REPO / "benchmarks" / "results" / "pinnacle_activations.json").read_text())
    table = section(REPO / "docs" / "results" / "pinnacle.md", "pinnacle-activations")
    assert results, "benchmarks/results/pinnacle_activations.json holds no case"
    for key, variants in results.items():
        assert "fixed" in variants, f"{key} has no tanh row to compare with"
        for variant, entry in variants.items():
            seeds = ", ".join(f"{m['seed']}{'' if m['status'] == 'completed' else ' ' + m['status']}" for m in entry["runs"])
            rows = [line for line in table.splitlines() if f"| {variant} |" in line and f"| {seeds} |" in line and entry["commit"] in line]
            assert rows, f"{key} {variant}'s row is not the one the .json holds"
            for m in entry["runs"]:
                unchanged_since(m.get("commit", entry["commit"]), [*own_files(m["problem"]), f"conf/activation/{variant}.yaml"],
                                f"{key} {variant} seed {m['seed']}", f"python benchmarks/pinnacle_activations.py {key} --variants {variant}")


def test_the_heat2d_lt_section_was_measured_on_the_case_as_it_is():
    results = json.loads((REPO / "benchmarks" / "results" / "heat2d_lt.json").read_text())
    text = section(REPO / "docs" / "results" / "pinnacle.md", "heat2d-lt")
    assert results["commit"] in text and results["window"]["command"] in text
    unchanged_since(results["commit"], own_files("heat2d_lt"), "heat2d_lt", "python benchmarks/heat2d_lt.py")


def each_run_pinned(name: str, page: str, marker: str, files: Callable[[dict], list[str]], rerun: str) -> None:
    """Each (case, variant) entry of benchmarks/results/NAME.json is the row of ``page``'s ``marker``
    section that names its commit and command, and each run's ``files`` are as they were at the
    commit that run was measured on; ``rerun`` (with CASE and VARIANT filled in) is the command that mends it."""
    results = json.loads((REPO / "benchmarks" / "results" / f"{name}.json").read_text())
    table = section(REPO / "docs" / "results" / page, marker)
    assert results, f"benchmarks/results/{name}.json holds no case"
    for key, variants in results.items():
        for variant, entry in variants.items():
            assert entry["commit"] in table and entry["command"] in table, f"{key} {variant}'s row is not the one the .json holds"
            for m in entry["runs"]:
                unchanged_since(m.get("commit", entry["commit"]), files(m), f"{key} {variant} seed {m['seed']}",
                                rerun.replace("CASE", key).replace("VARIANT", variant))


def test_each_pinnacle_setup_row_was_measured_on_the_setup_as_it_is():
    each_run_pinned("pinnacle_setup", "pinnacle.md", "pinnacle-setup",
                    # the setup stands in for the case's own experiment
                    lambda m: [*(path for path in own_files(m["problem"]) if not path.startswith("conf/experiment/")),
                               "conf/experiment/pinnacle/setup.yaml", "conf/activation"],
                    "python benchmarks/pinnacle_setup.py CASE --methods VARIANT")


def test_each_pinv_smoothness_row_was_measured_on_the_case_as_it_is():
    each_run_pinned("pinv_smoothness", "pinnacle.md", "pinv-smoothness", lambda m: own_files(m["problem"]),
                    "python benchmarks/pinv_smoothness.py --rows VARIANT")


def test_each_network_size_row_was_measured_on_its_case_as_it_is():
    each_run_pinned("network_size", "scaling.md", "network-size", lambda m: own_files(m["problem"]),
                    "python benchmarks/network_size.py CASE --variants VARIANT")


def test_each_ns2d_c_taper_row_was_measured_on_the_case_as_it_is():
    each_run_pinned("ns2d_c_corners", "pinnacle.md", "ns2d-c-corners", lambda m: own_files("ns2d_c"),
                    "python benchmarks/ns2d_c_corners.py --radii VARIANT")
