"""Level 3 on real engines, started by the test on loopback: a generated `--level 3
--orchestrator airflow` project deployed as production runs it.

- MLflow: a tracking server on PostgreSQL with an S3 artifact store (moto's S3 server), used by
  `make train`, the registry (alias champion), the serving app (`models:/NAME@champion`), the
  monitoring job and the retrain.
- Airflow: metadata on PostgreSQL, `api-server`, `scheduler`, `dag-processor`, `triggerer` with
  LocalExecutor, driven over the REST API. On undrifted logs the monitoring DAG succeeds and no
  training run appears; on drifted logs its asset event makes the *scheduler* start the training
  DAG, which completes through the level-2 gates and registers a model version.
- The same monitoring DAG once under CeleryExecutor with Redis and `airflow celery worker`.
- A training run that fails (data breaking the contract) under the scheduler: its failure
  callback records the guarded retrain failed in the shared state (PostgreSQL) and releases the
  single-flight lease; checked over the REST API and with `monitoring guards`.

One PostgreSQL cluster (the session fixture) holds every database; every process is stopped at
the end, also on failure; phase times and memory are printed (`pytest -s` shows them live)."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from tests.e2e.conftest import HERE, generate, make, run
from tests.e2e.test_level3 import send
from tests.engines.airflow import Airflow, start_redis
from tests.engines.mlflow_server import MlflowServer
from tests.engines.postgres import _free_port
from tests.engines.processes import Phases, Processes, wait_until

pytestmark = pytest.mark.e2e

NAME, PACKAGE = "e2e-engines", "e2e_engines"
MODEL = f"{NAME}-model"
MONITORING, TRAINING = f"{PACKAGE}_monitoring", f"{PACKAGE}_training"


def venv_env(venv: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("MLFLOW_TRACKING_URI", None)
    env["PIP_CONSTRAINT"] = str(HERE / "constraints.txt")
    return {**env, **extra}


# A deployment-side cluster policy: the test triggers the monitoring DAG over the REST API, so its
# hourly cron ticks (one at unpause, one at each hour the test crosses) would add monitoring runs
# at moments the test does not choose, and a drift retrain from one of them holds the
# single-flight lease while the test's own run asks the guards. Airflow applies the policy when
# it parses the project's DAG file; the file itself is unchanged.
NO_MONITORING_TICKS = f"""
def dag_policy(dag):
    if dag.dag_id == "{MONITORING}":
        from airflow.sdk.definitions.timetables.simple import NullTimetable

        dag.timetable = NullTimetable()
"""


def logged_rows(project: Path, venv: Path) -> int:
    """Rows in the prediction log (daily-partitioned Parquet under artifacts/predictions)."""
    out = run([venv / "bin/python", "-c", (
        "import pathlib, pandas as pd\n"
        "files = list(pathlib.Path('artifacts/predictions').rglob('*.parquet'))\n"
        "print(sum(len(pd.read_parquet(f)) for f in files))\n"
    )], project).stdout  # fmt: skip
    return int(out.strip().splitlines()[-1])


def traffic(project: Path, venv: Path, path: Path, rows: int, seed: int, shift: float = 0.0):
    """Rows from the project's own generator (the training distribution) as JSON records;
    `shift` moves monthly_charges (staying within the data contract)."""
    run([venv / "bin/python", "-c", (
        f"from {PACKAGE}.data import generate\n"
        f"from {PACKAGE}.features import FEATURE_COLUMNS\n"
        f"rows = generate({rows}, seed={seed})[FEATURE_COLUMNS]\n"
        f"rows['monthly_charges'] = (rows['monthly_charges'] + {shift}).clip(upper=500)\n"
        f"rows.to_json({str(path)!r}, orient='records')\n"
    )], project, {"PYTHONPATH": "src"})  # fmt: skip
    return json.loads(path.read_text())


def fresh_data(project: Path, venv: Path, path: Path, seed: int) -> Path:
    """A new training table from the project's own generator (new data, a new digest)."""
    code = f"from {PACKAGE}.data import write_sample\nwrite_sample({str(path)!r}, seed={seed})"
    run([venv / "bin/python", "-c", code], project, {"PYTHONPATH": "src"})
    return path


def broken_data(project: Path, venv: Path, path: Path) -> Path:
    """A training table that breaks the data contract (negative monthly charges)."""
    run([venv / "bin/python", "-c", (
        f"from {PACKAGE}.data import generate\n"
        "d = generate(); d.loc[:9, 'monthly_charges'] = -1\n"
        f"d.to_csv({str(path)!r}, index=False)\n"
    )], project, {"PYTHONPATH": "src"})  # fmt: skip
    return path


def logged_models(mlflow: MlflowServer) -> set[str]:
    """The logged models whose files the MLflow server stored in its S3 bucket."""
    return {k.split("/models/", 1)[1].split("/")[0] for k in mlflow.s3_keys() if "/models/" in k}


def asset_triggered(airflow: Airflow) -> list[dict]:
    return [r for r in airflow.runs(TRAINING) if r["run_type"] == "asset_triggered"]


def event_of(airflow: Airflow, monitoring_run: str) -> dict:
    """The retrain request the monitoring run `monitoring_run` emitted."""
    events = [e for e in airflow.asset_events(MONITORING) if e["source_run_id"] == monitoring_run]
    assert len(events) == 1, f"{monitoring_run} emitted {events}"
    return events[0]


def all_succeeded(airflow: Airflow, run_id: str) -> dict:
    """Every task of a training run succeeded (none skipped by the guards), the gates among them."""
    states = {t["task_id"]: t["state"] for t in airflow.task_instances(TRAINING, run_id)}
    assert set(states.values()) == {"success"}, states
    assert {"decide_run", "validate", "test_model", "register"} <= set(states), states
    return states


def test_level3_on_airflow_and_mlflow_servers(tmp_path, venv, postgres_server):
    phases = Phases("level3-engines")
    project = generate(tmp_path, NAME, "--level", "3", "--orchestrator", "airflow")
    # Automatic retrains here use a config without cool-down (as a staging setup might) and
    # fresh data, so the guards let the drift retrain through.
    quick = yaml.safe_load((project / "config" / "monitoring.yaml").read_text())
    quick["guards"].update(cooldown_hours=0, max_retrains=50)
    quick_config = tmp_path / "monitoring-quick.yaml"
    quick_config.write_text(yaml.safe_dump(quick))
    retrain_data = tmp_path / "retrain-data.csv"

    procs = Processes(tmp_path / "logs")
    memory: dict[str, float] = {}
    local = celery = None
    try:
        # --- engines start while the project installs: MLflow (S3 + server), Redis, and two
        # Airflow deployments' metadata databases (LocalExecutor; CeleryExecutor) ------------
        mlflow = MlflowServer(venv, tmp_path / "mlflow", postgres_server, procs)
        mlflow.start()
        project_env = {
            "MLFLOW_TRACKING_URI": mlflow.uri,
            "MONITORING_CONFIG": str(quick_config),
            "PIPELINE_DATA_SOURCE": str(retrain_data),
            # Shared state (guards, idempotency, audit) on PostgreSQL, as in production.
            "MLOPS_STATE_URI": postgres_server.create_database(),
        }
        local = Airflow(venv, tmp_path / "airflow-local", project / "dags", postgres_server,
                        procs, env=project_env, local_settings=NO_MONITORING_TICKS,
                        name="local")  # fmt: skip
        redis_port = start_redis(procs, tmp_path)
        celery = Airflow(venv, tmp_path / "airflow-celery", project / "dags", postgres_server,
                         procs, executor="CeleryExecutor", redis_port=redis_port,
                         env=project_env, local_settings=NO_MONITORING_TICKS,
                         name="celery")  # fmt: skip
        local.start_migrate()
        make(project, "setup", venv)
        fresh_data(project, venv, retrain_data, seed=501)
        phases.done("generate, make setup (engines starting meanwhile)")
        local.wait_migrated()
        local.start()
        celery.start_migrate()
        mlflow.wait_ready()
        phases.done("MLflow server healthy (PostgreSQL, S3); local Airflow migrated")

        # --- training, registry and serving through the MLflow server --------------------
        make(project, "train", venv, MLFLOW_TRACKING_URI=mlflow.uri)
        (first,) = mlflow.model_versions(MODEL)
        assert mlflow.alias_version(MODEL, "champion") == first["version"]
        assert first["source"].startswith("models:/") or "s3://" in first["source"], first
        assert len(logged_models(mlflow)) == 1, mlflow.s3_keys()  # the model's files are in S3
        phases.done("make train against the MLflow server")

        serve_port = _free_port()
        procs.start("serve", ["make", "serve", f"VENV={venv}", f"PORT={serve_port}"], project,
                    venv_env(venv, MLFLOW_TRACKING_URI=mlflow.uri))  # fmt: skip
        base = f"http://127.0.0.1:{serve_port}"

        def ready():
            procs.check_alive("serve")
            with urllib.request.urlopen(f"{base}/ready", timeout=5) as response:
                return json.loads(response.read())  # 503 (an HTTPError) until it has loaded

        readiness = wait_until(ready, 180, "the serving app /ready", every=2,
                               context=procs.tails)  # fmt: skip
        assert readiness["model_version"] == first["version"], readiness
        send(base, traffic(project, venv, tmp_path / "calm.json", 600, seed=11), "calm")
        wait_until(lambda: logged_rows(project, venv) >= 600, 90, "600 logged predictions",
                   every=3, context=procs.tails)  # fmt: skip
        phases.done("serving models:/NAME@champion from the server; 600 calm rows logged")

        local.wait_healthy()
        # The Celery deployment boots while the LocalExecutor one works.
        celery.wait_migrated()
        celery.start()
        phases.done("Airflow (LocalExecutor) healthy; Celery deployment migrated")
        memory["mlflow server"] = procs.memory_mb("mlflow-server")
        memory["moto s3"] = procs.memory_mb("moto-s3")

        # --- undrifted: the monitoring DAG succeeds, skips its event, no training run -----
        local.wait_dag(MONITORING)
        local.wait_dag(TRAINING)
        # Unpausing a cron-scheduled DAG with catchup=False starts its latest tick at once
        # (Airflow's rule): here a weekly training run ("schedule", on the configured data).
        for dag_id in (MONITORING, TRAINING):
            local.unpause(dag_id)
        calm_run = local.trigger(MONITORING)
        local.wait_run(MONITORING, calm_run)
        states = {t["task_id"]: t["state"] for t in local.task_instances(MONITORING, calm_run)}
        assert states == {"monitor": "skipped"}, states
        assert local.asset_events(MONITORING) == []
        assert asset_triggered(local) == [], "a training run started on undrifted logs"
        phases.done("calm: monitoring DAG run over REST skipped; no asset event, no training")

        # --- the same DAG under CeleryExecutor with Redis (its own metadata database) ------
        # ... on shifted traffic, before the LocalExecutor deployment retrains.
        shifted = traffic(project, venv, tmp_path / "shifted.json", 600, seed=12, shift=45.0)
        send(base, shifted, "shifted")
        wait_until(lambda: logged_rows(project, venv) >= 1200, 90, "1200 logged predictions",
                   every=3, context=procs.tails)  # fmt: skip
        # The weekly run that unpausing started trains on the configured data through the
        # gates; fresh data arrives after it, so the drift retrain is not refused as same-data.
        # Waited for here: while it holds the single-flight lease, monitoring would say "wait".
        (weekly,) = [r for r in local.runs(TRAINING) if r["run_type"] == "scheduled"]
        local.wait_run(TRAINING, weekly["dag_run_id"], timeout=600)
        assert all_succeeded(local, weekly["dag_run_id"])
        assert len(mlflow.model_versions(MODEL)) == 2
        fresh_data(project, venv, retrain_data, seed=502)
        phases.done("the weekly training run (started by unpausing) succeeded")

        celery.wait_healthy()
        phases.done("shifted traffic logged; Airflow (CeleryExecutor + Redis) healthy")
        memory["airflow celery"] = procs.memory_mb(*celery.components())
        memory["redis"] = procs.memory_mb("redis")
        celery.wait_dag(MONITORING)
        celery.unpause(MONITORING)  # the training DAG stays paused in this deployment
        celery_run = celery.trigger(MONITORING)
        celery.wait_run(MONITORING, celery_run)
        (ti,) = celery.task_instances(MONITORING, celery_run)
        assert ti["state"] == "success", ti
        event = event_of(celery, celery_run)
        assert event["extra"]["trigger"] == "drift", event
        assert "monthly_charges" in " ".join(event["extra"]["reasons"]), event
        # The Celery worker received the task and ran it (its success reached Airflow through
        # the execution API above; the worker's own "succeeded" line may come later).
        worker_log = procs.log("celery-celery-worker", 500_000)
        ran_here = "Executing workload in Celery" in worker_log and MONITORING in worker_log
        assert ran_here, worker_log[-3000:]
        procs.stop(*celery.components(), "redis")
        phases.done("celery: monitoring DAG on a Celery worker, asset event with the reasons")

        # --- drifted: the event makes the scheduler start training, through the gates -----
        drift_run = local.trigger(MONITORING)
        local.wait_run(MONITORING, drift_run)
        states = {t["task_id"]: t["state"] for t in local.task_instances(MONITORING, drift_run)}
        assert states == {"monitor": "success"}, states
        event = event_of(local, drift_run)
        assert event["extra"]["trigger"] == "drift", event

        def started_by_event():
            for run in asset_triggered(local):
                path = f"/api/v2/dags/{TRAINING}/dagRuns/{quote(run['dag_run_id'])}"
                upstream = local.api("GET", f"{path}/upstreamAssetEvents")["asset_events"]
                if any(e["source_run_id"] == drift_run for e in upstream):
                    return run
            return None

        started = wait_until(started_by_event, 180, "the scheduler to start the training DAG "
                             "on the drift event", every=2, context=local.context)  # fmt: skip
        phases.done("drift: monitoring DAG emitted its event; scheduler started training")
        local.wait_run(TRAINING, started["dag_run_id"], timeout=600)
        assert all_succeeded(local, started["dag_run_id"])
        versions = mlflow.model_versions(MODEL)
        assert len(versions) == 3, versions
        run_name = mlflow.run(versions[-1]["run_id"])["info"]["run_name"]
        assert f"{PACKAGE}_training-airflow-drift-" in run_name, run_name
        assert len(logged_models(mlflow)) == 3, mlflow.s3_keys()  # each version's model in S3
        memory["airflow local"] = procs.memory_mb(*local.components())
        memory["postgresql (every database)"] = postgres_server.memory_mb()
        phases.done("training DAG through the gates; version 3 in the MLflow server")

        # --- a training run that fails, under the real scheduler: its failure callback
        # records the guarded retrain failed in the shared state and releases its lease -----
        broken_data(project, venv, retrain_data)  # the validate task's data contract fails
        failing = local.trigger(TRAINING, {"trigger": "manual", "reasons": ["e2e: broken data"]})
        local.wait_run(TRAINING, failing, timeout=600, expect="failed")
        states = {t["task_id"]: t["state"] for t in local.task_instances(TRAINING, failing)}
        assert states["decide_run"] == "success" and states["validate"] == "failed", states
        assert states["register"] == "upstream_failed", states
        guards = json.loads(run([venv / "bin/python", "-m", f"{PACKAGE}.monitoring", "guards"],
                                project, project_env).stdout)  # fmt: skip
        assert not guards["in_flight"] and guards["running"] == [], guards  # lease released
        last = guards["last"]
        assert last["trigger"] == "manual" and last["reasons"] == ["e2e: broken data"], guards
        assert last["outcome"] == "failed", guards
        assert guards["last"]["detail"] == "Airflow task validate failed", guards
        assert guards["consecutive_failures"] == 1 and guards["totals"]["failed"] == 1, guards
        assert "postgresql" in guards["store"], guards
        assert len(mlflow.model_versions(MODEL)) == 3
        phases.done("a failed training run: recorded failed in the shared state, lease released")
    except BaseException:
        print(procs.tails(3000))
        for deployment in (local, celery):
            if deployment is not None:
                print(deployment.task_logs(count=4))
        raise
    finally:
        procs.stop()
        print(phases.summary())
        startup = {name: f"{seconds:.1f}" for name, seconds in procs.ready_after.items()}
        startup["postgresql cluster"] = f"{postgres_server.startup_seconds or 0:.1f}"
        print(f"[level3-engines] start-up, s from start to ready (migrate: to exit 0): {startup}")
        print(
            "[level3-engines] memory (PSS): "
            + ", ".join(f"{k} {v:.0f} MB" for k, v in memory.items())
        )
