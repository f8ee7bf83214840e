"""Upgrades and adoption, end to end: the user's edits survive and the project still runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, generate, make, run

pytestmark = pytest.mark.e2e

USER = ["-c", "user.name=Dev", "-c", "user.email=dev@example.org"]


def git(repo: Path, *args: str) -> str:
    return run(["git", *USER, *args], repo).stdout


def scaffold(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scaffolder", *map(str, args)],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_level0_with_realistic_edits_upgrades_and_runs(tmp_path, venv):
    project = generate(tmp_path, "e2e-upgrade", "--level", "0")
    pkg = project / "src" / "e2e_upgrade"
    # Tuned hyperparameters, a new feature function with its test, a README edit.
    model = pkg / "model.py"
    model.write_text(model.read_text().replace('"C": 1.0', '"C": 0.3'))
    features = pkg / "features.py"
    features.write_text(
        features.read_text()
        + "\n\ndef charges_per_month_of_tenure(df):\n"
        + '    """Monthly charges relative to how long the customer has stayed."""\n'
        + '    return df["monthly_charges"] / (df["tenure_months"] + 1)\n'
    )
    (project / "tests" / "test_team_features.py").write_text(
        "import pandas as pd\n\n"
        "from e2e_upgrade.features import charges_per_month_of_tenure\n\n\n"
        "def test_charges_per_month_of_tenure():\n"
        '    df = pd.DataFrame({"monthly_charges": [10.0], "tenure_months": [4]})\n'
        "    assert charges_per_month_of_tenure(df).tolist() == [2.0]\n"
    )
    readme = project / "README.md"
    readme.write_text(
        readme.read_text().replace(
            "## Set up\n",
            "## Set up\n\nAsk the churn team in #ml-churn before changing the data.\n",
        )
    )
    git(project, "add", "--all")
    git(project, "commit", "-qm", "Team edits at level 0")

    result = scaffold("upgrade", project, "--defaults")
    assert result.returncode == 0, result.stderr
    assert "C: 0.3" in (project / "config" / "pipeline.yaml").read_text()
    assert "def charges_per_month_of_tenure" in features.read_text()
    assert "#ml-churn" in readme.read_text()
    make(project, "setup", venv)
    make(project, "test", venv)
    make(project, "train", venv)
    assert (project / "mlflow.db").is_file()


def test_adopting_a_handmade_repo(tmp_path, venv):
    repo = tmp_path / "churn-notebook"
    (repo / "notebooks").mkdir(parents=True)
    (repo / "data").mkdir()
    (repo / "README.md").write_text("# Churn notebook\n\nExploratory work on churn.\n")
    (repo / "requirements.txt").write_text("pandas>=2\nscikit-learn>=1.5\n")
    (repo / "notebooks" / "explore_churn.py").write_text(
        "# %%\nimport pandas as pd\n\n# %%\ndf = pd.read_csv('data/customers.csv')\ndf.describe()\n"
    )
    (repo / "data" / "customers.csv").write_text("id,churned\n1,0\n2,1\n")
    (repo / ".gitignore").write_text("data/\n.ipynb_checkpoints/\n")
    run(["git", "init", "-q", "-b", "main"], repo)
    git(repo, "add", "--all")
    git(repo, "commit", "-qm", "notebook work")

    result = scaffold("adopt", repo, "--level", "1", "--orchestrator", "kubeflow", "--defaults")
    # README and .gitignore exist on both sides: merged by their structure, no conflict.
    assert result.returncode == 0, result.stderr
    assert "data/" in (repo / ".gitignore").read_text().splitlines()
    assert (repo / "data" / "customers.csv").read_text() == "id,churned\n1,0\n2,1\n"
    assert "Exploratory work on churn." in (repo / "README.md").read_text()
    make(repo, "setup", venv)
    make(repo, "test", venv)
    make(repo, "kfp-run", venv)


def test_level1_with_realistic_edits_upgrades_to_level2_and_runs(tmp_path, venv):
    project = generate(tmp_path, "e2e-up2", "--level", "1", "--orchestrator", "airflow")
    config = project / "config" / "pipeline.yaml"
    config.write_text(config.read_text().replace("roc_auc: 0.70", "roc_auc: 0.72"))
    features = project / "src" / "e2e_up2" / "features.py"
    features.write_text(
        features.read_text()
        + "\n\ndef is_senior(df):\n"
        + '    """Customers of 65 and over."""\n'
        + '    return df["age"] >= 65\n'
    )
    (project / "tests" / "test_team_features.py").write_text(
        "import pandas as pd\n\n"
        "from e2e_up2.features import is_senior\n\n\n"
        "def test_is_senior():\n"
        '    assert is_senior(pd.DataFrame({"age": [30, 70]})).tolist() == [False, True]\n'
    )
    readme = project / "README.md"
    readme.write_text(
        readme.read_text().replace("## Set up\n", "## Set up\n\nData questions: #ml-churn.\n")
    )
    git(project, "add", "--all")
    git(project, "commit", "-qm", "Team edits at level 1")

    result = scaffold("upgrade", project, "--to", "2", "--defaults")
    assert result.returncode == 0, result.stderr
    assert "roc_auc: 0.72" in config.read_text()
    assert "def is_senior" in features.read_text()
    assert "#ml-churn" in readme.read_text()
    assert (project / "config" / "data_contract.yaml").is_file()
    assert (project / "src" / "e2e_up2" / "serving" / "app.py").is_file()
    make(project, "setup", venv)
    make(project, "test", venv)
    make(project, "train", venv)
    make(project, "dag-test", venv)

    # Level 2 -> 3: more team edits (the serving app, the prod thresholds), then the upgrade;
    # migration 0003 holds live performance to the team's tuned gate (roc_auc 0.72).
    app = project / "src" / "e2e_up2" / "serving" / "app.py"
    app.write_text(app.read_text() + "\n# team: served behind the internal gateway\n")
    environments = project / "config" / "environments.yaml"
    environments.write_text(environments.read_text().replace("roc_auc: 0.75", "roc_auc: 0.76"))
    git(project, "add", "--all")
    git(project, "commit", "-qm", "Team edits at level 2")
    result = scaffold("upgrade", project, "--to", "3", "--defaults")
    assert result.returncode == 0, result.stderr
    assert "# team: served behind the internal gateway" in app.read_text()
    assert "hooks=hooks or default_hooks()" in app.read_text()  # the level-3 prediction log
    assert "roc_auc: 0.76" in environments.read_text()
    assert "def is_senior" in features.read_text() and "#ml-churn" in readme.read_text()
    assert "threshold: 0.72" in (project / "config" / "monitoring.yaml").read_text()
    make(project, "setup", venv)
    make(project, "test", venv)
    make(project, "train", venv)
    assert "decision:" in make(project, "monitor", venv).stdout
