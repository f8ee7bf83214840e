"""Issue 25: adopt starts from the team's environment. Its dependency sources, lock and
Python requirement are read before anything is written; a pin the pipeline cannot live with
is refused in one line, with nothing written."""

from __future__ import annotations

import pytest
import tomllib
from packaging.specifiers import SpecifierSet

from scaffolder.errors import ScaffoldError
from scaffolder.state import load_state
from scaffolder.upgrade.adopt import adopt
from scaffolder.upgrade.team_env import compatible, narrowed, read_team_env

from .helpers import commit, snapshot
from .team_projects import ccds_project, kedro_project, uv_project


def test_the_three_shapes_are_read_with_their_sources_locks_and_python(tmp_path):
    ccds = read_team_env(ccds_project(tmp_path))
    assert {"loguru", "python-dotenv", "tqdm", "typer", "pandas"} <= ccds.names()
    assert ccds.requirement_files == ["requirements.txt"] and ccds.requires_python == "~=3.11.0"
    uv = read_team_env(uv_project(tmp_path))
    assert uv.lock == "uv" and uv.hashed == ["constraints.txt"] and uv.groups == ["test", "dev"]
    assert {"polars", "pytest", "hypothesis", "ipython", "mlflow"} <= uv.names()
    pins = {r.text for r in uv.requirements if r.source == "constraints.txt"}
    assert pins == {"polars==1.9.0", "scikit-learn==1.5.2"}  # hashes are no part of the pin
    kedro = read_team_env(kedro_project(tmp_path))
    assert kedro.dynamic_version and "kedro-datasets" in kedro.names() and kedro.lock is None


def test_setup_cfg_and_environment_yml_are_read_too(tmp_path):
    repo = tmp_path / "r"
    repo.mkdir()
    (repo / "setup.cfg").write_text(
        "[options]\ninstall_requires =\n    xgboost>=2\n    shap\n\n"
        "[options.extras_require]\ntest = pytest-cov\n"
    )
    (repo / "environment.yml").write_text(
        "dependencies:\n  - python=3.11\n  - conda-forge::lightgbm=4.5\n  - numpy==1.26.4=py311h1\n"
        "  - pip\n"
        "  - pip:\n    - mlflow<3\n"
    )
    texts = {r.text for r in read_team_env(repo).requirements}
    # conda's `=4.5` is every 4.5 release; a build string is no part of the version
    assert texts == {"xgboost>=2", "shap", "pytest-cov", "lightgbm==4.5.*", "numpy==1.26.4",
                     "mlflow<3"}  # fmt: skip


@pytest.mark.parametrize(
    ("team", "tool", "expected"),
    [("<3", ">=3.17,<4", False), (">=2.20,<3", ">=3.17,<4", False), (">=2.20", ">=3.17,<4", True),
     ("~=1.5.1", ">=1.5", True), ("==1.5.2", ">=1.6", False), ("!=3.17.0", ">=3.17,<3.17.1", True),
     ("", ">=3.17,<4", True)],
)  # fmt: skip
def test_two_ranges_are_compatible_when_a_version_satisfies_both(team, tool, expected):
    assert compatible(SpecifierSet(team), SpecifierSet(tool)) is expected


def test_a_range_is_narrowed_to_the_strongest_bounds():
    assert narrowed(SpecifierSet(">=2.20"), SpecifierSet(">=3.17,<4")) == SpecifierSet(">=3.17,<4")


@pytest.mark.parametrize(
    ("where", "pin", "said"),
    [
        ("requirements", "mlflow<3",
         "your requirements.txt pins `mlflow<3` and the pipeline needs `mlflow<4,>=3.17`; "
         "change it to `mlflow<4,>=3.17` in requirements.txt, then run `mlops-scaffold adopt` "
         "again"),
        ("uv", "mlflow>=2.20,<3",
         "your pyproject.toml pins `mlflow>=2.20,<3` and the pipeline needs `mlflow<4,>=3.17`; "
         "run `uv add 'mlflow<4,>=3.17'`, then run `mlops-scaffold adopt` again"),
    ],
)  # fmt: skip
def test_a_pin_the_pipeline_cannot_use_is_refused_in_one_line_with_nothing_written(
    tmp_path, where, pin, said
):
    if where == "uv":
        repo = uv_project(tmp_path, mlflow=pin)
    else:
        repo = ccds_project(tmp_path, requirements=f"-e .\nloguru\n{pin}\n")
    before = snapshot(repo)
    with pytest.raises(ScaffoldError) as refused:
        adopt(repo, 1, {}, defaults=True, interactive=False)
    assert str(refused.value) == said
    assert snapshot(repo) == before


def test_level_0_needs_no_mlflow_so_the_same_pin_adopts(tmp_path):
    repo = ccds_project(tmp_path, requirements="-e .\nmlflow<3\n")
    assert adopt(repo, 0, {}, defaults=True, interactive=False).conflicts == []


@pytest.mark.parametrize(
    ("requires", "recorded"), [(">=3.14", "3.14"), ("~=3.10.0", "3.10"), (">=3.11,<3.13", "3.11")]
)
def test_the_python_requirement_is_recorded_as_the_team_wrote_it(tmp_path, requires, recorded):
    repo = kedro_project(tmp_path)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'readme = "README.md"\n', f'readme = "README.md"\nrequires-python = "{requires}"\n'
    ))  # fmt: skip
    commit(repo)
    adopt(repo, 0, {}, defaults=True, interactive=False)
    assert load_state(repo).answers.python_version == recorded
    assert tomllib.loads(pyproject.read_text())["project"]["requires-python"] == requires


def test_a_python_requirement_the_templates_cannot_meet_is_refused(tmp_path):
    repo = kedro_project(tmp_path)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'readme = "README.md"\n', 'readme = "README.md"\nrequires-python = ">=3.15"\n'
    ))  # fmt: skip
    commit(repo)
    before = snapshot(repo)
    with pytest.raises(ScaffoldError, match=r"requires Python >=3\.15 and the templates support "
                       r"3\.10 to 3\.14"):  # fmt: skip
        adopt(repo, 0, {}, defaults=True, interactive=False)
    assert snapshot(repo) == before


def test_kedro_keeps_its_dynamic_version_and_pins(tmp_path):
    repo = kedro_project(tmp_path)
    adopt(repo, 1, {}, defaults=True, interactive=False)
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert "scikit-learn~=1.5.1" in project["dependencies"]


def test_adopted_level_2_brings_no_great_expectations(tmp_path):
    """Issue 25: GX (the churn example's data validation) was added as if the project were it."""
    repo = kedro_project(tmp_path)
    adopt(repo, 2, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    deps = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not [d for d in deps if d.startswith("great-expectations")]
    assert "mlops-scaffold-runtime[serving]>=1.2,<2" in deps


def test_a_group_pin_names_the_group_in_the_uv_command(tmp_path):
    from scaffolder.upgrade.team_env import conflicts, tool_requirements

    repo = uv_project(tmp_path)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"pytest>=8"', '"pytest<8"'))
    env = read_team_env(repo)
    needs = tool_requirements('[project.optional-dependencies]\ndev = ["pytest>=8"]\n')
    assert conflicts(env, needs) == [
        "your pyproject.toml [dependency-groups] test pins `pytest<8` and the pipeline needs "
        "`pytest>=8`; run `uv add --group test 'pytest>=8'`"
    ]


def test_a_one_line_dependencies_array_gets_the_pipeline_s_dependencies(tmp_path):
    """Issue 25 (found by the uv adoption run for real): `dependencies = ["pandas>=2.2", ...]`
    on one line kept the team's line alone -- the template's items carry comments a one-line
    array cannot hold -- so mlflow, the runtime and prometheus-client were never installed and
    `make test` failed on an import. Adopting, the array is written one item per line."""
    repo = kedro_project(tmp_path)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'dependencies = [\n    "ipython>=8.10",\n    "kedro~=0.19.10",\n    "scikit-learn~=1.5.1",\n]',
        'dependencies = ["ipython>=8.10", "scikit-learn~=1.5.1", "mlflow>=2.20"]  # our stack',
    ))  # fmt: skip
    commit(repo, "one line")
    adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    text = pyproject.read_text()
    wanted = tomllib.loads(text)["project"]["dependencies"]
    assert {"ipython>=8.10", "scikit-learn~=1.5.1", "prometheus-client>=0.20"} <= set(wanted)
    assert "mlflow<4,>=3.17" in wanted  # the team's range, cut to what the pipeline needs
    assert any(x.startswith("mlops-scaffold-runtime") for x in wanted)
    assert "]  # our stack\n" in text  # their comment stays


def test_an_interpreter_the_requirement_needs_and_path_lacks_is_named(monkeypatch):
    import shutil

    from scaffolder.upgrade.team_python import interpreter_notes

    monkeypatch.setattr(shutil, "which", lambda name: None)  # neither python3.14 nor python3
    assert interpreter_notes(">=3.14", "3.14") == [
        "your project needs Python >=3.14 and python3.14 is not on PATH: install it (e.g. "
        "`uv python install 3.14` or your system's package) before `make setup`"
    ]
