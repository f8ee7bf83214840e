"""`mlops_runtime.monitoring.metric_names`: a project's dashboard and alert rules name only
metrics that the runtime or the project's code exports."""

from __future__ import annotations

import json

import yaml
from mlops_runtime.monitoring.metric_names import exported_metrics, metric_problems


def _project(tmp_path, dashboard_exprs, rule_exprs, package_code=""):
    (tmp_path / "monitoring" / "grafana").mkdir(parents=True)
    (tmp_path / "monitoring" / "prometheus").mkdir(parents=True)
    panels = [{"targets": [{"expr": e}]} for e in dashboard_exprs]
    (tmp_path / "monitoring/grafana/model_health.json").write_text(json.dumps({"panels": panels}))
    rules = {"groups": [{"rules": [{"alert": f"A{i}", "expr": e} for i, e in
                                   enumerate(rule_exprs)]}]}  # fmt: skip
    (tmp_path / "monitoring/prometheus/monitoring_alerts.yml").write_text(yaml.safe_dump(rules))
    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "metrics.py").write_text(package_code)
    return package


def test_the_runtime_s_metrics_are_exported_with_a_counter_s_total():
    names = exported_metrics()
    assert {"mlops_drift_detected", "mlops_business_kpi", "mlops_business_kpi_threshold"} <= names
    assert "mlops_serving_predictions_total" in names
    assert "mlops_not_a_metric" not in names


def test_a_name_nobody_exports_and_a_file_naming_none_are_problems(tmp_path):
    package = _project(
        tmp_path,
        ["sum(rate(mlops_serving_predictions_total[5m]))", "mlops_team_metric > 0"],
        ["mlops_business_kpi < mlops_business_kpi_threshold"],
        package_code='GAUGE = "mlops_team_metric"\n',
    )
    assert metric_problems(tmp_path, package) == []
    # Without the project's code its own metric is unknown; a typo is named.
    (package / "metrics.py").write_text("")
    rules = tmp_path / "monitoring/prometheus/monitoring_alerts.yml"
    rules.write_text(
        yaml.safe_dump({"groups": [{"rules": [{"expr": "mlops_drift_detectd == 1"}]}]})
    )
    assert metric_problems(tmp_path, package) == [
        "monitoring/grafana/model_health.json: mlops_team_metric not exported",
        "monitoring/prometheus/monitoring_alerts.yml: mlops_drift_detectd not exported",
    ]
    rules.write_text(yaml.safe_dump({"groups": [{"rules": [{"expr": "up == 0"}]}]}))
    assert metric_problems(tmp_path, package)[1] == (
        "monitoring/prometheus/monitoring_alerts.yml: names no mlops_* metric"
    )
