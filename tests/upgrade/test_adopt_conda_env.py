"""Issue 25: a team whose environment is an `environment.yml` (as cookiecutter-data-science's
conda option writes it). `make setup` makes a venv, not a conda environment: it installs the
pip list as written and the conda packages by their PyPI names, says which conda packages are
no Python package there and are left out, and the tested pins their versions exclude are
left to theirs."""

from __future__ import annotations

from pathlib import Path

from scaffolder.upgrade.adopt import adopt

from .helpers import commit, git
from .test_adopt_setup import compose, pins

ENVIRONMENT = """name: bike_demand
channels:
  - conda-forge
dependencies:
  - python=3.11
  - conda-forge::scikit-learn=1.5
  - pandas>=2.2  # the team's range
  - "loguru"
  - py-xgboost=2.1.1=cpu_py311h  # a build string
  - pytorch
  - cudatoolkit=11.8
  - _openmp_mutex
  - pip
  - pip:
    - -e .
    - typer==0.12.5
    - -r requirements/extra.txt

variables:
  - not a dependency
"""


def conda_repo(root: Path) -> Path:
    repo = root / "bike-demand"
    for path, text in {
        "pyproject.toml": '[project]\nname = "bike_demand"\nversion = "0.0.1"\n'
                          'requires-python = "~=3.11.0"\n',
        "environment.yml": ENVIRONMENT,
        "requirements/extra.txt": "tqdm\n",
        "bike_demand/__init__.py": "",
    }.items():  # fmt: skip
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    git(root, "init", "--quiet", "-b", "main", str(repo))
    commit(repo, "our conda project")
    return repo


def test_environment_yml_is_installed_into_the_venv_by_pypi_names(tmp_path):
    repo = conda_repo(tmp_path)
    adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    made = compose(repo)
    wanted = made["requirements-team.txt"].splitlines()
    assert {"scikit-learn==1.5.*", "pandas>=2.2", "loguru", "xgboost==2.1.1.*", "torch",
            "typer==0.12.5", f"-r {repo / 'requirements' / 'extra.txt'}"} <= set(wanted)  # fmt: skip
    assert not [x for x in wanted if x.startswith(("python", "pip", "cudatoolkit", "_", "-e"))]
    assert (
        "setup: environment.yml: 2 lines of its pip list and 5 conda packages by their PyPI "
        "names; conda only, not installed: cudatoolkit=11.8, _openmp_mutex"
    ) in made["said"]
    # Their scikit-learn 1.5 excludes the tested pin, which is left to theirs; their pip pin wins.
    assert "scikit-learn" not in pins(made["constraints.txt"])
    assert pins(made["constraints.txt"])["typer"] == "0.12.5"
    assert "mlflow" in pins(made["constraints.txt"])  # the rest keeps the tested pins
    # The serving image reads it too.
    assert "!environment.yml" in (repo / ".dockerignore").read_text().splitlines()
