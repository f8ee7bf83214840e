"""Level 2 (CI/CD for ML), end to end: data validation that stops bad data, model tests,
batch scoring, the model card, both orchestrators with the validation step, the serving app
answering on a loopback port, and the deployment files checked by their own tools."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.e2e.conftest import generate, make, run, timed_make_test, tool
from tests.e2e.mlflow_records import check_orchestrator_runs, check_two_identical_local_runs
from tests.e2e.test_generated_projects import champion_version, check_workflows

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(project: Path, venv: Path, log_name: str = "serve.log", **env: str) -> Iterator[str]:
    """`make serve` on a free loopback port with `env` added; yields the base URL, then stops
    the server."""
    port = free_port()
    full_env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", **env}
    full_env.pop("MLFLOW_TRACKING_URI", None)
    log = (project / log_name).open("w")
    proc = subprocess.Popen(
        ["make", "serve", f"VENV={venv}", f"PORT={port}"],
        cwd=project, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def serve_and_smoke(project: Path, venv: Path, also: Callable[[str], None] | None = None) -> None:
    """Start `make serve` on a free loopback port, run the project's smoke test (and `also`
    with the base URL), stop it."""
    with served(project, venv) as url:
        run([venv / "bin/python", "scripts/smoke_test.py", "--base-url", url, "--wait", "90"],
            project)  # fmt: skip
        if also is not None:
            also(url)


def post_rows(url: str, rows: list[dict]) -> tuple[int, dict]:
    """POST `rows` to `/predict`: the status and the JSON body, a 4xx included."""
    request = urllib.request.Request(
        f"{url}/predict", data=json.dumps({"rows": rows}).encode(),
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def wait_ready(url: str, project: Path, log_name: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/ready", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:  # not listening yet, or 503 while the model loads
            pass
        time.sleep(0.5)
    pytest.fail(f"no /ready within {seconds} s:\n{(project / log_name).read_text()[-3000:]}")


def check_refused_by_policy(project: Path, venv: Path) -> None:
    """The same project served with `SERVING_LIMITS_POLICY=refuse` (README's settings table):
    a request with a row past the training range is refused with 422 naming the row, its flag
    and the feature (never the value), an in-range row is still answered, and the refusal is
    counted. `SERVING_MIN_CONFIDENCE=0.5` turns `low_confidence` off, so only the range
    decides here (the flag's own check is in check_explanations)."""
    started = time.monotonic()
    log = "serve-refuse.log"
    with served(project, venv, log, SERVING_LIMITS_POLICY="refuse",
                SERVING_MIN_CONFIDENCE="0.5") as url:  # fmt: skip
        wait_ready(url, project, log)
        row = {"tenure_months": 2, "monthly_charges": 70.0, "support_calls": 1, "age": 40,
               "contract": "one-year"}  # fmt: skip
        status, body = post_rows(url, [row, {**row, "tenure_months": 110}])
        assert status == 422, body
        assert body["detail"] == [{"row": 1, "flags": ["out_of_range"],
                                   "features": ["tenure_months"]}], body  # fmt: skip
        assert "110" not in json.dumps(body)
        status, body = post_rows(url, [row])
        assert status == 200 and body["predictions"][0]["flags"] == [], body
        with urllib.request.urlopen(f"{url}/metrics", timeout=30) as answer:
            metrics = answer.read().decode()
    refused = re.search(r"^mlops_serving_refused_requests_total\{[^}]*\} (\S+)", metrics, re.M)
    assert refused and float(refused.group(1)) == 1.0, metrics
    print(
        f"SERVING_LIMITS_POLICY=refuse: 422 and counted, in range answered "
        f"({time.monotonic() - started:.1f} s)"
    )


def check_explanations(base_url: str) -> None:
    """`/predict?explain=true`: the sample data lowers churn with tenure (data.py), so a short
    tenure must push the probability up against the training median, a long one down."""
    row = {"tenure_months": 2, "monthly_charges": 70.0, "support_calls": 1, "age": 40,
           "contract": "one-year"}  # fmt: skip
    rows = [row, {**row, "tenure_months": 70}]
    request = urllib.request.Request(
        f"{base_url}/predict?explain=true&top=5", data=json.dumps({"rows": rows}).encode(),
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        body = json.loads(answer.read())
    assert body["explanation"]["baseline"].startswith("training data"), body["explanation"]
    short, long = ({c["feature"]: c for c in p["contributions"]} for p in body["predictions"])
    assert short["tenure_months"]["contribution"] > 0 > long["tenure_months"]["contribution"]
    assert short["tenure_months"]["baseline"] == long["tenure_months"]["baseline"]
    assert body["predictions"][0]["probability"] > body["predictions"][1]["probability"]
    # Knowledge limits: the contract allows 110 months of tenure, the training data ends at 72.
    far = {**row, "tenure_months": 110}
    request = urllib.request.Request(
        f"{base_url}/predict", data=json.dumps({"rows": [row, far]}).encode(),
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        near_answer, far_answer = json.loads(answer.read())["predictions"]
    assert "out_of_range" not in near_answer["flags"] and far_answer["ood_score"] > 0.4
    assert "out_of_range" in far_answer["flags"] and 0.5 <= far_answer["confidence"] <= 1
    with urllib.request.urlopen(f"{base_url}/metrics", timeout=30) as answer:
        metrics = answer.read().decode()
    counted = re.search(r'^mlops_serving_flagged_rows_total\{[^}]*reason="out_of_range"\} (\S+)',
                        metrics, re.M)  # fmt: skip
    assert counted and float(counted.group(1)) >= 1.0


def check_release_notes(project: Path, venv: Path) -> None:
    """The first champion's notes from `make train`, then CD's promotion of version 2 (an
    identical re-run: every delta 0) writes notes that name version 1 and the gates."""
    [first] = (project / "release_notes").glob("*-champion-v1.md")
    assert "- replaces: nothing (first release)" in first.read_text()
    run([venv / "bin/python", "scripts/promote_model.py", "--version", "2"], project)
    notes = (project / "release_notes" / first.name.replace("-v1.md", "-v2.md")).read_text()
    assert "- replaces: version 1" in notes and "- data: " in notes and "(unchanged)" in notes
    roc = re.search(r"^\| roc_auc \| ([0-9.]+) \| ([0-9.]+) \| ([-+][0-9.]+) \|$", notes, re.M)
    assert roc and roc.group(1) == roc.group(2) and float(roc.group(3)) == 0.0, notes
    assert "| quality_gate | passed |" in notes and "| model_tests | passed |" in notes
    assert "## Explanation: top features" in notes and "| tenure_months |" in notes


def check_manifests(project: Path, venv: Path, tmp: Path) -> None:
    kubectl, validate = tool("kubectl", venv), tool("kubernetes-validate", venv)
    base = tmp / "base.yaml"
    base.write_text(run([kubectl, "kustomize", "k8s/base"], project).stdout)
    run([validate, "--strict", "--quiet", base], project)
    for overlay in ("staging", "production"):
        rendered = tmp / f"{overlay}.yaml"
        out = run([venv / "bin/python", "scripts/deploy.py", "render", "--overlay", overlay,
                   "--image", "registry.example.com/team/serving:0123abc", "--model-version", "1"],
                  project, {"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"})  # fmt: skip
        rendered.write_text(out.stdout)
        assert f"-{overlay}" in out.stdout
        run([validate, "--strict", "--quiet", rendered], project)


def check_serving_files(project: Path, venv: Path) -> None:
    run([tool("hadolint", venv), "Dockerfile.serving"], project)
    promtool = tool("promtool", venv)
    run([promtool, "check", "rules", "monitoring/prometheus/serving_alerts.yml"], project)
    run([promtool, "test", "rules", "monitoring/prometheus/serving_alerts_test.yml"], project)


def write_bad_data(project: Path, venv: Path, package: str, dest: Path) -> Path:
    """Sample data from the project's own generator, with rows that break the contract."""
    script = (
        f"from {package}.data import generate\n"
        "df = generate()\n"
        "df.loc[:9, 'monthly_charges'] = -1\n"
        "df.loc[10, 'contract'] = 'lifetime'\n"
        f"df.to_csv({str(dest)!r}, index=False)\n"
    )
    run([venv / "bin/python", "-c", script], project)
    return dest


def expect_stopped_by_validation(project: Path, venv: Path, target: str, bad: Path) -> str:
    """`make TARGET` on broken data must fail, naming the failed expectation."""
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
           "PIPELINE_DATA_SOURCE": str(bad)}  # fmt: skip
    env.pop("MLFLOW_TRACKING_URI", None)
    result = subprocess.run(
        ["make", target, f"VENV={venv}"], cwd=project, env=env,
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"make {target} accepted broken data:\n{output[-3000:]}"
    return output


def check_load_test_against_the_slo(project: Path, venv: Path) -> Callable[[str], None]:
    """`make load-test` against the served app (issue 22): at the load config/slo.yaml offers
    it meets the SLO; offered far more than one worker answers in time (400 requests/s), the
    same app misses p95 and the target exits 1 naming the objective."""

    def check(url: str) -> None:
        healthy = make(project, "load-test", venv, LOAD_TEST_URL=url, LOAD_TEST_SECONDS="3")
        assert "SLO met; report: build/load-test/load_test.md" in healthy.stdout, healthy.stdout
        report = json.loads((project / "build" / "load-test" / "load_test.json").read_text())
        assert report["passed"] and report["errors"] == 0, report
        env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
        stressed = subprocess.run(
            ["make", "load-test", f"VENV={venv}", f"LOAD_TEST_URL={url}",
             "LOAD_TEST_SECONDS=3", "LOAD_TEST_RPS=400"],
            cwd=project, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert stressed.returncode != 0, stressed.stdout
        assert "the SLO was missed" in stressed.stderr and "p95_ms" in stressed.stderr
        report = json.loads((project / "build" / "load-test" / "load_test.json").read_text())
        missed = [o["name"] for o in report["objectives"] if not o["passed"]]
        assert not report["passed"] and "p95_ms" in missed, report
        print(f"make load-test: healthy passed; at 400 requests/s missed {missed}")

    return check


def test_level2_both_github(tmp_path, venv):
    project = generate(tmp_path, "e2e-cicd", "--level", "2", "--orchestrator", "both")
    make(project, "setup", venv)
    make(project, "lint", venv)
    timed_make_test(project, venv, 2)  # the unit tests
    make(project, "test-slow", venv)  # model tests, serving app, GX, pipeline, DAG, KFP
    make(project, "validate-data", venv)
    make(project, "train", venv)  # the GX checkpoint passes, model tests pass, champion set
    make(project, "train", venv)  # identical: a new version, the champion stays
    check_two_identical_local_runs(project, venv, "e2e_cicd")
    champion_version(project, venv)
    make(project, "test-model", venv)
    make(project, "score", venv)
    make(project, "model-card", venv)
    card = (project / "docs" / "model_card.md").read_text()
    for heading in (
        "## Intended use",
        "## Business goal",
        "## Model risk evaluation",
        "## Holdout metrics",
        "## Metrics per slice",
        "## What the model relies on",
        "## Limitations",
    ):
        assert heading in card, heading
    assert "| tenure_months |" in card
    make(project, "dag-test", venv)
    make(project, "kfp-run", venv)
    check_orchestrator_runs(project, venv, "e2e_cicd", ("airflow", "kubeflow"))
    check_release_notes(project, venv)  # CD moves champion to version 2

    bad = write_bad_data(project, venv, "e2e_cicd", tmp_path / "bad.csv")
    out = expect_stopped_by_validation(project, venv, "train", bad)
    assert "expect_column_values_to_be_between(monthly_charges)" in out
    out = expect_stopped_by_validation(project, venv, "validate-data", bad)
    assert "monthly_charges" in out and "contract" in out

    load_test = check_load_test_against_the_slo(project, venv)
    serve_and_smoke(project, venv, lambda url: (check_explanations(url), load_test(url)))
    check_refused_by_policy(project, venv)
    check_workflows(project, venv, "github")
    check_manifests(project, venv, tmp_path)
    check_serving_files(project, venv)
    run([tool("pre-commit", venv), "run", "--all-files", "--show-diff-on-failure"], project)


def test_level2_airflow_gitlab_stops_bad_data_in_the_dag(tmp_path, venv):
    project = generate(
        tmp_path, "e2e-cicd-af", "--level", "2", "--orchestrator", "airflow", "--ci", "gitlab"
    )
    make(project, "setup", venv)
    quiet = make(project, "dag-test", venv).stdout
    # One line per task and the outcome, not Airflow's thousands of log lines (in the log file).
    assert len(quiet.splitlines()) < 20, quiet
    for task in ("prepare", "validate", "train", "evaluate", "test_model", "register"):
        assert re.search(rf"^  {task} +success ", quiet, re.M), quiet
    assert "DAG e2e_cicd_af_training: run success" in quiet
    log = (project / "build" / "dag-test.log").read_text()
    assert "[DAG TEST] end task task_id=register" in log
    assert "DeprecatedImportWarning" not in log  # filtered in the tasks (third-party only)
    champion_version(project, venv)
    bad = write_bad_data(project, venv, "e2e_cicd_af", tmp_path / "bad.csv")
    out = expect_stopped_by_validation(project, venv, "dag-test", bad)
    assert re.search(r"^  validate +failed ", out, re.M), out
    assert re.search(r"^  register +upstream_failed", out, re.M), out
    assert "The whole log: build/dag-test.log" in out
    check_workflows(project, venv, "gitlab")
    run([tool("check-jsonschema", venv), "--builtin-schema", "vendor.gitlab-ci",
         project / ".gitlab" / "cd.gitlab-ci.yml"], project)  # fmt: skip


def test_level2_kubeflow_stops_bad_data_in_the_pipeline(tmp_path, venv):
    project = generate(
        tmp_path, "e2e-cicd-kfp", "--level", "2", "--orchestrator", "kubeflow",
        "--data", "python_version=3.10",
    )  # fmt: skip
    make(project, "setup", venv)
    quiet = make(project, "kfp-run", venv).stdout
    assert len(quiet.splitlines()) < 20 and "executor_input" not in quiet, quiet
    for task in ("prepare-op", "validate-op", "train-op", "register-op"):
        assert re.search(rf"^  {task} +success ", quiet, re.M), quiet
    assert "pipeline e2e-cicd-kfp-training: run success" in quiet
    champion_version(project, venv)
    make(project, "score", venv)
    bad = write_bad_data(project, venv, "e2e_cicd_kfp", tmp_path / "bad.csv")
    out = expect_stopped_by_validation(project, venv, "kfp-run", bad)
    assert "validate" in out
