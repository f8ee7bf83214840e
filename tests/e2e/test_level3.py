"""Level 3 (full automation), end to end, on one generated project with both orchestrators:
prediction logging through the serving app, the drift job's two decisions, the Airflow
monitoring DAG's asset event only on drift, the training DAG run from that payload, the KFP
monitoring pipeline taking each branch of its condition, the storm guards (cool-down, circuit
breaker), and the loop closed with a real Prometheus and Alertmanager calling the project's
remediation receiver, which retrains."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import HERE, generate, make, run, timed_make_test, tool
from tests.e2e.mlflow_records import mlflow_store
from tests.e2e.prometheus_stack import (
    Processes,
    ensure_binary,
    get_json,
    prometheus_config,
    wait_until,
)
from tests.e2e.test_generated_projects import champion_version
from tests.e2e.test_level2 import free_port

pytestmark = pytest.mark.e2e

PACKAGE = "e2e_auto"


def venv_env(venv: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", **extra}
    env.pop("MLFLOW_TRACKING_URI", None)
    env["PIP_CONSTRAINT"] = str(HERE / "constraints.txt")
    return env


def py(project: Path, venv: Path, code: str, **env: str) -> str:
    """Run Python code with the project's package importable; its stdout."""
    return run([venv / "bin/python", "-c", code], project, {**env, "PYTHONPATH": "src"}).stdout


def versions(project: Path, venv: Path) -> int:
    """How many model versions the project's registry holds."""
    out = py(project, venv, (
        "import sys\nfrom mlflow import MlflowClient\n"
        f"c = MlflowClient(tracking_uri='sqlite:///{project / 'mlflow.db'}')\n"
        "print(len(c.search_model_versions()))\n"
    ))  # fmt: skip
    return int(out.strip().splitlines()[-1])


def write_data(project: Path, venv: Path, path: Path, seed: int) -> Path:
    """A fresh training table from the project's generator: new data, a new digest."""
    py(
        project,
        venv,
        f"from {PACKAGE}.data import write_sample\nwrite_sample({str(path)!r}, seed={seed})",
    )
    return path


def traffic(project: Path, venv: Path, path: Path, rows: int, seed: int, shift: float = 0.0):
    """Rows from the project's own generator (the training distribution), as JSON records;
    `shift` moves monthly_charges (staying within the data contract)."""
    py(project, venv, (
        f"from {PACKAGE}.data import generate\n"
        f"from {PACKAGE}.features import FEATURE_COLUMNS\n"
        f"rows = generate({rows}, seed={seed})[FEATURE_COLUMNS]\n"
        f"rows['monthly_charges'] = (rows['monthly_charges'] + {shift}).clip(upper=500)\n"
        f"rows.to_json({str(path)!r}, orient='records')\n"
    ))  # fmt: skip
    return json.loads(path.read_text())


def send(base: str, rows: list[dict], tag: str, batch: int = 50) -> None:
    """POST the rows to /predict in batches, each with a caller's request id (a correlation id:
    the server makes the id the log and the feedback key on)."""
    for start in range(0, len(rows), batch):
        request = urllib.request.Request(
            f"{base}/predict",
            data=json.dumps({"rows": rows[start : start + batch]}).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "X-Request-ID": f"{tag}-{start}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
            server_id = response.headers["X-Request-ID"]
            assert server_id and server_id != f"{tag}-{start}"


def logged_rows(project: Path, venv: Path) -> int:
    out = py(project, venv, (
        "import time\n"
        "from mlops_runtime.monitoring.prediction_log import read_partitioned\n"
        f"from {PACKAGE}.settings import load_settings\n"
        "print(len(read_partitioned(load_settings().prediction_log_uri, 0, time.time() + 1)))\n"
    ), MLOPS_PROJECT_ROOT=str(project))  # fmt: skip
    return int(out.strip().splitlines()[-1])


def monitor(project: Path, venv: Path) -> dict:
    out = run([venv / "bin/python", "-m", f"{PACKAGE}.monitoring", "monitor", "--json"], project,
              {"PYTHONPATH": "src"}).stdout  # fmt: skip
    return json.loads(out)


def asset_events(project: Path) -> list[dict]:
    """Asset events the Airflow metadata database recorded (extra data of each)."""
    with sqlite3.connect(project / ".airflow" / "airflow.db") as db:
        rows = db.execute("SELECT extra FROM asset_event ORDER BY id").fetchall()
    return [json.loads(extra) if extra else {} for (extra,) in rows]


def assert_last_run(project: Path, venv: Path, origin: str) -> None:
    """The newest training run is named `<pipeline>-<orchestrator>-<trigger>-<UTC time>`."""
    name = mlflow_store(project, venv, PACKAGE)["runs"][-1]["name"]
    assert re.fullmatch(rf"{PACKAGE}_training-{origin}-\d{{8}}T\d{{6}}Z", name), name


def assert_refused(receiver: str, token: str) -> None:
    """Unauthenticated and malformed requests are refused and change nothing (issue 20)."""
    drift = {"alerts": [{"status": "firing", "labels": {
        "alertname": "MLDataDrift", "project": "e2e-auto", "environment": "dev"}}]}  # fmt: skip

    def post(body: bytes, auth: str | None) -> int:
        request = urllib.request.Request(f"{receiver}/alerts", data=body, method="POST")
        if auth:
            request.add_header("Authorization", f"Bearer {auth}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert post(json.dumps(drift).encode(), None) == 401
    assert post(json.dumps(drift).encode(), token[:-1] + "x") == 401
    for bad in (b"[1]", b'{"alerts": [1]}', b'{"alerts": [{"labels": ["alertname"]}]}'):
        assert post(bad, token) == 400
    with pytest.raises(urllib.error.HTTPError) as unauthenticated:
        get_json(f"{receiver}/actions")
    assert unauthenticated.value.code == 401
    assert get_json(f"{receiver}/actions", token=token) == []


def test_level3_monitoring_to_retraining(tmp_path, venv):
    project = generate(tmp_path, "e2e-auto", "--level", "3", "--orchestrator", "both")
    make(project, "setup", venv)
    make(project, "lint", venv)
    timed_make_test(project, venv, 3)  # the fast tests, timed
    make(project, "test-slow", venv)  # and the slow ones: every test of the project
    promtool = tool("promtool", venv)
    rules = project / "monitoring" / "prometheus"
    run([promtool, "check", "rules", rules / "monitoring_alerts.yml"], project)
    run([promtool, "test", "rules", rules / "monitoring_alerts_test.yml"], project)
    amtool = ensure_binary("amtool")
    run([amtool, "check-config", project / "monitoring" / "alertmanager" / "alertmanager.yml"],
        project)  # fmt: skip
    make(project, "train", venv)  # saves the reference profile and names it on the version
    first = champion_version(project, venv)
    profile = py(project, venv, (
        "from mlops_runtime.monitoring.profile import profile_for_version\n"
        f"from {PACKAGE}.settings import load_settings\n"
        f"p = profile_for_version('e2e-auto-model', '{first}', load_settings().tracking_uri)\n"
        "print(sorted(p['features']))\n"
    ), MLOPS_PROJECT_ROOT=str(project))  # fmt: skip
    assert "monthly_charges" in profile

    # Automatic retrains in this test use a config without cool-down (as a staging setup might)
    # and fresh data each time; the steps that prove the cool-down use the project's own config.
    quick = yaml.safe_load((project / "config" / "monitoring.yaml").read_text())
    quick["guards"].update(cooldown_hours=0, max_retrains=50)
    quick_config = tmp_path / "monitoring-quick.yaml"
    quick_config.write_text(yaml.safe_dump(quick))

    logs = tmp_path / "logs"
    logs.mkdir()
    procs = Processes(logs)
    try:
        serve_port, receiver_port = free_port(), free_port()
        procs.start("serve", ["make", "serve", f"VENV={venv}", f"PORT={serve_port}"], project,
                    venv_env(venv))  # fmt: skip
        base = f"http://127.0.0.1:{serve_port}"
        wait_until(lambda: get_json(f"{base}/ready")["status"] == "ready", 120, "the serving app")

        # Undrifted traffic: the job says "no retrain"; the DAG emits nothing; KFP skips training.
        send(base, traffic(project, venv, tmp_path / "calm.json", 600, seed=11), "calm")
        wait_until(lambda: logged_rows(project, venv) >= 600, 60, "the prediction log", every=2)
        calm = monitor(project, venv)
        assert calm["decision"]["action"] == "none", calm["decision"]
        assert calm["drift"]["enough_data"] and calm["drift"]["rows"] >= 600
        skipped = make(project, "dag-test-monitoring", venv).stdout
        assert asset_events(project) == []
        (line,) = [row for row in skipped.splitlines() if row.split()[:2] == ["monitor", "skipped"]]
        assert "no retrain (none)" in line, skipped  # the reason, not a bare "skipped"
        before = versions(project, venv)
        make(project, "kfp-monitor", venv, MONITORING_CONFIG=str(quick_config))
        assert versions(project, venv) == before, "the KFP retrain branch ran on calm traffic"

        # Shifted traffic: drift named, an asset event with the reasons, KFP retrains.
        shifted = traffic(project, venv, tmp_path / "shifted.json", 600, seed=12, shift=45.0)
        send(base, shifted, "shifted")
        wait_until(lambda: logged_rows(project, venv) >= 1200, 60, "the prediction log", every=2)
        drifted = monitor(project, venv)
        assert drifted["decision"]["action"] == "retrain", drifted["decision"]
        assert "monthly_charges" in drifted["decision"]["reasons"][0]
        assert "monthly_charges" in drifted["drift"]["drifted"]
        make(project, "dag-test-monitoring", venv)
        (event,) = asset_events(project)
        assert event["trigger"] == "drift" and "monthly_charges" in event["reasons"][0]

        data_kfp = write_data(project, venv, tmp_path / "data-kfp.csv", seed=301)
        make(project, "kfp-monitor", venv, MONITORING_CONFIG=str(quick_config),
             PIPELINE_DATA_SOURCE=str(data_kfp))  # fmt: skip
        assert versions(project, venv) == before + 1, "the KFP retrain branch did not run"
        assert_last_run(project, venv, "kubeflow-drift")  # the MLflow run names its trigger

        # The training DAG, run with the event's payload, retrains through the gates.
        data_dag = write_data(project, venv, tmp_path / "data-dag.csv", seed=302)
        conf = json.dumps({"trigger": event["trigger"], "reasons": event["reasons"]})
        make(project, "dag-test", venv, CONF=conf, MONITORING_CONFIG=str(quick_config),
             PIPELINE_DATA_SOURCE=str(data_dag))  # fmt: skip
        assert versions(project, venv) == before + 2
        assert_last_run(project, venv, "airflow-drift")
        dag_run = json.loads(run([venv / "bin/python", "-m", f"{PACKAGE}.monitoring", "guards"],
                                 project, {"PYTHONPATH": "src"}).stdout)["last"]  # fmt: skip
        assert dag_run["trigger"] == "drift" and dag_run["outcome"] == "succeeded", dag_run
        assert "monthly_charges" in dag_run["reasons"][0]

        # A second automatic trigger inside the (project's) cool-down is refused.
        refused = subprocess.run(
            [venv / "bin/python", "-m", f"{PACKAGE}.monitoring", "retrain", "--trigger", "drift"],
            cwd=project, env=venv_env(venv, PYTHONPATH="src"), capture_output=True, text=True,
        )  # fmt: skip
        assert refused.returncode == 1 and "cool-down" in refused.stderr, refused.stderr

        # Injected failures (data that breaks the contract) open the circuit breaker.
        bad = tmp_path / "bad.csv"
        py(project, venv, (
            f"from {PACKAGE}.data import generate\n"
            "d = generate(); d.loc[:9, 'monthly_charges'] = -1\n"
            f"d.to_csv({str(bad)!r}, index=False)\n"
        ))  # fmt: skip
        for _ in range(3):
            failed = subprocess.run(
                [venv / "bin/python", "-m", f"{PACKAGE}.monitoring", "retrain"],
                cwd=project, capture_output=True, text=True,
                env=venv_env(venv, PYTHONPATH="src", PIPELINE_DATA_SOURCE=str(bad)),
            )  # fmt: skip
            assert failed.returncode == 1 and "retrain failed" in failed.stderr, failed.stderr
        status = json.loads(run([venv / "bin/python", "-m", f"{PACKAGE}.monitoring", "guards"],
                                project, {"PYTHONPATH": "src"}).stdout)  # fmt: skip
        assert status["circuit_open"] and status["consecutive_failures"] == 3
        run([venv / "bin/python", "-m", f"{PACKAGE}.monitoring", "guards", "reset"], project,
            {"PYTHONPATH": "src"})  # fmt: skip

        # The loop with real parts: Prometheus scrapes the app and the drift metrics (served by
        # the receiver), the drift alert fires, Alertmanager calls the receiver, which retrains.
        # The app restarts to serve the new champion; drift is judged on the rows it scores.
        procs.stop_one("serve")
        serve_port = free_port()
        procs.start("serve2", ["make", "serve", f"VENV={venv}", f"PORT={serve_port}"], project,
                    venv_env(venv))  # fmt: skip
        base = f"http://127.0.0.1:{serve_port}"
        wait_until(lambda: get_json(f"{base}/ready")["status"] == "ready", 120, "the serving app")
        send(base, shifted, "shifted-again")
        wait_until(lambda: logged_rows(project, venv) >= 1800, 60, "the prediction log", every=2)
        data_loop = write_data(project, venv, tmp_path / "data-loop.csv", seed=303)
        procs.start("receiver", ["make", "receiver", f"VENV={venv}",
                                 f"RECEIVER_PORT={receiver_port}"], project,
                    venv_env(venv, MONITORING_CONFIG=str(quick_config),
                             PIPELINE_DATA_SOURCE=str(data_loop)))  # fmt: skip
        receiver = f"http://127.0.0.1:{receiver_port}"
        wait_until(lambda: get_json(f"{receiver}/health")["status"] == "ok", 60, "the receiver")
        # `make receiver` wrote its token; Alertmanager reads the same file (credentials_file).
        token_file = project / "secrets" / "remediation-token"
        token = token_file.read_text().strip()
        assert token_file.stat().st_mode & 0o077 == 0
        refused_before = versions(project, venv)
        assert_refused(receiver, token)
        assert monitor(project, venv)["decision"]["reasons"]  # drift still seen: metrics say 1

        am_port, prom_port = free_port(), free_port()
        am_config = yaml.safe_load(
            (project / "monitoring" / "alertmanager" / "alertmanager.yml").read_text()
        )
        am_config["route"].update(group_wait="1s", group_interval="1s", repeat_interval="1m")
        webhook = am_config["receivers"][0]["webhook_configs"][0]
        webhook["url"] = f"{receiver}/alerts"
        # The generated config names the token file relative to itself; this copy lives
        # elsewhere, so it names the same file absolutely.
        assert webhook["http_config"]["authorization"]["credentials_file"] == (
            "../../secrets/remediation-token")  # fmt: skip
        webhook["http_config"]["authorization"]["credentials_file"] = str(token_file)
        (tmp_path / "alertmanager.yml").write_text(yaml.safe_dump(am_config))
        run([amtool, "check-config", tmp_path / "alertmanager.yml"], project)
        procs.start("alertmanager", [
            ensure_binary("prometheus-alertmanager"),
            f"--config.file={tmp_path / 'alertmanager.yml'}",
            f"--storage.path={tmp_path / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",
        ], tmp_path)  # fmt: skip
        (tmp_path / "prometheus.yml").write_text(prometheus_config(
            project / "monitoring" / "prometheus" / "monitoring_alerts.yml", am_port,
            {"serving": serve_port, "monitoring": receiver_port},
            external_labels={"environment": "dev"},
        ))  # fmt: skip
        run([tool("promtool", venv), "check", "config", tmp_path / "prometheus.yml"], project)
        procs.start("prometheus", [
            ensure_binary("prometheus"),
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'prom-data'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
        ], tmp_path)  # fmt: skip
        prom = f"http://127.0.0.1:{prom_port}"

        def query(expr: str) -> list:
            url = f"{prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
            return get_json(url)["data"]["result"]

        wait_until(lambda: query('mlops_serving_predictions_total{project="e2e-auto"}'), 90,
                   "Prometheus scraping the serving app")  # fmt: skip
        wait_until(lambda: query('mlops_drift_detected{project="e2e-auto"} == 1'), 90,
                   "Prometheus scraping the drift metrics")  # fmt: skip

        def firing(alertname: str) -> bool:
            alerts = get_json(f"{prom}/api/v1/alerts")["data"]["alerts"]
            return any(
                a["labels"]["alertname"] == alertname and a["state"] == "firing" for a in alerts
            )

        wait_until(lambda: firing("MLDataDrift"), 90, "the drift alert to fire")

        def retrain_done():
            actions = get_json(f"{receiver}/actions", token=token)
            done = [a for a in actions if a["alertname"] == "MLDataDrift" and "outcome" in a]
            return done[0] if done else None

        action = wait_until(retrain_done, 400, "the receiver's retrain", every=3)
        assert action["action"] == "retrain" and action["result"] == "started"
        assert action["by"] == "alertmanager"  # the token's name: the authenticated caller
        assert action["outcome"]["status"] == "succeeded", action["outcome"]
        assert action["outcome"]["trigger"] == "alert:MLDataDrift"
        assert action["outcome"]["via"] == "local"  # a process of its own, not the receiver's
        assert versions(project, venv) == before + 3 == refused_before + 1
        assert_last_run(project, venv, "local-alert")
        # Alertmanager keeps notifying while the alert fires; the receiver acts once.
        time.sleep(3)
        started = [a for a in get_json(f"{receiver}/actions", token=token)
                   if a["result"] == "started"]  # fmt: skip
        assert len(started) == 1, started

        # The business KPI from feedback (issue 22): labels saying that every row the model let
        # go (probability under 0.5) was a churner put recall at 0, under the configured floor
        # (0.5). The job exports it, the real Prometheus fires MLBusinessKPILow, and the receiver,
        # which acts only on its project's and environment's alerts, pages (remediation.yaml).
        missed = int(py(project, venv, KPI_FEEDBACK.format(package=PACKAGE),
                        MLOPS_PROJECT_ROOT=str(project)).split()[-1])  # fmt: skip
        assert missed >= 50, missed  # the KPI's min_labels
        kpi = monitor(project, venv)["kpi"]
        assert kpi["name"] == "churners_caught" and kpi["labelled"] == missed, kpi
        assert kpi["value"] == 0.0 and kpi["below"] and kpi["threshold"] == 0.5, kpi
        wait_until(lambda: firing("MLBusinessKPILow"), 60, "the business KPI alert to fire")

        def paged():
            actions = get_json(f"{receiver}/actions", token=token)
            done = [a for a in actions if a["alertname"] == "MLBusinessKPILow" and "outcome" in a]
            return done[0] if done else None

        page = wait_until(paged, 60, "the receiver to page for the KPI", every=2)
        assert page["action"] == "page" and page["result"] == "started", page
        assert page["outcome"]["status"] == "succeeded", page
        pages = project / "artifacts" / "monitoring" / "state" / "pages.jsonl"
        (sent,) = [json.loads(line) for line in pages.read_text().splitlines()
                   if json.loads(line)["alert"] == "MLBusinessKPILow"]  # fmt: skip
        for label in ("project=e2e-auto", "environment=dev", "kpi=churners_caught"):
            assert label in sent["reasons"], sent
    except BaseException:
        for name in ("serve", "serve2", "receiver", "prometheus", "alertmanager"):
            print(f"--- {name} log ---\n{procs.log(name)}")
        raise
    finally:
        procs.stop()

    # The local walkthrough on the same project (its servers stopped): reset, serve, normal and
    # shifted traffic, the job's two decisions, a retrain on the labelled rows, the champion
    # decision, serving following the alias, rollback, audit, decay by the simulator's clock.
    walked = make(project, "walkthrough", venv).stdout
    print(walked)
    assert "decision: none" in walked.split("[5]")[0], walked
    assert re.search(r"\[5\][^\[]*decision: retrain\s+reason: drift: monthly_charges", walked)
    assert re.search(r"retrain succeeded: version \d+", walked), walked
    # Serving follows the new champion (the retrain's, or an operator's promotion through the
    # policy when the retrain lost; the policy may refuse that one) and then the rollback.
    follows = re.findall(r"/predict answers with version (\d+) after", walked)
    rolled = re.search(r"champion (\d+) -> (\d+); /predict answers with version (\d+)", walked)
    assert rolled and rolled.group(2) == rolled.group(3), walked
    assert follows[0] == rolled.group(1) or "refused by the promotion policy" in walked, walked
    assert re.search(r"rollback champion: \d+ -> \d+ by", walked) and "verified: intact" in walked
    assert re.search(r"reason: decay: roc_auc under 0.7 in [345] of the last 5 windows", walked)
    assert "logged; 400 labels recorded" in walked


# Labels for the logged rows the model let go (probability under 0.5): all churners.
KPI_FEEDBACK = """
import time
import pandas as pd
from mlops_runtime.monitoring.prediction_log import read_partitioned, write_feedback
from {package}.settings import load_settings
settings = load_settings()
logged = read_partitioned(settings.prediction_log_uri, 0, time.time() + 1,
                          columns=["request_id", "row", "probability"])
missed = logged[logged["probability"] < 0.5]
write_feedback(pd.DataFrame({{"request_id": missed["request_id"], "row": missed["row"],
                              "label": 1}}), settings.feedback_uri)
print(len(missed))
"""


KFP_FAILED_RETRAIN = """
import json, os, sys
sys.path.insert(0, "pipelines")
from kfp import local
from kfp_pipeline import PROJECT_ROOT, training_pipeline
from {package}.monitoring import begin_retrain

started = begin_retrain("drift", ["drift: injected"])
print("begun", started["ticket"], flush=True)
os.environ["PIPELINE_DATA_SOURCE"] = {bad!r}  # the pipeline's validate step fails on it
local.init(runner=local.SubprocessRunner(use_venv=False),
           pipeline_root=str(PROJECT_ROOT / "artifacts" / "kfp"))
try:
    training_pipeline(retrain=json.dumps(started))
except RuntimeError as exc:
    print("pipeline failed:", str(exc).splitlines()[0], flush=True)
else:
    sys.exit("the training pipeline should have failed")
"""


def test_level3_failed_kfp_retrain_is_recorded_by_the_exit_handler(tmp_path, venv):
    """A guarded retrain whose training task fails under kfp.local: the training pipeline's exit
    handler records the failure in the shared state, releases the single-flight lease and counts
    it toward the circuit breaker, so the next retrain can start."""
    name, package = "e2e-kfp-fail", "e2e_kfp_fail"
    project = generate(tmp_path, name, "--level", "3", "--orchestrator", "kubeflow")
    make(project, "setup", venv)
    make(project, "data", venv)  # the configured source a retrain starts from (DVC-tracked)
    bad = tmp_path / "bad.csv"
    py(project, venv, (
        f"from {package}.data import generate\n"
        "d = generate(); d.loc[:9, 'monthly_charges'] = -1\n"
        f"d.to_csv({str(bad)!r}, index=False)\n"
    ))  # fmt: skip
    out = py(project, venv, KFP_FAILED_RETRAIN.format(package=package, bad=str(bad)),
             MLOPS_PROJECT_ROOT=str(project))  # fmt: skip
    assert "pipeline failed" in out, out
    ticket = out.split("begun ", 1)[1].split()[0]

    def guards(*args: str) -> dict:
        return json.loads(run([venv / "bin/python", "-m", f"{package}.monitoring", "guards",
                               *args], project, {"PYTHONPATH": "src"}).stdout)  # fmt: skip

    status = guards()
    assert not status["in_flight"], status  # the exit handler released the lease
    assert status["consecutive_failures"] == 1 and status["totals"]["failed"] == 1, status
    last = status["last"]
    assert last["id"] == ticket and last["outcome"] == "failed", last
    assert "Kubeflow run failed" in last["detail"], last
    # the lease is free: a person's retrain may start at once (no single-flight refusal)
    py(project, venv, (
        f"from {package}.monitoring import begin_retrain, finish_retrain\n"
        "s = begin_retrain('manual', ['after the failure'])\n"
        "finish_retrain(s, error='not trained in this test')\n"
    ), MLOPS_PROJECT_ROOT=str(project))  # fmt: skip
    assert guards()["consecutive_failures"] == 2
