"""Classes of misses the practice labels of real repositories showed (tests/assess/corpus/
practices.yml, measured by test_practice_accuracy.py), each read from the repositories' evidence
and tested here with the near miss beside it that must stay uncredited."""

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, notebook, write


def test_a_locust_file_under_tests_is_a_load_test_a_notebook_is_not(tmp_path):
    # ml-mlops-portfolio (tests/load/locustfile.py), ct-scan-wandb-cloudrun (tests/locustfile.py)
    locust = """
        from locust import HttpUser, between, task

        class ApiUser(HttpUser):
            wait_time = between(0.1, 0.5)

            @task
            def predict(self):
                self.client.post("/predict", json={"rows": []})
    """
    write(tmp_path / "a", {"tests/load/locustfile.py": locust})
    result = checks(tmp_path / "a")["quality.load-tests"]
    assert result.outcome is Outcome.PASS, result.message
    assert result.evidence == ["tests/load/locustfile.py:1"]
    write(tmp_path / "b", {"notebooks/load.ipynb": notebook(["from locust import HttpUser\n"])})
    result = checks(tmp_path / "b")["quality.load-tests"]
    assert result.outcome is Outcome.FAIL and "seen only in notebook" in result.message


def test_a_changelog_counts_once_it_notes_a_release_not_as_a_template(tmp_path):
    write(
        tmp_path / "kept",
        {
            "CHANGELOG.md": "# Changelog\n\n## [Unreleased]\n\n## [1.7.0] - 2026-08-22\n"
            "### Added\n- drift alerts\n",
            "docs/HISTORY.rst": "History\n=======\n\n2026-03-01\n----------\n* first model\n",
        },
    )
    result = checks(tmp_path / "kept")["quality.release-notes"]
    assert result.outcome is Outcome.PASS, result.message
    assert sorted(result.evidence) == ["CHANGELOG.md:1", "docs/HISTORY.rst:1"]
    # databricks-taxi-mlflow: a template never filled; bentoml-mlflow-mnist: no release yet
    write(
        tmp_path / "template",
        {
            "CHANGELOG.md": "## [project-title] Changelog\n\n# x.y.z (yyyy-mm-dd)\n\n"
            "*Features*\n* ...\n",
            "HISTORY.rst": "=======\nHistory\n=======\n\nNo PyPi releases yet!\n",
        },
    )
    result = checks(tmp_path / "template")["quality.release-notes"]
    assert result.outcome is Outcome.FAIL, result.message


def test_managed_explainers_are_explanations_a_type_in_an_annotation_is_not(tmp_path):
    # flights-sagemaker-cdk-pipelines (a Clarify SHAP job), vertex-mlops (a model uploaded with
    # explanation metadata)
    write(
        tmp_path / "a",
        {
            "mlops/scripts/start_shap_analysis.py": """
                from sagemaker.clarify import SageMakerClarifyProcessor, SHAPConfig

                def run(processor: SageMakerClarifyProcessor, data, model, baseline):
                    shap_config = SHAPConfig(baseline=baseline, num_samples=100)
                    processor.run_explainability(data, model, shap_config)
            """,
            "src/components.py": """
                from google.cloud import aiplatform as vertex_ai

                def upload(config, uri):
                    metadata = vertex_ai.explain.ExplanationMetadata(inputs=config["inputs"])
                    return vertex_ai.Model.upload(artifact_uri=uri, explanation_metadata=metadata)
            """,
        },
    )
    result = checks(tmp_path / "a")["validation.explanations"]
    assert result.outcome is Outcome.PASS, result.message
    assert {e.split(":")[0] for e in result.evidence} == {
        "mlops/scripts/start_shap_analysis.py",
        "src/components.py",
    }
    # vertex-pipeline-factories: the type in a dataclass, its use commented out; a Clarify
    # bias report explains no prediction
    write(
        tmp_path / "b",
        {
            "training/deploy.py": """
                from dataclasses import dataclass
                from typing import Optional
                from google.cloud.aiplatform import explain

                @dataclass
                class DeployInfo:
                    explanation_metadata: Optional[explain.ExplanationMetadata] = None
                    # model.deploy(explanation_metadata=self.explanation_metadata)
            """,
            "bias.py": """
                from sagemaker.clarify import BiasConfig

                def bias(processor, data):
                    processor.run_pre_training_bias(data, BiasConfig(label_values_or_threshold=[1]))
            """,
        },
    )
    assert checks(tmp_path / "b")["validation.explanations"].outcome is Outcome.FAIL


def test_a_model_cards_labelled_business_objective_is_its_business_goal(tmp_path):
    # bikeshare-airflow-sagemaker: reports/<run>/model_card.md "- Business objective: ..."
    card = (
        "# Model Card - stockout_xgboost\n\n## Overview\n"
        "- Use case: Predict short-term stockout risk at stations.\n"
        "- Business objective: {goal}\n- Owner: MLOps Team\n\n## Modeling\n- PR-AUC 0.96\n"
    )
    write(
        tmp_path / "a",
        {"reports/2026-03-24/model_card.md": card.format(goal="Support proactive rebalancing.")},
    )
    result = checks(tmp_path / "a")["governance.business-context"]
    assert result.outcome is Outcome.PASS, result.message
    assert result.evidence == ["reports/2026-03-24/model_card.md:5"]
    write(tmp_path / "b", {"MODEL_CARD.md": card.format(goal="TODO")})
    result = checks(tmp_path / "b")["governance.business-context"]
    assert result.outcome is Outcome.FAIL and "goal unfilled" in result.message


def test_the_models_own_importances_recorded_with_the_run_explain_it(tmp_path):
    # dvc-get-started (a DVCLive image), sagemaker-databricks-feature-platform (an MLflow dict),
    # bikeshare-airflow-sagemaker (a booster's gain, read through getattr too)
    write(
        tmp_path / "a",
        {
            "src/evaluate.py": """
                import matplotlib.pyplot as plt
                import pandas as pd

                def save_importance_plot(live, model, feature_names):
                    fig, axes = plt.subplots()
                    pd.Series(model.feature_importances_, index=feature_names).plot.bar(ax=axes)
                    live.log_image("importance.png", fig)
            """,
            "src/train.py": """
                import mlflow

                def train(model, X, y):
                    model.fit(X, y)
                    if hasattr(model, "feature_importances_"):
                        importances = dict(zip(X.columns, model.feature_importances_.tolist()))
                        mlflow.log_dict(importances, "feature_importances.json")
                    return model

                def log_gain(model, artifact_dir):
                    score = model.get_booster().get_score(importance_type="gain")
                    mlflow.log_text(str(score), f"{artifact_dir}/feature_importance.csv")
            """,
        },
    )
    result = checks(tmp_path / "a")["validation.explanations"]
    assert result.outcome is Outcome.PASS, result.message
    assert {e.split(":")[0] for e in result.evidence} == {"src/evaluate.py", "src/train.py"}
    # zenml-house-price-mlflow: importances plotted on screen only; importances picking
    # features; coef_ printed beside the model saved
    write(
        tmp_path / "b",
        {
            "src/feature_importance.py": """
                import matplotlib.pyplot as plt

                def plot_importance(model, names):
                    plt.barh(names, model.feature_importances_)
                    plt.show()

                def select(model, X, keep=10):
                    order = model.feature_importances_.argsort()[::-1][:keep]
                    return X.iloc[:, order]
            """,
            "src/train.py": """
                import joblib

                def train(model, X, y):
                    model.fit(X, y)
                    print(model.coef_)
                    joblib.dump(model, "model.pkl")
            """,
        },
    )
    assert checks(tmp_path / "b")["validation.explanations"].outcome is Outcome.FAIL


def test_a_concurrent_timed_client_named_for_load_is_a_load_test(tmp_path):
    # har-thesis-fastapi-prometheus (scripts/benchmark_throughput.py), flights-sagemaker-cdk-
    # pipelines (a thread pool of invoke_endpoint calls), telco-churn-prefect-k8s
    write(
        tmp_path / "a",
        {
            "scripts/benchmark_throughput.py": """
                import concurrent.futures
                import time
                import requests

                def run(url, n_workers, n):
                    t0 = time.perf_counter()
                    with concurrent.futures.ThreadPoolExecutor(max_workers=n_workers) as ex:
                        list(ex.map(lambda _: requests.post(f"{url}/predict", json={}), range(n)))
                    return n / (time.perf_counter() - t0)
            """,
            "mlops/tests/prod_load_test/prod_load_test.py": """
                from datetime import datetime
                from multiprocessing.pool import ThreadPool
                import boto3

                runtime = boto3.client("sagemaker-runtime")

                def predict(row):
                    return runtime.invoke_endpoint(EndpointName="prod", Body=row)

                def run_test(threads, rows):
                    start = datetime.now()
                    ThreadPool(threads).map(predict, rows)
                    return datetime.now() - start
            """,
        },
    )
    result = checks(tmp_path / "a")["quality.load-tests"]
    assert result.outcome is Outcome.PASS, result.message
    assert {e.split(":")[0] for e in result.evidence} == {
        "scripts/benchmark_throughput.py",
        "mlops/tests/prod_load_test/prod_load_test.py",
    }
    # churn-prefect-cloudrun's "stress test" posts one batch; a pool downloading data is no
    # load test, whatever it times
    write(
        tmp_path / "b",
        {
            "scripts/stress_test.py": """
                import time
                import requests

                def run(url, rows):
                    start = time.time()
                    requests.post(url, json={"inputs": rows}, timeout=300)
                    print(time.time() - start)
            """,
            "scripts/download_data.py": """
                import time
                from concurrent.futures import ThreadPoolExecutor
                import requests

                def fetch(urls):
                    start = time.time()
                    with ThreadPoolExecutor(8) as pool:
                        pages = list(pool.map(lambda u: requests.get(u, timeout=9), urls))
                    return pages, time.time() - start
            """,
        },
    )
    assert checks(tmp_path / "b")["quality.load-tests"].outcome is Outcome.FAIL


def test_inputs_checked_against_the_training_reference_know_their_limits(tmp_path):
    # churn-prefect-cloudrun / prefect-sales-forecasting-gcp: categories of the production batch
    # the reference never had; kindle-sentiment-airflow-fastapi: inputs beyond 3 sigmas of the
    # model's baseline statistics
    write(
        tmp_path / "a",
        {
            "src/monitoring/data_quality.py": """
                def summarize_unseen_categories(df, ref_df, features):
                    metrics = {}
                    for feature in features:
                        ref_values = set(ref_df[feature].dropna().unique())
                        cur_values = set(df[feature].dropna().unique())
                        metrics[feature] = len(cur_values - ref_values)
                    return metrics
            """,
            "app/feature_contract.py": """
                SIGMAS = 3

                def validate_input_data(data, baseline_stats):
                    outliers = []
                    for col, values in data.items():
                        mean, std = baseline_stats[col]["mean"], baseline_stats[col]["std"]
                        for v in values:
                            if abs(v - mean) > SIGMAS * std:
                                outliers.append(col)
                    return outliers
            """,
        },
    )
    result = checks(tmp_path / "a")["monitoring.knowledge-limits"]
    assert result.outcome is Outcome.PASS, result.message
    assert {e.split(":")[0] for e in result.evidence} == {
        "src/monitoring/data_quality.py",
        "app/feature_contract.py",
    }
    # lead-scoring-mlflow-fastapi: unseen categories silently mapped; outliers removed from the
    # training rows by their own statistics
    write(
        tmp_path / "b",
        {
            "src/features.py": """
                def encode_unseen_categories(values, known, default):
                    return [v if v in known else default for v in values]
            """,
            "src/clean.py": """
                def remove_outliers(df, col):
                    return df[abs(df[col] - df[col].mean()) > 3 * df[col].std()]
            """,
        },
    )
    assert checks(tmp_path / "b")["monitoring.knowledge-limits"].outcome is Outcome.FAIL
