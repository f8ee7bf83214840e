"""`mlops_runtime.worker_env`: the one declaration of the workers' environment, checked, and
rendered for the Airflow Helm chart and as a ConfigMap (the KFP side is tested by compiling a
generated project's pipelines: tests/e2e, the project's tests/test_worker_env.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from mlops_runtime.worker_env import (
    WorkerEnvError,
    airflow_helm_values,
    config_map_manifest,
    load_worker_env,
    main,
    parse_worker_env,
)

GOOD = {
    "config_map": "churn-worker-env",
    "variables": {"MLOPS_ENV": "prod", "MONITORING_ENABLED": True, "WINDOW": 24},
    "secrets": [
        {"env": "MLOPS_STATE_URI", "secret": "churn-state", "key": "uri"},
        {"env": "MLFLOW_TRACKING_TOKEN", "secret": "churn-mlflow", "key": "token",
         "optional": True},
    ],
}  # fmt: skip


def test_a_declaration_is_rendered_for_the_airflow_chart_and_as_a_configmap():
    env = parse_worker_env(GOOD)
    assert env.names == [
        "MLOPS_ENV", "MONITORING_ENABLED", "WINDOW", "MLOPS_STATE_URI", "MLFLOW_TRACKING_TOKEN"
    ]  # fmt: skip
    values = airflow_helm_values(env)
    assert values["secret"] == [
        {"envName": "MLOPS_STATE_URI", "secretName": "churn-state", "secretKey": "uri"}
    ]
    assert yaml.safe_load(values["extraEnv"]) == [{
        "name": "MLFLOW_TRACKING_TOKEN",
        "valueFrom": {"secretKeyRef": {"name": "churn-mlflow", "key": "token", "optional": True}},
    }]  # fmt: skip
    assert yaml.safe_load(values["extraEnvFrom"]) == [
        {"configMapRef": {"name": "churn-worker-env"}}
    ]
    manifest = config_map_manifest(env)
    # A ConfigMap holds strings only.
    assert manifest["data"] == {"MLOPS_ENV": "prod", "MONITORING_ENABLED": "true", "WINDOW": "24"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"variables": {"GOVERNANCE_AUDIT_KEY": "abc"}}, "looks like a credential"),
        ({"variables": {"lower": "x"}}, "not an environment variable name"),
        ({"config_map": "Not_A_Name"}, "not a Kubernetes name"),
        ({"config_map": None}, "need a config_map"),
        ({"secrets": [{"env": "MLOPS_ENV", "secret": "s", "key": "k"}]}, "declared twice"),
        ({"secrets": [{"env": "A", "secret": "s"}]}, "is not a Secret key"),
        ({"secrets": [{"env": "A", "secret": "s", "key": "k", "value": "x"}]}, "must have env"),
        ({"secrets": [{"env": "A", "secret": "s", "key": "k", "optional": 1}]}, "true or false"),
        ({"extra": 1}, "unknown keys extra"),
    ],
)
def test_a_bad_declaration_is_one_line_naming_the_entry(change, message):
    with pytest.raises(WorkerEnvError, match=message) as caught:
        parse_worker_env({**GOOD, **change}, "config/worker_env.yaml")
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("config/worker_env.yaml")


def test_render_then_check_and_a_stale_file_is_named(tmp_path, capsys):
    (tmp_path / "config").mkdir()
    declaration = tmp_path / "config" / "worker_env.yaml"
    declaration.write_text(yaml.safe_dump(GOOD))
    out = tmp_path / "k8s" / "workers"
    assert main(["render", "--out", str(out)], root=tmp_path) == 0
    assert sorted(p.name for p in out.iterdir()) == ["airflow-values.yaml", "configmap.yaml"]
    assert main(["check", "--out", str(out)], root=tmp_path) == 0
    # Comments and formatting do not count; content does.
    values = out / "airflow-values.yaml"
    values.write_text("# a note\n" + values.read_text())
    assert main(["check", "--out", str(out)], root=tmp_path) == 0
    declaration.write_text(yaml.safe_dump({**GOOD, "secrets": GOOD["secrets"][:1]}))
    capsys.readouterr()
    assert main(["check", "--out", str(out)], root=tmp_path) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "airflow-values.yaml" in err and "make worker-env" in err
    assert "configmap.yaml" not in err


def test_without_airflow_only_the_configmap_and_a_missing_declaration_is_one_line(tmp_path, capsys):
    declaration = tmp_path / "env.yaml"
    declaration.write_text(yaml.safe_dump(GOOD))
    out = tmp_path / "workers"
    assert main(["render", "--config", str(declaration), "--out", str(out), "--no-airflow"],
                root=tmp_path) == 0  # fmt: skip
    assert [p.name for p in out.iterdir()] == ["configmap.yaml"]
    capsys.readouterr()
    assert main(["check", "--out", str(out)], root=tmp_path) == 1
    assert "worker env declaration not found" in capsys.readouterr().err
    with pytest.raises(WorkerEnvError, match="not valid YAML"):
        declaration.write_text("a: [")
        load_worker_env(declaration)


def _compiled(secrets: list[dict], variables: list[str]) -> list[dict]:
    """What `kfp` compiles a two-component pipeline to, with the platform spec kfp-kubernetes
    writes for each component (its shape as in KFP 2: configMapAsEnv, secretAsEnv)."""
    config = {
        "configMapAsEnv": [{"configMapName": "churn-worker-env",
                            "keyToEnv": [{"configMapKey": v, "envVar": v} for v in variables]}],
        "secretAsEnv": secrets,
    }  # fmt: skip
    names = ("exec-prepare-op", "exec-train-op")
    return [
        {"deploymentSpec": {"executors": {n: {"container": {}} for n in names}}},
        {"platforms": {"kubernetes": {"deploymentSpec": {"executors": {
            n: config for n in names}}}}},
    ]  # fmt: skip


def test_a_compiled_pipeline_is_checked_against_the_declaration():
    from mlops_runtime.worker_env import compiled_problems

    env = parse_worker_env(GOOD)
    secrets = [
        {"secretName": "churn-state", "optional": False,
         "keyToEnv": [{"secretKey": "uri", "envVar": "MLOPS_STATE_URI"}]},
        {"secretName": "churn-mlflow", "optional": True,
         "keyToEnv": [{"secretKey": "token", "envVar": "MLFLOW_TRACKING_TOKEN"}]},
    ]  # fmt: skip
    assert compiled_problems(_compiled(secrets, list(env.variables)), env) == (2, [])
    count, problems = compiled_problems(_compiled(secrets[:1], ["MLOPS_ENV"]), env)
    assert count == 2 and len(problems) == 4
    assert problems[0].startswith("exec-prepare-op: ConfigMap variables ['MLOPS_ENV']")
    assert problems[1] == (
        "exec-prepare-op: Secrets differ from the declaration (missing ['MLFLOW_TRACKING_TOKEN'])"
    )
    bare = _compiled(secrets, list(env.variables))[:1]  # compiled without kfp-kubernetes
    assert len(compiled_problems(bare, env)[1]) == 4


_SHARED = """import os, yaml
DECLARED = yaml.safe_load(open(os.environ["WORKER_ENV_CONFIG"]))  # read at import
"""
_PIPELINE = '''import yaml
from shared import DECLARED


def compile_pipeline(output):
    """Writes what kfp-kubernetes would for one component given DECLARED."""
    secrets = [{"secretName": s["secret"], "optional": s.get("optional", False),
                "keyToEnv": [{"secretKey": s["key"], "envVar": s["env"]}]}
               for s in DECLARED["secrets"]]
    config = {"configMapAsEnv": [{"configMapName": DECLARED["config_map"], "keyToEnv": [
        {"configMapKey": v, "envVar": v} for v in DECLARED["variables"]]}],
        "secretAsEnv": secrets}
    yaml.safe_dump_all([
        {"deploymentSpec": {"executors": {"exec-train-op": {"container": {}}}}},
        {"platforms": {"kubernetes": {"deploymentSpec": {"executors": {"exec-train-op": config}}}}},
    ], open(output, "w"))
'''


def test_a_pipeline_module_is_compiled_afresh_with_the_declaration_as_it_is_now(
    tmp_path, monkeypatch
):
    """`compile_and_check` re-imports the pipeline and the modules beside it, so an edit of the
    declaration between two checks is what the second one compiles (no stale import)."""
    from mlops_runtime.worker_env import compile_and_check

    pipelines = tmp_path / "pipelines"
    pipelines.mkdir()
    (pipelines / "shared.py").write_text(_SHARED)
    (pipelines / "kfp_pipeline.py").write_text(_PIPELINE)
    declaration = tmp_path / "worker_env.yaml"
    declaration.write_text(yaml.safe_dump(GOOD))
    monkeypatch.setenv("WORKER_ENV_CONFIG", str(declaration))
    env = parse_worker_env(GOOD)
    output = tmp_path / "compiled.yaml"
    assert compile_and_check(pipelines / "kfp_pipeline.py", env, output) == (1, [])
    extra = {"env": "EXTRA_DB_URL", "secret": "extra-db", "key": "url"}
    grown = {**GOOD, "secrets": [*GOOD["secrets"], extra]}
    declaration.write_text(yaml.safe_dump(grown))
    # The pipeline compiled now carries the new Secret, which the old declaration lacks.
    count, problems = compile_and_check(pipelines / "kfp_pipeline.py", env, output)
    assert count == 1 and problems == [
        "exec-train-op: Secrets differ from the declaration (missing [], not declared "
        "['EXTRA_DB_URL'])"
    ]
    assert compile_and_check(pipelines / "kfp_pipeline.py", parse_worker_env(grown), output) == (
        1, [],
    )  # fmt: skip
    import sys

    assert "shared" not in sys.modules and "kfp_pipeline" not in sys.modules


def test_worker_env_path_is_the_variable_else_the_config_file(tmp_path, monkeypatch):
    from mlops_runtime.worker_env import worker_env_path

    monkeypatch.delenv("WORKER_ENV_CONFIG", raising=False)
    assert worker_env_path(tmp_path) == tmp_path / "config" / "worker_env.yaml"
    monkeypatch.setenv("WORKER_ENV_CONFIG", "deploy/env.yaml")
    assert worker_env_path(tmp_path) == tmp_path / "deploy" / "env.yaml"
    monkeypatch.setenv("WORKER_ENV_CONFIG", "/etc/worker_env.yaml")
    assert worker_env_path(tmp_path) == Path("/etc/worker_env.yaml")


# A stand-in for kfp and kfp-kubernetes (not in the fast suite's environment; the generated
# projects' own tests compile real pipelines with them): it records what the runtime asks of
# kfp.kubernetes, and the pipeline being defined is whatever the test sets.
FAKE_KFP = {
    "__init__.py": "",
    "kubernetes.py": """
        CALLS = []

        def use_config_map_as_env(task, config_map_name, config_map_key_to_env):
            CALLS.append((task.name, "config_map", config_map_name, config_map_key_to_env))

        def use_secret_as_env(task, secret_name, secret_key_to_env, optional=False):
            CALLS.append((task.name, "secret", secret_name, secret_key_to_env, optional))
    """,
    "dsl/__init__.py": "",
    "dsl/pipeline_context.py": """
        class Pipeline:
            default = None

            @classmethod
            def get_default_pipeline(cls):
                return cls.default
    """,
}


@pytest.fixture
def fake_kfp(tmp_path, monkeypatch):
    from fake_packages import forget_package, write_package

    forget_package("kfp")
    write_package(tmp_path / "fake_kfp", "kfp", FAKE_KFP, monkeypatch)
    import kfp.dsl.pipeline_context
    import kfp.kubernetes

    yield kfp
    forget_package("kfp")


def test_apply_to_kfp_task_and_pipeline_give_every_component_the_declaration(fake_kfp):
    from types import SimpleNamespace

    from mlops_runtime.worker_env import apply_to_kfp_pipeline, apply_to_kfp_task

    env = parse_worker_env(GOOD)
    task = SimpleNamespace(name="train", container_spec=object())
    assert apply_to_kfp_task(task, env) is task
    assert fake_kfp.kubernetes.CALLS == [
        ("train", "config_map", "churn-worker-env",
         {"MLOPS_ENV": "MLOPS_ENV", "MONITORING_ENABLED": "MONITORING_ENABLED",
          "WINDOW": "WINDOW"}),
        ("train", "secret", "churn-state", {"uri": "MLOPS_STATE_URI"}, False),
        ("train", "secret", "churn-mlflow", {"token": "MLFLOW_TRACKING_TOKEN"}, True),
    ]  # fmt: skip

    fake_kfp.kubernetes.CALLS.clear()
    with pytest.raises(RuntimeError, match="inside a @dsl.pipeline body"):
        apply_to_kfp_pipeline(env)
    tasks = {"prepare": SimpleNamespace(name="prepare", container_spec=object()),
             "nested": SimpleNamespace(name="nested", container_spec=None),
             "train": SimpleNamespace(name="train", container_spec=object())}  # fmt: skip
    fake_kfp.dsl.pipeline_context.Pipeline.default = SimpleNamespace(tasks=tasks)
    assert apply_to_kfp_pipeline(env) == ["prepare", "train"]  # a nested pipeline applies its own
    assert {call[0] for call in fake_kfp.kubernetes.CALLS} == {"prepare", "train"}
    assert len(fake_kfp.kubernetes.CALLS) == 6


def test_apply_to_kfp_task_without_kfp_kubernetes_names_the_install(tmp_path, monkeypatch):
    from fake_packages import forget_package, write_package
    from mlops_runtime.worker_env import apply_to_kfp_task

    forget_package("kfp")
    write_package(tmp_path / "bare_kfp", "kfp", {"__init__.py": ""}, monkeypatch)
    try:
        with pytest.raises(
            ImportError, match=r'kfp-kubernetes is needed.*pip install "\.\[kubeflow\]"'
        ):
            apply_to_kfp_task(object(), parse_worker_env(GOOD))
    finally:
        forget_package("kfp")
