"""Issue 22's pieces reach a level-1 project by `upgrade` 1 -> 2 -> 3, and the team's edits made
at each level survive: explanations, knowledge limits and `make review`, the load test against
config/slo.yaml, release notes, the business context and its KPI (config, alert, dashboard).
Rendered and merged only; the pieces themselves run in the e2e tests."""

from __future__ import annotations

import json

import yaml

from scaffolder.upgrade.apply import UpgradeRequest, upgrade
from tests.test_business_context import FILLED
from tests.upgrade.helpers import commit, git, new_project

TEAM_TARGET = "\nteam-report: ## The team's own report\n\t@echo ours\n"


def _upgrade(repo, level):
    result = upgrade(UpgradeRequest(path=repo, defaults=True, to=level))
    assert result.level == level and not result.conflicts, result
    assert git(repo, "status", "--porcelain") == ""  # merged and committed, nothing left over


def _target(makefile: str, name: str) -> bool:
    return any(line.startswith(f"{name}:") for line in makefile.splitlines())


def test_upgrade_1_2_3_brings_issue_22_and_keeps_the_teams_edits(tmp_path):
    repo = new_project(tmp_path, level=1)
    makefile, steps = repo / "Makefile", repo / "src/churn/pipeline/steps.py"
    pipeline = repo / "config/pipeline.yaml"
    # Level 1, the team: its business context, a helper in its steps, a Makefile target, a
    # model parameter.
    assert (repo / "docs/business_context.md").exists()
    (repo / "docs/business_context.md").write_text(FILLED)
    steps.write_text(steps.read_text() + "\n\ndef team_helper():\n    return 'ours'\n")
    makefile.write_text(makefile.read_text() + TEAM_TARGET)
    raw = pipeline.read_text()
    assert "    C: 1.0\n" in raw
    pipeline.write_text(raw.replace("    C: 1.0\n", "    C: 0.3  # the team's regularisation\n", 1))
    commit(repo, "team: business context, a helper, a target, a parameter")

    _upgrade(repo, 2)
    # Level 2: explanations (global at evaluation, per row from the runtime's app), knowledge
    # limits (training ranges), the load test against the SLO, release notes on promotion.
    text = steps.read_text()
    assert "explain.global_importance(" in text and "limits.training_ranges(" in text
    assert "write_release_notes(" in text
    assert "create_app(" in (repo / "src/churn/serving/app.py").read_text()  # explain=true
    assert _target(makefile.read_text(), "load-test")
    slo = yaml.safe_load((repo / "config/slo.yaml").read_text())
    assert slo["objectives"]["p95_ms"] == 250
    assert "release_notes/" in (repo / ".github/workflows/cd.yml").read_text()
    assert "/release_notes/" in (repo / ".gitignore").read_text()
    # The team tightens its SLO at level 2.
    slo_file = repo / "config/slo.yaml"
    slo_file.write_text(slo_file.read_text().replace("p95_ms: 250", "p95_ms: 120", 1))
    commit(repo, "team: a tighter p95")

    _upgrade(repo, 3)
    # Level 3: the flags logged and reviewed, the KPI measured, alerted on and on the dashboard.
    assert "prediction_log_hooks" in (repo / "src/churn/serving/hooks.py").read_text()
    assert _target(makefile.read_text(), "review")
    monitoring = yaml.safe_load((repo / "config/monitoring.yaml").read_text())
    assert monitoring["kpi"]["name"] == "churners_caught" and monitoring["kpi"]["threshold"] > 0
    rules = yaml.safe_load((repo / "monitoring/prometheus/monitoring_alerts.yml").read_text())
    (kpi_rule,) = [r for g in rules["groups"] for r in g["rules"]
                   if r.get("alert") == "MLBusinessKPILow"]  # fmt: skip
    assert "mlops_business_kpi" in kpi_rule["expr"]
    tests = (repo / "monitoring/prometheus/monitoring_alerts_test.yml").read_text()
    assert "MLBusinessKPILow" in tests
    remediation = yaml.safe_load((repo / "config/remediation.yaml").read_text())
    assert "MLBusinessKPILow" in json.dumps(remediation)
    dashboard = json.loads((repo / "monitoring/grafana/model_health.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    assert any(e.startswith("mlops_business_kpi{") for e in exprs)
    assert any(e.startswith("mlops_business_kpi_threshold{") for e in exprs)
    # Release notes at level 3: every move of champion writes them (the runtime's governance).
    assert "release_notes/" in (repo / ".github/workflows/cd.yml").read_text()
    # Every edit survived both merges.
    assert (repo / "docs/business_context.md").read_text() == FILLED
    assert "def team_helper():" in steps.read_text()
    assert makefile.read_text().endswith(TEAM_TARGET)
    assert "C: 0.3  # the team's regularisation" in pipeline.read_text()
    assert yaml.safe_load(slo_file.read_text())["objectives"]["p95_ms"] == 120
    assert "p95_ms: 120" in slo_file.read_text()
