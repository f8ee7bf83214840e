"""Issue 22's practices as `assess` reads them in any repository, one test per evidence shape:
explanations, load tests against latency objectives, release notes, knowledge limits and
business goals/KPIs in the model card. Each is an advice check in the dimension the
questionnaire puts it; none holds a level down, and each answers its questionnaire question."""

from scaffolder.assess.checks import CHECKS_BY_ID
from scaffolder.assess.models import Outcome
from scaffolder.assess.questionnaire import load_bank
from tests.assess.repos import checks, level0_repo, notebook, write

PRACTICES = {
    "validation.explanations": ("validation", "model.explainability"),
    "quality.load-tests": ("quality", "team.load-tests"),
    "quality.release-notes": ("quality", "team.release-notes"),
    "monitoring.knowledge-limits": ("monitoring", "model.knowledge-limits"),
    "governance.business-context": ("governance", "doc.business-goals"),
    "pipelines.feature-store": ("pipelines", "data.feature-store"),
}


def test_each_practice_is_advice_in_the_questionnaires_dimension_and_answers_its_question():
    bank = {q.id: q for q in load_bank(None).questions}
    for check_id, (dimension, question) in PRACTICES.items():
        check = CHECKS_BY_ID[check_id]
        assert check.advice and check.dimension == dimension, check_id
        assert bank[question].check == check_id and bank[question].dimension == dimension


def test_explanations_shap_permutation_importance_and_an_explain_route(tmp_path):
    write(
        tmp_path,
        {
            "src/shop/evaluate.py": """
                import shap
                from sklearn.inspection import permutation_importance

                def explain(model, X, y):
                    result = permutation_importance(model, X, y, n_repeats=5)
                    values = shap.TreeExplainer(model).shap_values(X)
                    return result, values
            """,
            "src/shop/api.py": """
                from fastapi import FastAPI
                app = FastAPI()

                @app.post("/predict/explain")
                def explain_row(row: dict):
                    return {}
            """,
        },
    )
    result = checks(tmp_path)["validation.explanations"]
    assert result.outcome is Outcome.PASS, result.message
    assert "per prediction and overall" in result.message
    assert {e.split(":")[0] for e in result.evidence} == {"src/shop/evaluate.py", "src/shop/api.py"}


def test_explanations_are_not_read_from_words_such_as_shape(tmp_path):
    write(
        tmp_path,
        {
            "src/shop/train.py": """
                import numpy as np
                import joblib
                def train(X):
                    print(X.shape)  # explain nothing
                    joblib.dump(X, "model.pkl")
            """,
            "notebooks/eda.ipynb": notebook(["import shap\nshap.summary_plot(None)\n"]),
        },
    )
    result = checks(tmp_path)["validation.explanations"]
    assert result.outcome is Outcome.FAIL, result.message
    assert "seen only in notebook" in result.message


def test_load_tests_locust_k6_and_make_target_against_an_slo(tmp_path):
    write(
        tmp_path,
        {
            "loadtest/locustfile.py": """
                from locust import HttpUser, task
                class Api(HttpUser):
                    @task
                    def predict(self):
                        self.client.post("/predict", json={})
            """,
            "perf/k6/predict.js": """
                import http from 'k6/http';
                export const options = { thresholds: { http_req_duration: ['p(95)<300'] } };
                export default function () { http.post('http://localhost:8000/predict', '{}'); }
            """,
            ".github/workflows/perf.yml": """
                on: {schedule: [{cron: "0 3 * * *"}]}
                jobs:
                  load:
                    runs-on: ubuntu-latest
                    steps:
                      - run: locust -f loadtest/locustfile.py --headless -t 1m
            """,
        },
    )
    result = checks(tmp_path)["quality.load-tests"]
    assert result.outcome is Outcome.PASS, result.message
    assert "against objectives (perf/k6/predict.js:2)" in result.message
    assert "CI runs it" in result.message


def test_load_test_target_with_an_slo_file_and_none_without(tmp_path):
    write(
        tmp_path / "a",
        {
            "Makefile": "load-test:\n\tpython -m mlops_runtime.loadtest\n",
            "config/slo.yaml": "objectives:\n  p95_ms: 250\n  error_rate: 0.01\n",
        },
    )
    result = checks(tmp_path / "a")["quality.load-tests"]
    assert result.outcome is Outcome.PASS
    assert "config/slo.yaml:1" in result.message
    write(
        tmp_path / "b", {"Makefile": "test:\n\tpytest\n", "tests/test_x.py": "def test_a(): pass\n"}
    )
    assert checks(tmp_path / "b")["quality.load-tests"].outcome is Outcome.FAIL


def test_release_notes_changelog_ci_release_and_code_that_writes_them(tmp_path):
    write(tmp_path / "a", {"docs/CHANGELOG.md": "# 1.2.0\n- retrained on May data\n"})
    result = checks(tmp_path / "a")["quality.release-notes"]
    assert result.outcome is Outcome.PASS and "by hand" in result.message
    write(
        tmp_path / "b",
        {
            "src/shop/promote.py": """
                import mlflow
                def write_release_notes(version, metrics):
                    with open(f"release_notes/{version}.md", "w") as out:
                        out.write(str(metrics))
            """,
        },
    )
    result = checks(tmp_path / "b")["quality.release-notes"]
    assert result.outcome is Outcome.PASS and "written on release" in result.message
    write(
        tmp_path / "c",
        {
            ".github/workflows/release.yml": """
                on: {push: {tags: ["v*"]}}
                jobs:
                  release:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: softprops/action-gh-release@v2
            """,
        },
    )
    assert checks(tmp_path / "c")["quality.release-notes"].outcome is Outcome.PASS
    # a function only named for it, writing nothing, is no evidence
    write(tmp_path / "d", {"src/x.py": "import mlflow\ndef release_notes():\n    return 1\n"})
    assert checks(tmp_path / "d")["quality.release-notes"].outcome is Outcome.FAIL


def test_knowledge_limits_outlier_detector_and_own_ood_check_not_drift(tmp_path):
    write(
        tmp_path / "a",
        {
            "src/serve/limits.py": """
                from alibi_detect.od import IForest
                detector = IForest(threshold=0.1)
            """,
        },
    )
    assert checks(tmp_path / "a")["monitoring.knowledge-limits"].outcome is Outcome.PASS
    write(
        tmp_path / "b",
        {
            "src/serve/app.py": """
                import joblib
                def is_ood(row, ranges):
                    return any(row[k] < lo or row[k] > hi for k, (lo, hi) in ranges.items())
            """,
        },
    )
    assert checks(tmp_path / "b")["monitoring.knowledge-limits"].outcome is Outcome.PASS
    write(
        tmp_path / "c",
        {
            "src/monitor/drift.py": "from alibi_detect.cd import KSDrift\n",
            "src/prep/clean.py": """
                import pandas as pd
                def remove_outliers(df):
                    return df[df.price < df.price.quantile(0.99)]
            """,
        },
    )
    assert checks(tmp_path / "c")["monitoring.knowledge-limits"].outcome is Outcome.FAIL


def test_business_context_filled_kpis_pass_todo_sections_do_not(tmp_path):
    write(
        tmp_path / "a",
        {
            "MODEL_CARD.md": """
                # Churn model

                ## Business goal
                Keep subscribers: call the customers most likely to leave.

                ## KPIs
                | KPI | baseline | target |
                | monthly churn | 3.1% | 2.5% |
            """,
        },
    )
    result = checks(tmp_path / "a")["governance.business-context"]
    assert result.outcome is Outcome.PASS and "goal, kpis" in result.message
    write(
        tmp_path / "b",
        {
            "docs/business_context.md": """
                # Model card: business context

                ## Business goal

                TODO: the decision this model supports.

                ## KPIs

                TODO: the business metrics the model should move.
            """,
        },
    )
    result = checks(tmp_path / "b")["governance.business-context"]
    assert result.outcome is Outcome.FAIL and "goal, kpis unfilled" in result.message
    write(tmp_path / "c", {"MODEL_CARD.md": "# Model\n\n## Metrics\nAUC 0.81\n"})
    assert checks(tmp_path / "c")["governance.business-context"].outcome is Outcome.FAIL


def test_practices_never_hold_a_level_down(tmp_path):
    from scaffolder.assess.checks import run_checks
    from scaffolder.assess.scan import scan
    from scaffolder.assess.scoring import dimension_levels

    facts = scan(level0_repo(tmp_path))
    results = run_checks(facts)
    assert all(r.outcome is Outcome.FAIL for r in results if r.id in PRACTICES)
    without = run_checks(facts, [c for c in CHECKS_BY_ID.values() if c.id not in PRACTICES])
    assert [d.level for d in dimension_levels(results)] == [
        d.level for d in dimension_levels(without)
    ]


def test_corpus_repositories_show_the_practices():
    # real repositories of the labelled corpus, from their stored facts (tests/assess/corpus)
    from scaffolder.assess.checks import run_checks
    from tests.assess.corpus.accuracy import load_facts

    def passing(name: str) -> dict[str, list[str]]:
        return {
            r.id: r.evidence
            for r in run_checks(load_facts(name))
            if r.id in PRACTICES and r.outcome is Outcome.PASS
        }

    # SHAP module, Locust under tests/load, CHANGELOG, a model card with KPIs
    portfolio = passing("ml-mlops-portfolio")
    assert set(portfolio) == {
        "validation.explanations",
        "quality.load-tests",
        "quality.release-notes",
        "governance.business-context",
    }
    assert "BankChurn-Predictor/models/model_card.md:97" in portfolio["governance.business-context"]
    assert "validation.explanations" in passing("vertex-model-league")  # SHAP in the components
    # its only practice: the model's importances as a DVCLive image at evaluation
    assert passing("dvc-get-started") == {"validation.explanations": ["src/evaluate.py:60"]}


def test_a_corpus_service_shows_its_locust_load_test_once():
    from scaffolder.assess.checks import run_checks
    from tests.assess.corpus.accuracy import load_facts

    result = {r.id: r for r in run_checks(load_facts("sepsis-fastapi-k8s"))}["quality.load-tests"]
    assert result.outcome is Outcome.PASS
    # each import line once, though each names several things; beside it its own concurrent
    # benchmark clients of the serving app
    assert result.evidence == [
        "loadtest/locustfile.py:20",
        "loadtest/locustfile.py:21",
        "scripts/bench/k8s_bench_client.py:1",
        "scripts/bench/run_serving_benchmark.py:1",
    ]
    assert "no latency objective found" in result.message
