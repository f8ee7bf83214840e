from scaffolder.assess.models import Zone
from scaffolder.assess.parse_python import parse_python


def facts_of(code: str, path: str = "src/pkg/mod.py", zone: Zone = Zone.SOURCE, test: bool = False):
    import textwrap

    found, problems = parse_python(textwrap.dedent(code).lstrip("\n").encode(), path, zone, test)
    return found, problems


def kinds(code: str, **kw) -> list[str]:
    return [f.kind for f in facts_of(code, **kw)[0]]


def test_mlflow_calls_resolve_through_import_aliases():
    code = """
        import mlflow as mf
        from mlflow import log_metric as lm
        mf.start_run()
        lm("auc", 0.9)
    """
    found, _ = facts_of(code)
    tracking = [f for f in found if f.kind == "mlflow.tracking"]
    assert [(f.line, f.detail["call"]) for f in tracking] == [(3, "start_run"), (4, "log_metric")]


def test_a_local_name_shadowing_nothing_is_not_mlflow():
    assert "mlflow.tracking" not in kinds(
        "def log_metric(x):\n    pass\nlog_metric(1)\nstart_run()\n"
    )


def test_registry_calls_on_a_client_instance_and_alias_names():
    code = """
        from mlflow.tracking import MlflowClient as C
        client = C()
        client.set_registered_model_alias("churn", "champion", 3)
    """
    found, _ = facts_of(code)
    alias = [f for f in found if f.kind == "mlflow.alias"]
    assert alias and alias[0].detail["alias"] == "champion" and alias[0].line == 3
    assert "mlflow.registry" in {f.kind for f in found}


def test_log_model_registers_only_with_a_registered_name():
    assert "mlflow.registry" not in kinds("import mlflow\nmlflow.sklearn.log_model(m, 'model')\n")
    assert "mlflow.registry" in kinds(
        "import mlflow\nmlflow.sklearn.log_model(m, 'model', registered_model_name='x')\n"
    )


def test_kfp_pipeline_decorator_through_from_import():
    code = """
        from kfp import dsl as d

        @d.pipeline(name="training")
        def training():
            pass
    """
    found, _ = facts_of(code)
    pipeline = [f for f in found if f.kind == "kfp.pipeline"]
    assert pipeline[0].detail["name"] == "training" and pipeline[0].line == 4


def test_airflow_dag_forms_and_schedules():
    code = """
        from airflow.sdk import dag
        from airflow import DAG as D

        @dag(schedule="@weekly")
        def training():
            pass

        with D("nightly", schedule=None):
            pass
    """
    found, _ = facts_of(code)
    dags = [(f.detail["dag_id"], f.detail["schedule"]) for f in found if f.kind == "airflow.dag"]
    assert dags == [("training", "@weekly"), ("nightly", "none")]


def test_fastapi_routes_prometheus_metrics_and_drift():
    code = """
        from fastapi import FastAPI
        from prometheus_client import Counter, make_asgi_app
        from scipy.stats import ks_2samp
        import evidently

        app = FastAPI()
        REQUESTS = Counter("requests_total", "requests")
        app.mount("/metrics", make_asgi_app())

        @app.post("/predict")
        def predict():
            return ks_2samp([1], [2])

        @app.get("/health")
        def health():
            return {}
    """
    found, _ = facts_of(code)
    routes = {(f.detail["method"], f.detail["route"]) for f in found if f.kind == "fastapi.route"}
    assert routes == {("post", "/predict"), ("get", "/health")}
    assert {
        "fastapi.app",
        "prometheus.metric",
        "prometheus.export",
        "drift.test",
        "drift.library",
        "fastapi.mount",
    } <= {f.kind for f in found}


def test_seeds_and_model_artifacts():
    code = """
        import numpy as np
        import joblib
        np.random.seed(1)
        split(df, random_state=None)
        joblib.dump(model, "m.joblib")
    """
    found, _ = facts_of(code)
    seeds = [f for f in found if f.kind == "seed"]
    assert [f.line for f in seeds] == [3]  # random_state=None is not a seed
    assert "model.save" in {f.kind for f in found}


def test_gx_and_pandera_usage():
    assert "gx.usage" in kinds("import great_expectations as gx\n")
    assert "pandera.usage" in kinds("import pandera as pa\n")


def test_tests_are_recognised_as_such():
    code = """
        from airflow.models import DagBag

        def test_challenger_beats_champion():
            assert DagBag

        def test_dag_imports():
            assert DagBag().import_errors == {}
    """
    found, _ = facts_of(code, path="tests/test_x.py", zone=Zone.TESTS, test=True)
    names = {(f.kind, f.detail.get("name")) for f in found}
    assert ("test.model", "test_challenger_beats_champion") in names
    assert ("test.pipeline", "test_dag_imports") in names


def test_syntax_error_is_a_problem_with_its_line_not_a_crash():
    found, problems = facts_of("import mlflow\ndef broken(:\n")
    assert found == []
    assert problems[0].category == "python" and problems[0].line == 2
    assert problems[0].where == "src/pkg/mod.py:2"


def test_a_file_without_trigger_words_is_not_parsed():
    # Not even a syntax error is reported: the file cannot hold a fact, so it is skipped.
    assert facts_of("x = (\n") == ([], [])


def test_the_runtime_kfp_schedule_is_a_recurring_run():
    # generated level-3 KFP projects schedule the monitoring pipeline through the runtime
    found, _ = facts_of(
        """
        from mlops_runtime import kfp_schedule

        kfp_schedule.main(compile_monitoring, experiment="exp", job_name="monitoring")
        """,
        path="scripts/kfp_recurring_run.py",
    )
    assert [(f.kind, f.detail["recurring"]) for f in found if f.kind == "kfp.run"] == [
        ("kfp.run", True)
    ]
