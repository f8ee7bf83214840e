"""Level-2 detection on hand-written repos laid out unlike the generated projects: environments
as config sections, data contracts (GX files, GX code, declared schemas), serving that loads
by alias through the project's own modules, CD steps that run deploy scripts, GitLab includes."""

from __future__ import annotations

from scaffolder.assess.models import Outcome, Zone
from scaffolder.assess.parse_ci import scripts_run
from scaffolder.assess.parse_python import parse_python
from tests.assess.repos import checks, facts, write


def _kinds(source: str, path: str = "src/shop/x.py") -> list[tuple[str, dict]]:
    found, _ = parse_python(source.encode(), path, Zone.SOURCE, False)
    return [(f.kind, f.detail) for f in found]


# -- reproducibility: environments -----------------------------------------------------------
def test_environment_sections_in_one_config_file(tmp_path):
    write(
        tmp_path,
        {
            "conf/settings.yaml": """
                development: {tracking_uri: sqlite:///mlflow.db}
                production: {tracking_uri: http://mlflow:5000}
            """
        },
    )
    result = checks(tmp_path)["repro.environments"]
    assert result.outcome is Outcome.PASS
    assert result.evidence == ["conf/settings.yaml:1", "conf/settings.yaml:2"]


def test_a_lone_test_section_is_not_an_environment(tmp_path):
    write(tmp_path, {"params.yaml": "train: {lr: 0.1}\ntest: {size: 0.2}\n"})
    assert checks(tmp_path)["repro.environments"].outcome is Outcome.FAIL


# -- validation: data contract ---------------------------------------------------------------
GX_IMPORT = "import great_expectations as gx\n\ncontext = gx.get_context()\n"


def test_data_contract_from_committed_gx_files(tmp_path):
    write(
        tmp_path,
        {
            "gx/expectations/orders.json": """
                {"name": "orders", "expectations": [
                  {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}}]}
            """,
            "gx/checkpoints/orders.yml": "name: orders\nvalidations: []\n",
            "src/shop/validate.py": GX_IMPORT,
        },
    )
    result = checks(tmp_path)["validation.data-contract"]
    assert result.outcome is Outcome.PASS, result.message
    assert {e.rsplit(":", 1)[0] for e in result.evidence} == {
        "gx/expectations/orders.json",
        "gx/checkpoints/orders.yml",
    }


def test_data_contract_written_in_gx_code(tmp_path):
    write(
        tmp_path,
        {
            "src/shop/validate.py": GX_IMPORT
            + """
suite = context.suites.add(gx.ExpectationSuite(name="orders"))
suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column="id"))
checkpoint = context.checkpoints.add(gx.Checkpoint(name="orders", validation_definitions=[]))
"""
        },
    )
    assert checks(tmp_path)["validation.data-contract"].outcome is Outcome.PASS


def test_suites_built_from_data_need_the_declared_schema(tmp_path):
    code = GX_IMPORT + (
        "def build(spec):\n"
        "    suite = gx.ExpectationSuite(name='orders', expectations=spec)\n"
        "    return gx.Checkpoint(name='orders', validation_definitions=[suite])\n"
    )
    write(tmp_path, {"src/shop/validate.py": code})
    result = checks(tmp_path)["validation.data-contract"]
    assert result.outcome is Outcome.FAIL
    assert "(missing: expectations or a declared schema)" in result.message
    # a dbt-style schema file declaring typed columns is the contract the suites come from
    write(
        tmp_path,
        {
            "models/schema.yml": """
                version: 2
                models:
                  - name: orders
                    columns:
                      - {name: id, data_type: integer}
                      - {name: amount, data_type: numeric}
            """
        },
    )
    result = checks(tmp_path)["validation.data-contract"]
    assert result.outcome is Outcome.PASS
    assert result.evidence[0] == "models/schema.yml:4"


def test_gx_imported_without_suite_or_checkpoint_is_no_contract(tmp_path):
    write(tmp_path, {"src/shop/validate.py": GX_IMPORT})
    result = checks(tmp_path)["validation.data-contract"]
    assert result.outcome is Outcome.FAIL
    assert result.message.endswith(
        "(missing: expectations or a declared schema, an expectation suite, a checkpoint)"
    )


def test_declared_schema_shapes():
    # datacontract.com: models -> fields with types; plain columns mapping
    from scaffolder.assess.parse_manifests import manifest_facts
    from scaffolder.assess.parse_yaml import load_yaml_documents

    def schema(text: str) -> list:
        docs = load_yaml_documents(text)
        return [
            f.detail for f in manifest_facts(docs, "x.yaml", Zone.SOURCE) if f.kind == "data.schema"
        ]

    assert schema("models:\n  orders:\n    fields:\n      id: {type: integer}\n") == [
        {"columns": 1}
    ]
    assert schema("columns:\n  - {name: a, type: string}\n  - {name: b}\n") == [{"columns": 1}]
    assert schema("columns: [a, b]\n") == []
    assert schema("fields: {a: 1}\n") == []


# -- tracking: serving from the registry -----------------------------------------------------
def test_serving_loads_by_alias_through_an_absolutely_imported_module(tmp_path):
    write(
        tmp_path,
        {
            "src/shop/api/main.py": """
                from fastapi import FastAPI
                from shop.model_store import load_model

                app = FastAPI()
                MODEL = load_model()
            """,
            "src/shop/model_store.py": """
                import mlflow
                from mlflow import MlflowClient


                def load_model(name="shop", alias="champion"):
                    version = MlflowClient().get_model_version_by_alias(name, alias)
                    return mlflow.pyfunc.load_model(f"models:/{name}/{version.version}")
            """,
        },
    )
    result = checks(tmp_path)["tracking.serving-from-registry"]
    assert result.outcome is Outcome.PASS, result.message
    assert result.evidence == [
        "src/shop/api/main.py:4",
        "src/shop/model_store.py:6",
        "src/shop/model_store.py:7",
    ]


def test_alias_code_the_serving_app_does_not_import_does_not_count(tmp_path):
    write(
        tmp_path,
        {
            "src/shop/api/main.py": """
                import joblib
                from fastapi import FastAPI

                app = FastAPI()
                MODEL = joblib.load("model.joblib")
            """,
            "src/shop/promote.py": """
                import mlflow

                def champion():
                    return mlflow.pyfunc.load_model("models:/shop@champion")
            """,
        },
    )
    assert checks(tmp_path)["tracking.serving-from-registry"].outcome is Outcome.FAIL


def test_relative_and_package_imports_are_recorded():
    found = dict(
        _kinds(
            "import mlflow\nfrom ..registry import load\nfrom . import loader\n",
            path="src/shop/serving/app.py",
        )
    )
    # `load` may be a module of the registry package: a candidate the module index resolves
    assert found["py.imports"]["modules"] == [
        "src.shop.registry",
        "src.shop.registry.load",
        "src.shop.serving.loader",
    ]
    found = dict(_kinds("import mlflow\nfrom shop import registry\nimport shop.io\n"))
    assert found["py.imports"]["modules"] == ["shop", "shop.io", "shop.registry"]


# -- deployment: CD steps that run the repository's scripts ----------------------------------
CD = """
on: {push: {branches: [main]}}
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: {command}
"""


def test_a_cd_step_running_a_deploy_shell_script(tmp_path):
    write(
        tmp_path,
        {
            ".github/workflows/cd.yml": CD.replace("{command}", "bash ops/rollout.sh prod"),
            "ops/rollout.sh": "#!/bin/sh\nset -e\nhelm upgrade --install shop ./chart \\\n"
            "  --namespace prod\n",
        },
    )
    result = checks(tmp_path)
    assert result["deployment.cd-workflow"].outcome is Outcome.PASS
    assert "ops/rollout.sh:3" in result["deployment.cd-workflow"].evidence
    assert result["governance.production-approval"].outcome is Outcome.PASS


def test_a_cd_step_running_a_python_module_that_wraps_kubectl(tmp_path):
    write(
        tmp_path,
        {
            ".github/workflows/cd.yml": CD.replace("{command}", "python -m ops.deploy --env prod"),
            "src/ops/deploy.py": """
                import subprocess


                def kubectl(*args):
                    subprocess.run(["kubectl", *args], check=True)


                def main():
                    kubectl("apply", "-k", "k8s/overlays/prod")
            """,
        },
    )
    result = checks(tmp_path)["deployment.cd-workflow"]
    assert result.outcome is Outcome.PASS
    assert "src/ops/deploy.py:9" in result.evidence


def test_a_cd_step_running_a_binding_of_the_runtimes_deploy(tmp_path):
    # mlops-scaffold's projects: scripts/deploy.py names its target and calls the runtime's
    # deploy (mlops_runtime.cd.deploy), which runs `kubectl apply -k`
    write(
        tmp_path,
        {
            ".github/workflows/cd.yml": CD.replace("{command}", "python scripts/deploy.py apply"),
            "scripts/deploy.py": """
                import sys

                from mlops_runtime.cd.deploy import Target, main

                TARGET = Target(app="a", namespaces={"prod": "a-prod"}, overlays="k8s/overlays")

                if __name__ == "__main__":
                    sys.exit(main(TARGET))
            """,
        },
    )
    result = checks(tmp_path)["deployment.cd-workflow"]
    assert result.outcome is Outcome.PASS
    assert "scripts/deploy.py:8" in result.evidence  # the main(TARGET) call


def test_a_script_that_does_not_deploy_is_no_cd(tmp_path):
    write(
        tmp_path,
        {
            ".github/workflows/cd.yml": CD.replace("{command}", "python scripts/report.py"),
            "scripts/report.py": "import subprocess\nsubprocess.run(['git', 'log'])\n",
        },
    )
    assert checks(tmp_path)["deployment.cd-workflow"].outcome is Outcome.FAIL


def test_scripts_run_by_a_command():
    assert scripts_run(
        "KUBECONFIG=k python scripts/deploy.py apply\npython3 -m pkg.registry promote\n"
        "sh ci/build.sh\n./deploy.sh\nuv run python tools/x.py\npython $SCRIPT\n"
    ) == [
        {"script": "scripts/deploy.py"},
        {"module": "pkg.registry"},
        {"script": "ci/build.sh"},
        {"script": "deploy.sh"},
        {"script": "tools/x.py"},
    ]


# -- GitLab: included files are CI too -------------------------------------------------------
def test_gitlab_local_includes_are_parsed_as_ci(tmp_path):
    write(
        tmp_path,
        {
            ".gitlab-ci.yml": """
                include:
                  - local: /ci/build.yml
                  - 'ci/deploy/*.yml'
                test:
                  script: [pytest]
            """,
            "ci/build.yml": "build-image:\n  script: [docker build -t x .]\n",
            "ci/deploy/prod.yml": """
                deploy-prod:
                  script: [kubectl apply -k k8s/overlays/production]
                  environment: {name: production}
                  when: manual
            """,
        },
    )
    found = facts(tmp_path)
    assert not found.problems
    result = checks(tmp_path)
    assert result["pipelines.image-build"].evidence == ["ci/build.yml:1"]
    assert result["deployment.cd-workflow"].outcome is Outcome.PASS
    assert result["governance.production-approval"].evidence == ["ci/deploy/prod.yml:3"]
    # the walk alone would have read them as plain YAML config
    assert not [f for f in found.facts if f.path.startswith("ci/") and f.kind == "config.file"]
