"""Defect classes seen on the fifth calibration batch (issue 23: tracking and reproducibility
stacks: MLflow on Azure ML, Neptune, ClearML, W&B, DVC, Prefect), one test each, on small
fixtures; each fails on the code before the fix. The held-out repositories were not looked at
to choose them."""

from scaffolder.assess.models import Outcome
from scaffolder.assess.scan import scan
from tests.assess.repos import checks, write


def test_a_line_written_for_a_newer_python_costs_that_line_not_its_block(tmp_path):
    # Python 3.12 lets an f-string reuse its quotes; older interpreters cannot parse that line,
    # and the whole `with mlflow.start_run()` block around it was lost (no tracking, no model)
    write(
        tmp_path,
        {
            "src/train.py": """
                import os
                import joblib
                import mlflow

                with mlflow.start_run():
                    mlflow.log_metric("accuracy", 0.9)
                    joblib.dump(clf, os.path.join("models", "model.joblib"))
                    print(f"saved to {os.path.join("models", "model.joblib")}")
            """,
        },
    )
    facts = scan(tmp_path)
    kinds = {(f.kind, f.line) for f in facts.facts}
    assert ("mlflow.tracking", 5) in kinds and ("model.save", 7) in kinds
    assert [p.line for p in facts.problems] == [8] and all(p.note for p in facts.problems)
    result = checks(tmp_path)
    assert result["tracking.experiments"].outcome is Outcome.PASS
    assert result["tracking.model-artifact"].outcome is Outcome.PASS
    # a file none of whose lines parse is still a problem, not an empty success
    write(tmp_path / "bad", {"train.py": "import mlflow,\ndef broken(:\n"})
    assert [p.note for p in scan(tmp_path / "bad").problems] == [False]


def test_a_test_holding_the_saved_model_to_a_bar_that_ci_runs_is_a_quality_gate(tmp_path):
    files = {
        "tests/test_model.py": """
            import joblib
            from sklearn.metrics import accuracy_score

            def test_model_accuracy():
                model = joblib.load("models/model.joblib")
                acc = accuracy_score(y_test, model.predict(X_test))
                assert acc > 0.7, acc
        """,
        ".github/workflows/ci.yml": """
            on: [push, pull_request]
            jobs:
              train:
                runs-on: ubuntu-latest
                steps:
                  - run: python -m src.train
                  - run: pytest -q tests/test_model.py
        """,
    }
    write(tmp_path / "gate", files)
    result = checks(tmp_path / "gate")["validation.quality-gate"]
    assert result.outcome is Outcome.PASS, result.message
    assert result.evidence == ["tests/test_model.py:7"]
    # a test that trains its own model checks the training code, not the model shipped
    write(
        tmp_path / "own",
        {
            **files,
            "tests/test_model.py": """
                from sklearn.linear_model import LogisticRegression
                from sklearn.metrics import accuracy_score

                def test_training_reaches_accuracy():
                    model = LogisticRegression().fit(X_train, y_train)
                    acc = accuracy_score(y_test, model.predict(X_test))
                    assert acc > 0.8
                    assert acc <= 1
            """,
        },
    )
    assert checks(tmp_path / "own")["validation.quality-gate"].outcome is Outcome.FAIL
    # no CI running the tests: the assert gates nothing
    write(tmp_path / "noci", {"tests/test_model.py": files["tests/test_model.py"]})
    assert checks(tmp_path / "noci")["validation.quality-gate"].outcome is Outcome.FAIL


def test_mlflow_projects_on_azure_ml_and_mlflow_azureml_deploy_are_managed_and_served(tmp_path):
    write(
        tmp_path,
        {
            "run_training.py": """
                import mlflow
                run = mlflow.projects.run(uri="./code", backend="azureml",
                                          backend_config={"COMPUTE": "amlcluster"})
            """,
            "deploy_model.py": """
                import mlflow
                import mlflow.azureml
                service = mlflow.azureml.deploy(model_uri="runs:/abc/model", workspace=ws,
                                                service_name="iris-aci")
            """,
        },
    )
    result = checks(tmp_path)
    managed = result["deployment.training-image"]
    # the Azure ML web service mlflow.azureml.deploy creates runs the model on the platform too
    assert managed.outcome is Outcome.PASS
    assert managed.evidence == ["run_training.py:2", "deploy_model.py:3"]
    serving = result["deployment.serving-api"]
    assert serving.outcome is Outcome.PASS and serving.evidence == ["deploy_model.py:3"]
    # a project run on the local machine is no managed job
    write(tmp_path / "local", {"run.py": 'import mlflow\nmlflow.projects.run(uri=".")\n'})
    assert checks(tmp_path / "local")["deployment.training-image"].outcome is Outcome.FAIL


def test_a_clearml_pipeline_controller_is_an_orchestrated_pipeline(tmp_path):
    write(
        tmp_path,
        {
            "pipeline_controller.py": """
                from clearml import Task
                from clearml.automation.controller import PipelineController

                pipe = PipelineController(default_execution_queue="default")
                pipe.add_step(name="stage_data", base_task_name="step 1 dataset")
                pipe.add_step(name="stage_train", parents=["stage_data"],
                              base_task_name="step 2 train model")
                pipe.start()
            """,
            "train.py": """
                import torch
                from sklearn.model_selection import train_test_split
                def main():
                    model.fit(x, y)
                    torch.save(model.state_dict(), "model.pt")
                if __name__ == "__main__":
                    main()
            """,
        },
    )
    result = checks(tmp_path)["pipelines.orchestrated"]
    assert result.outcome is Outcome.PASS, result.message
    assert "pipeline_controller.py:4" in result.evidence


def test_a_model_kept_with_a_neptune_run_is_saved(tmp_path):
    write(
        tmp_path,
        {
            "train.py": """
                import neptune
                import neptune.integrations.sklearn as npt_utils

                run = neptune.init_run(project="p")
                run["model/parameters"] = params
                run["estimator/pickled-model"] = npt_utils.get_pickled_model(model)
            """,
        },
    )
    result = checks(tmp_path)["tracking.model-artifact"]
    assert result.outcome is Outcome.PASS and result.evidence == ["train.py:6"]


def test_a_json_file_among_model_weights_is_the_models_config_not_a_parameter_file(tmp_path):
    files = {
        "requirements.txt": "torch\n",
        "api/artifacts/config.json": '{"latent_dim": 16, "epochs": 50}\n',
        "api/artifacts/cvae_model.pth": "weights",
    }
    write(tmp_path / "weights", files)
    assert checks(tmp_path / "weights")["repro.config-file"].outcome is Outcome.FAIL
    # the same file in a folder of its own is a parameter file
    del files["api/artifacts/cvae_model.pth"]
    write(tmp_path / "params", files)
    assert checks(tmp_path / "params")["repro.config-file"].outcome is Outcome.PASS
