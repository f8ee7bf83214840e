"""Issue 25: adopt's closing message names what to wire in config/mlops.yaml and the command
that checks it; `mlops-scaffold check --wiring` checks it without importing the team's code."""

from __future__ import annotations

from .helpers import commit
from .team_projects import ccds_project


def test_adopt_says_what_to_wire_and_check_wiring_checks_it(tmp_path, run_cli):
    repo = ccds_project(tmp_path)
    (repo / "bike_demand" / "dataset.py").write_text(
        "import pandas as pd\n\n\ndef load_hourly():\n    return pd.DataFrame()\n"
    )
    (repo / "bike_demand" / "modeling" / "train.py").write_text(
        "from bike_demand.models import fit  # noqa: F401\n"
    )
    commit(repo, "our code")
    adopted = run_cli("adopt", repo, "--level", "1", "--orchestrator", "airflow", "--defaults")
    assert adopted.exit_code == 0, adopted.stderr
    assert (
        "Next: wire entrypoints.load_data, entrypoints.train, target in config/mlops.yaml to your "
        "functions (entrypoints.evaluate is optional), then check it with `mlops-scaffold check "
        "--wiring`; `make setup` and `make train` run it."
    ) in " ".join(adopted.stderr.split())
    unwired = run_cli("check", repo, "--wiring")
    assert unwired.exit_code == 1
    assert unwired.stderr.splitlines()[0] == (
        "wiring: entrypoints.load_data in config/mlops.yaml is not set: name your function as "
        "module:function (its signature is in bike_demand/mlops/adapter.py)"
    )
    config = repo / "config" / "mlops.yaml"
    text = config.read_text()
    # Three lines of wiring; one names a function the module does not define.
    config.write_text(
        text.replace("load_data: null", "load_data: bike_demand.dataset:load_daily")
        .replace("  train: null", "  train: bike_demand.modeling.train:fit")
        .replace("target: null", "target: busy")
    )
    wrong = run_cli("check", repo, "--wiring")
    assert wrong.exit_code == 1
    assert wrong.stderr.strip() == (
        "wiring: entrypoints.load_data in config/mlops.yaml: bike_demand/dataset.py defines no "
        "load_daily"
    )
    config.write_text(config.read_text().replace("load_daily", "load_hourly"))
    wired = run_cli("check", repo, "--wiring")
    assert (wired.exit_code, wired.stderr.strip()) == (0, (
        "ok: load_data -> bike_demand.dataset:load_hourly; train -> "
        "bike_demand.modeling.train:fit; `make train` runs them"
    ))  # fmt: skip
    assert run_cli("check", tmp_path, "--wiring").exit_code == 1  # no config/mlops.yaml: one line


def test_adopt_dry_run_needs_no_defaults_and_names_what_a_real_run_asks(tmp_path, run_cli):
    from .helpers import snapshot

    repo = ccds_project(tmp_path)
    before = snapshot(repo)
    planned = run_cli("adopt", repo, "--dry-run", "--level", "1")
    assert planned.exit_code == 2, planned.stderr
    assert "would ask      orchestrator (planned with the default: both)" in planned.stdout
    assert snapshot(repo) == before
