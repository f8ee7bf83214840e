"""The hand-written fixture repos of the issue, and the rules on their own."""

from scaffolder.assess.checks import CHECKS, run_checks
from scaffolder.assess.models import DIMENSIONS, Outcome
from scaffolder.assess.scan import scan
from scaffolder.assess.scoring import dimension_levels
from tests.assess.repos import checks, level0_repo, notebook, write


def test_rubric_shape():
    assert len(CHECKS) >= 30
    assert len({c.id for c in CHECKS}) == len(CHECKS)
    for dimension in DIMENSIONS:
        levels = {c.level for c in CHECKS if c.dimension == dimension}
        # every dimension can tell level 1, 2 and 3 apart
        assert {1, 2, 3} <= levels, dimension
    assert all(c.upgrade and c.detects for c in CHECKS)


def test_empty_repo_fails_without_crashing_and_is_level_0(tmp_path):
    results = run_checks(scan(tmp_path))
    assert {r.outcome for r in results} <= {Outcome.FAIL, Outcome.NOT_APPLICABLE}
    assert all(d.level == 0 for d in dimension_levels(results))


def test_hand_written_level0_repo_passes_level0_only(tmp_path):
    facts = scan(level0_repo(tmp_path))
    results = run_checks(facts)
    assert all(r.outcome is Outcome.PASS for r in results if r.level == 0), [
        (r.id, r.message) for r in results if r.level == 0 and r.outcome is not Outcome.PASS
    ]
    assert all(d.level == 0 for d in dimension_levels(results))


def test_notebook_only_repo(tmp_path):
    write(
        tmp_path,
        {
            "analysis.ipynb": notebook(
                [
                    "import pandas as pd\nfrom sklearn.model_selection import train_test_split",
                    "x = train_test_split(df, random_state=1)",
                ]
            )
        },
    )
    result = checks(tmp_path)
    assert result["repro.seeds"].outcome is Outcome.FAIL  # seeds in a notebook do not count
    assert result["pipelines.train-entrypoint"].outcome is Outcome.FAIL


def test_mlflow_only_in_notebooks_fails_and_says_where(tmp_path):
    write(
        tmp_path,
        {
            "notebooks/train.ipynb": notebook(
                [
                    "import mlflow\nfrom mlflow import MlflowClient",
                    "with mlflow.start_run():\n    mlflow.log_metric('auc', 0.8)",
                    "MlflowClient().set_registered_model_alias('m', 'champion', 1)",
                ]
            )
        },
    )
    result = checks(tmp_path)
    tracking = result["tracking.experiments"]
    assert tracking.outcome is Outcome.FAIL
    assert "seen only in notebook" in tracking.message
    assert tracking.evidence[0].startswith("notebooks/train.ipynb:")
    assert result["tracking.aliases"].outcome is Outcome.FAIL


def test_tutorial_dag_under_examples_is_not_a_pipeline(tmp_path):
    write(
        tmp_path,
        {
            "examples/tutorial.py": """
        from airflow import DAG
        with DAG("tutorial", schedule="@daily"):
            pass
    """
        },
    )
    orchestrated = checks(tmp_path)["pipelines.orchestrated"]
    assert orchestrated.outcome is Outcome.FAIL
    assert "examples" in orchestrated.message and orchestrated.evidence == [
        "examples/tutorial.py:2"
    ]
    write(tmp_path, {"dags/real.py": "from airflow import DAG\nDAG('real', schedule='@weekly')\n"})
    assert checks(tmp_path)["pipelines.orchestrated"].evidence == ["dags/real.py:2"]


def test_on_key_read_as_written_makes_the_pr_trigger_count(tmp_path):
    write(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
        on:
          pull_request:
        jobs:
          test:
            runs-on: ubuntu-24.04
            steps:
              - run: pytest
    """
        },
    )
    result = checks(tmp_path)
    assert result["governance.change-review"].outcome is Outcome.PASS
    assert result["governance.change-review"].evidence == [".github/workflows/ci.yml:1"]
    assert result["quality.ci-tests"].outcome is Outcome.PASS


def test_broken_files_make_their_checks_unknown_with_the_path(tmp_path):
    write(
        tmp_path,
        {
            ".github/workflows/ci.yml": "on: [push\n",
            # no top-level block of it parses (one that does would make it a note, read partly)
            "src/pkg/train.py": "import mlflow,\ndef broken(:\n",
            "pyproject.toml": "[project\n",
            "monitoring/alerts.yml": "groups: [\n",
        },
    )
    result = checks(tmp_path)
    ci = result["quality.ci-tests"]
    assert ci.outcome is Outcome.UNKNOWN and ci.evidence[0].startswith(".github/workflows/ci.yml:")
    assert "does not parse" in ci.message
    assert result["tracking.experiments"].outcome is Outcome.UNKNOWN
    assert result["tracking.experiments"].evidence == ["src/pkg/train.py:1"]
    assert result["repro.dependencies"].outcome is Outcome.UNKNOWN
    assert result["monitoring.alert-rules"].outcome is Outcome.UNKNOWN
    # a check with no broken input still fails plainly
    assert result["deployment.training-image"].outcome is Outcome.FAIL


def test_level2_and_level3_rules_on_a_hand_written_repo(tmp_path):
    write(
        tmp_path,
        {
            "src/pkg/serving/app.py": """
            import mlflow
            from fastapi import FastAPI
            from prometheus_client import make_asgi_app
            app = FastAPI()
            MODEL = mlflow.pyfunc.load_model("models:/churn@champion")
            app.mount("/metrics", make_asgi_app())

            @app.post("/predict")
            def predict():
                pass

            @app.get("/health")
            def health():
                pass
        """,
            "k8s/overlays/staging/kustomization.yaml": "resources: [../../base]\n",
            "k8s/overlays/production/kustomization.yaml": "resources: [../../base]\n",
            "k8s/base/rollout.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            spec:
              strategy:
                canary:
                  analysis: {templates: [{templateName: t}]}
            ---
            apiVersion: argoproj.io/v1alpha1
            kind: AnalysisTemplate
            metadata: {name: t}
        """,
            "CODEOWNERS": "* @ml-team\n",
            "MODEL_CARD.md": "# Model card\n",
        },
    )
    result = checks(tmp_path)
    for check_id in (
        "deployment.serving-api",
        "tracking.serving-from-registry",
        "monitoring.serving-metrics",
        "deployment.k8s-environments",
        "deployment.canary",
        "governance.codeowners",
        "governance.model-card",
    ):
        assert result[check_id].outcome is Outcome.PASS, (check_id, result[check_id].message)
    assert result["deployment.canary"].evidence[0] == "k8s/base/rollout.yaml:2"


def test_image_hardening_is_not_applicable_without_a_dockerfile(tmp_path):
    assert checks(tmp_path)["deployment.image-hardened"].outcome is Outcome.NOT_APPLICABLE
    write(tmp_path, {"Dockerfile": "FROM python:latest\nCMD python\n"})
    hardened = checks(tmp_path)["deployment.image-hardened"]
    assert (
        hardened.outcome is Outcome.FAIL
        and "not pinned" in hardened.message
        and "root" in hardened.message
    )
