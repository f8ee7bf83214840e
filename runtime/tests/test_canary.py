"""Canary analysis: the template read, args resolved, conditions judged as Argo Rollouts does,
recording rules derived, and the command line."""

from __future__ import annotations

import json
import math
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import yaml
from mlops_runtime.canary import (
    CanaryError,
    evaluate,
    load_template,
    main,
    manifest_problems,
    phase,
    recording_rules,
    resolve,
    rules_test_problems,
)

TEMPLATE = """
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: serving-analysis}
spec:
  args:
    - {name: namespace}
    - {name: canary-hash}
    - {name: stable-hash}
    - {name: max-error-ratio, value: "0.05"}
  metrics:
    - name: error-ratio
      successCondition: "len(result) == 0 || isNaN(result[0]) || result[0] <= {{args.max-error-ratio}}"
      failureCondition: "len(result) > 0 && result[0] > {{args.max-error-ratio}}"
      provider:
        prometheus:
          query: |
            sum(rate(errors{namespace="{{args.namespace}}", hash="{{args.canary-hash}}"}[2m]))
"""


@pytest.fixture
def template_file(tmp_path):
    path = tmp_path / "k8s" / "base" / "analysis-template.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(textwrap.dedent(TEMPLATE))
    return path


def test_the_template_and_its_args(template_file):
    template = load_template(template_file)
    assert [m.name for m in template.metrics] == ["error-ratio"]
    args = template.resolved_args({"namespace": "n", "canary-hash": "c", "stable-hash": "s"})
    assert args["max-error-ratio"] == "0.05"
    assert 'namespace="n", hash="c"' in resolve(template.metrics[0].query, args)
    with pytest.raises(CanaryError, match="no value for args canary-hash, stable-hash"):
        template.resolved_args({"namespace": "n"})
    with pytest.raises(CanaryError, match="declares no args nope"):
        template.resolved_args({"nope": "1"})
    rules = recording_rules(template, {"namespace": "t", "canary-hash": "x", "stable-hash": "y"})
    assert rules["groups"][0]["rules"][0]["record"] == "canary:error_ratio"


@pytest.mark.parametrize(
    ("result", "verdict"),
    [([0.01], "Successful"), ([0.5], "Failed"), ([], "Successful"), ([math.nan], "Successful")],
)
def test_phases(template_file, result, verdict):
    template = load_template(template_file)
    args = template.resolved_args({"namespace": "n", "canary-hash": "c", "stable-hash": "s"})
    assert phase(template.metrics[0], result, args) == verdict


def test_no_data_is_inconclusive_when_only_a_success_condition_would_pass(template_file):
    template = load_template(template_file)
    metric = template.metrics[0]
    strict = type(metric)(metric.name, metric.query, "result[0] <= 0.05 && len(result) == 1", "")
    assert phase(strict, [], {}) == "Error"  # index out of range: Argo's Error
    assert phase(strict, [math.nan], {}) == "Failed"


def test_the_condition_language():
    assert evaluate("result[0] < 0.05 && len(result) == 1", [0.01])
    assert evaluate("isNaN(result[0]) || result[0] > 1", [math.nan])
    assert not evaluate("!(result[0] >= 0)", [1.0])
    with pytest.raises(CanaryError, match="out of range"):
        evaluate("result[0] > 0", [])
    with pytest.raises(CanaryError, match="unsupported"):
        evaluate("__import__('os')", [])


class _Prometheus(BaseHTTPRequestHandler):
    value = "0.01"

    def do_GET(self):  # noqa: N802 - the http.server interface
        body = {"status": "success", "data": {"resultType": "vector",
                "result": [{"metric": {}, "value": [0, self.value]}]}}  # fmt: skip
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def test_the_command_line(serving_project, template_file, tmp_path, capsys):
    assert main(serving_project, ["rules"]) == 0
    written = tmp_path / "monitoring" / "prometheus" / "canary_rules.yml"
    assert yaml.safe_load(written.read_text())["groups"][0]["name"] == "canary-analysis"
    assert main(serving_project, ["rules", "--check"]) == 0
    written.write_text("stale")
    assert main(serving_project, ["rules", "--check"]) == 2
    server = HTTPServer(("127.0.0.1", 0), _Prometheus)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        given = ["--arg", "namespace=n", "--arg", "canary-hash=c", "--arg", "stable-hash=s"]
        assert main(serving_project, ["check", "--prometheus", url, *given]) == 0
        assert "error-ratio: Successful" in capsys.readouterr().out
        _Prometheus.value = "0.5"
        assert main(serving_project, ["check", "--prometheus", url, *given]) == 1
        assert main(serving_project, ["check", "--prometheus", url]) == 1  # an arg missing
    finally:
        server.shutdown()


def _rules_test(path, healthy: float, faulty: float, expr: str = "canary:error_ratio"):
    case = [{"promql_expr_test": [{"expr": expr, "exp_samples": [{"value": v}]}]}
            for v in (healthy, faulty)]  # fmt: skip
    path.write_text(yaml.safe_dump({"rule_files": ["canary_rules.yml"], "tests": case}))
    return path


def test_a_rules_test_s_cases_are_judged_by_the_template_s_conditions(template_file, tmp_path):
    template = load_template(template_file)
    assert rules_test_problems(template, _rules_test(tmp_path / "t.yml", 0.01, 0.5)) == []
    # A "faulty" case the conditions pass, a "healthy" one they fail: each named.
    assert rules_test_problems(template, _rules_test(tmp_path / "t.yml", 0.5, 0.01)) == [
        "Successful case: error-ratio judged Failed",
        "Failed case: error-ratio judged Successful",
    ]
    assert rules_test_problems(template, _rules_test(tmp_path / "t.yml", 0, 1, "canary:x")) == [
        "Successful case: canary:x is not a metric of serving-analysis",
        "Successful case: canary:error_ratio not tested",
        "Failed case: canary:x is not a metric of serving-analysis",
        "Failed case: canary:error_ratio not tested",
    ]


ROLLOUT = """
kind: Rollout
spec:
  strategy:
    canary:
      canaryService: app-canary
      stableService: app-stable
      steps:
        - setWeight: 10
        - analysis:
            templates: [{templateName: serving-analysis}]
            args: [{name: namespace}, {name: canary-hash}, {name: stable-hash}]
"""
SERVICES = """
kind: Service
metadata: {name: app-canary}
---
kind: Service
metadata: {name: app-stable}
"""


def test_the_rollout_its_services_and_the_template_s_args_fit_together(template_file):
    base = template_file.parent
    (base / "rollout.yaml").write_text(ROLLOUT)
    (base / "services-canary.yaml").write_text(SERVICES)
    template = load_template(template_file)
    assert manifest_problems(base, template) == []
    (base / "rollout.yaml").write_text(
        ROLLOUT.replace("app-stable", "app-old")
        .replace("serving-analysis}", "other}")
        .replace("{name: stable-hash}", "{name: colour}")
    )
    template_file.write_text(template_file.read_text().replace("args.namespace", "args.ns"))
    assert manifest_problems(base, template) == [
        "analysis-template.yaml: {{args.ns}} is not declared",
        "rollout.yaml: stableService 'app-old' is not a Service here",
        "rollout.yaml: analysis 1 runs ['other'], not serving-analysis",
        "rollout.yaml: analysis 1 gives no stable-hash",
        "rollout.yaml: analysis 1 gives undeclared colour",
    ]


def test_rules_text_is_the_recording_rules_with_a_do_not_edit_header(template_file):
    from mlops_runtime.canary import rules_text

    template = load_template(template_file)
    text = rules_text(template)
    assert text.startswith("# Derived from k8s/base/analysis-template.yaml by `make canary-rules`")
    assert yaml.safe_load(text) == recording_rules(template)
    assert 'expr: sum(rate(errors{namespace="canary-test", hash="canary"}[2m]))' in text


class _RecordingPrometheus(_Prometheus):
    queries: list = []

    def do_GET(self):  # noqa: N802 - the http.server interface
        from urllib.parse import parse_qs, urlparse

        self.queries.append(parse_qs(urlparse(self.path).query)["query"][0])
        super().do_GET()


def test_run_analysis_queries_each_metric_with_the_args_and_judges_it(template_file):
    from mlops_runtime.canary import run_analysis

    template = load_template(template_file)
    server = HTTPServer(("127.0.0.1", 0), _RecordingPrometheus)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    given = {"namespace": "prod", "canary-hash": "c1", "stable-hash": "s1"}
    try:
        _RecordingPrometheus.value = "0.01"
        assert run_analysis(url, given, template) == [("error-ratio", [0.01], "Successful")]
        assert 'namespace="prod", hash="c1"' in _RecordingPrometheus.queries[-1]
        _RecordingPrometheus.value = "0.2"
        assert run_analysis(url, {**given, "max-error-ratio": "0.5"}, template)[0][2] == (
            "Successful")  # fmt: skip
        assert run_analysis(url, given, template)[0][2] == "Failed"
        with pytest.raises(CanaryError, match="stable-hash"):
            run_analysis(url, {"namespace": "prod", "canary-hash": "c1"}, template)
    finally:
        server.shutdown()
        _RecordingPrometheus.value = _Prometheus.value
