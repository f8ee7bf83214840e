"""Defect class read from the calibration part's too-low tracking cells after the nineteenth
batch joined it (a Databricks course bundle tagging runs and versions with `git_sha` and
`job_run_id`, an MLflow project tagging runs with the commit and data hashes a lineage helper
computes, one tagging runs with a dict of the commit built just before): lineage tags were
read only where the tagging call spells them (`set_tags({"git_commit": ...})`,
`start_run(tags={...})`). Tags handed over by variable - a dict built in the module
(`mlflow.set_tags(tags)`), or built by the job script and given to the project's model class
(`start_run(tags=self.tags)`, `register_model(..., tags=self.tags)`) or by a lineage helper
(`set_tags(lineage_tags)`) - left versions without lineage.

The same shape needed the scanner to follow a script outside a src layout importing the
project's own package (`notebooks/train.py`: `from pkg.model import Model` with `src/pkg/`),
which it read as a library import. Each test fails on the code before the fix; the near
misses beside them pass on both."""

from __future__ import annotations

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, facts, write

MODEL = """
    import mlflow
    from sklearn.linear_model import LogisticRegression


    class BasicModel:
        def __init__(self, tags):
            self.tags = tags

        def train(self, X, y):
            with mlflow.start_run(tags=self.tags):
                model = LogisticRegression().fit(X, y)
                mlflow.log_metric("accuracy", model.score(X, y))
                mlflow.sklearn.log_model(model, "model")
            mlflow.register_model("runs:/x/model", "hotel", tags=self.tags)
"""

JOB = """
    import argparse

    import mlflow

    from hotel.model import BasicModel

    parser = argparse.ArgumentParser()
    parser.add_argument("--git_sha")
    parser.add_argument("--job_run_id")
    args = parser.parse_args()
    mlflow.set_tracking_uri("databricks")
    tags = {"{key}": args.git_sha, "branch": "main"}
    BasicModel(tags=tags).train(None, None)
"""

APP = """
    import mlflow
    from fastapi import FastAPI

    app = FastAPI()
    model = mlflow.pyfunc.load_model("models:/hotel@champion")


    @app.post("/predict")
    def predict(rows: list[dict]):
        return {"predictions": model.predict(rows).tolist()}
"""


def _project(tmp_path, key="git_sha"):
    write(
        tmp_path,
        {
            "src/hotel/__init__.py": "",
            "src/hotel/model.py": MODEL,
            "notebooks/train_register.py": JOB.replace("{key}", key),
            "serving/app.py": APP,
        },
    )
    return checks(tmp_path)["tracking.lineage-tags"]


def test_a_job_script_tagging_the_model_class_runs_with_the_commit_gives_lineage(tmp_path):
    result = _project(tmp_path)
    assert result.outcome is Outcome.PASS
    assert "notebooks/train_register.py:12" in result.evidence


def test_a_script_outside_src_imports_the_projects_own_package(tmp_path):
    _project(tmp_path)
    imports = [x for x in facts(tmp_path).of("py.imports") if x.path.startswith("notebooks/")]
    assert "src.hotel.model" in imports[0].detail["siblings"]


def test_tags_of_a_run_name_only_are_no_lineage(tmp_path):
    # near miss: the same hand-over, but the dict names no commit, build, job or data version
    assert _project(tmp_path, key="owner").outcome is Outcome.FAIL


def test_a_lineage_dict_nothing_tagging_imports_is_no_lineage(tmp_path):
    # near miss: a metadata dict naming the commit, in a module no tagging code shares
    write(
        tmp_path,
        {
            "src/hotel/__init__.py": "",
            "src/hotel/model.py": MODEL,
            "scripts/report.py": """
                import json

                import mlflow

                print(mlflow.get_tracking_uri())
                json.dump({"git_commit": "abc"}, open("report.json", "w"))
            """,
            "serving/app.py": APP,
        },
    )
    assert checks(tmp_path)["tracking.lineage-tags"].outcome is Outcome.FAIL


def test_a_dict_of_the_commit_given_to_set_tags_by_name_gives_lineage(tmp_path):
    train = """
        import mlflow
        from sklearn.linear_model import LogisticRegression


        def train(X, y, commit):
            with mlflow.start_run():
                tags = {"git_commit": commit, "model_type": "text"}
                mlflow.set_tags(tags)
                model = LogisticRegression().fit(X, y)
                mlflow.sklearn.log_model(model, "model", registered_model_name="hotel")
    """
    write(tmp_path, {"train.py": train, "serving/app.py": APP})
    assert checks(tmp_path)["tracking.lineage-tags"].outcome is Outcome.PASS
