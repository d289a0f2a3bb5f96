"""The documentation agrees with the code: the config reference page is what the schemas and the
config files give, it names every key a composed config has, and the README's links lead to pages
that exist. (`mkdocs build --strict` in .ci/run checks the site's own links and anchors.)"""
import re
from pathlib import Path

import pytest
from omegaconf import DictConfig

from conftest import load_config
from pinnsolve import config_reference

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "docs" / "reference" / "config.md"


@pytest.fixture(scope="module")
def generated() -> str:
    return config_reference.markdown()


def test_the_config_reference_page_is_what_the_schemas_give(generated):
    assert PAGE.read_text() == generated, "run python -m pinnsolve.config_reference docs/reference/config.md"


def keys(node: DictConfig, prefix: str = "") -> list[str]:
    out = []
    for name, value in node.items():
        dotted = f"{prefix}{name}"
        out += keys(value, f"{dotted}.") if isinstance(value, DictConfig) and value else [dotted]
    return out


@pytest.mark.parametrize("group", ["problem", "activation"])
def test_the_config_reference_names_every_key_of_every_option(generated, group):
    options = sorted(path.stem for path in (REPO / "conf" / group).glob("*.yaml"))
    assert options
    for option in options:
        cfg = load_config(f"{group}={option}", "experiment=none")
        section = generated.split(f"### `{group}={option}`")[1].split("\n### ")[0].split("\n## ")[0]
        for key in keys(cfg[group], f"{group}."):
            if key not in (f"{group}.name", f"{group}._target_"):
                assert f"| `{key}` |" in section, f"{group}={option}: {key}"


def test_the_config_reference_names_every_key_of_the_other_groups(generated):
    cfg = load_config("experiment=none")
    for name in cfg:
        if name in ("problem", "activation", "hydra"):
            continue
        for key in keys(cfg[name], f"{name}.") if isinstance(cfg[name], DictConfig) else [name]:
            if not key.startswith("trainer.loss_weights."):
                assert f"| `{key}` |" in generated, key


def test_every_rule_in_the_reference_is_the_one_validate_enforces(tmp_path):
    # a rule's text is what a refusal says: one key's, end to end
    from pinnsolve.config import ConfigError, validate

    with pytest.raises(ConfigError, match=r"^trainer\.adam\.decay_rate: must be in \(0, 1\], got 1\.5$"):
        validate(load_config("trainer.adam.decay_rate=1.5"))
    assert "| `trainer.adam.decay_rate` | float | `" in PAGE.read_text()
    assert "| in (0, 1] |" in PAGE.read_text().split("`trainer.adam.decay_rate`")[1].split("\n")[0]


def test_the_readmes_links_lead_to_pages_that_exist():
    readme = (REPO / "README.md").read_text()
    links = re.findall(r"\]\((?!https?://)([^)#]+)", readme)
    assert links
    for link in links:
        assert (REPO / link).is_file(), link
    assert len(readme.splitlines()) <= 150


def test_the_python_api_walkthrough_runs_cell_by_cell_as_written(tmp_path, monkeypatch, capsys):
    page = (REPO / "docs" / "tutorials" / "python-api.md").read_text()
    walkthrough = page.split("<!-- walkthrough:begin -->")[1].split("<!-- walkthrough:end -->")[0]
    cells = re.findall(r"```python\n(.*?)```", walkthrough, re.S)
    assert len(cells) == 6
    monkeypatch.chdir(tmp_path)  # the cells write loss.png and outputs/ where they run
    namespace: dict = {}
    for cell in cells:
        exec(compile(cell, "python-api.md", "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("completed ") and float(printed[0].split()[1]) < 0.1
    assert printed[-1] == "True True"  # the loaded run predicts as the saved one did
    assert (tmp_path / "loss.png").stat().st_size > 0 and (tmp_path / "outputs" / "api" / "poisson" / "metrics.json").is_file()
