"""Batch scoring (`mlops_runtime.scoring`, what `python -m <package>.scoring` runs): the input
checked against the contract, scored by the version behind the alias, written with that version,
and logged to the prediction log when asked."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from mlops_runtime import Project, scoring
from mlops_runtime.monitoring.prediction_log import read_partitioned
from test_validation import CONTRACT, frame

PREDICT = """
def predict(model, df):
    scored = df.copy()
    scored["p"] = model.predict_proba(df)[:, 1]
    scored["label"] = (scored["p"] >= 0.5).astype(int)
    return scored
"""


@pytest.fixture
def project(serving_project, tmp_path, monkeypatch) -> Project:
    """The serving test project (alias table, models by version) with a `predict` hook."""
    (tmp_path / "fakeserve" / "predict.py").write_text(PREDICT)
    for variable in (
        "PREDICTION_LOG_URI",
        "MLOPS_ARTIFACT_ROOT",
        "MONITORING_CONFIG",
        "MLOPS_GX_ROOT",
    ):
        monkeypatch.delenv(variable, raising=False)
    frame().drop(columns=["y"]).to_csv(tmp_path / "in.csv", index=False)
    return serving_project


def test_scores_with_the_alias_version_and_logs_the_batch(project, serving_registry, tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "monitoring.yaml").write_text("prediction_log: {enabled: true}\n")
    serving_registry.ALIASES["champion"] = "7"
    done = scoring.score_file(project, tmp_path / "in.csv", tmp_path / "out" / "p.csv",
                              contract=CONTRACT, features=["x", "n", "kind"],
                              probability_column="p", label_column="label", log=True)  # fmt: skip
    assert (done.rows, done.model) == (20, "m version 7 (alias champion)")
    assert done.positive_rate == 1.0 and done.expectations_evaluated > 0
    out = pd.read_csv(tmp_path / "out" / "p.csv")
    assert out["p"].tolist() == [0.7] * 20 and set(out["model_version"]) == {7}
    logged = read_partitioned((tmp_path / "artifacts" / "predictions").as_uri(), 0, time.time() + 1)
    assert len(logged) == 20 and set(logged["source"]) == {"batch"}
    assert logged["request_id"].iloc[0].startswith("batch-") and set(logged["model_version"]) == {
        "7"
    }


def test_the_command_refuses_a_broken_input_a_missing_file_and_no_model(
    project, serving_registry, tmp_path, capsys
):
    def score(input_path, output_path, alias):
        return scoring.score_file(project, input_path, output_path, alias, contract=CONTRACT,
                                  features=["x"], probability_column="p", label_column="label")  # fmt: skip

    out = str(tmp_path / "out.csv")
    assert scoring.main(project, score, lambda: tmp_path / "in.csv", ["--output", out]) == 0
    assert "scored 20 rows of" in capsys.readouterr().out
    bad = frame().drop(columns=["y"])
    bad.loc[0, "x"] = 70
    bad.to_csv(tmp_path / "bad.csv", index=False)
    assert (
        scoring.main(project, score, lambda: tmp_path / "in.csv", [str(tmp_path / "bad.csv")]) == 1
    )
    assert "expect_column_values_to_be_between(x)" in capsys.readouterr().err
    missing = str(tmp_path / "nothing.csv")
    assert scoring.main(project, score, lambda: tmp_path / "in.csv", [missing]) == 1
    assert capsys.readouterr().err.startswith(f"error: cannot read {missing}: No such file")
    assert scoring.main(project, score, lambda: tmp_path / "in.csv", ["--alias", "gone"]) == 1
    assert "has alias 'gone'" in capsys.readouterr().err


def test_log_batch_writes_one_batch_unless_the_log_is_off(project, serving_registry, tmp_path):
    from types import SimpleNamespace

    info = SimpleNamespace(name="m", version="3", alias="champion")
    features = frame().drop(columns=["y"]).head(4)
    (tmp_path / "config").mkdir()
    monitoring = tmp_path / "config" / "monitoring.yaml"
    monitoring.write_text("prediction_log: {enabled: false}\n")
    assert scoring.log_batch(project, features, [0.1, 0.6, 0.7, 0.2], [0, 1, 1, 0], info) is False
    uri = (tmp_path / "artifacts" / "predictions").as_uri()
    assert not (tmp_path / "artifacts" / "predictions").exists()
    monitoring.write_text("prediction_log: {enabled: true}\n")
    assert scoring.log_batch(project, features, [0.1, 0.6, 0.7, 0.2], [0, 1, 1, 0], info) is True
    logged = read_partitioned(uri, 0, time.time() + 1)
    assert logged["probability"].tolist() == [0.1, 0.6, 0.7, 0.2]
    assert logged["prediction"].tolist() == [0, 1, 1, 0]
    assert set(logged["source"]) == {"batch"} and logged["request_id"].nunique() == 1
    assert set(logged["model_version"]) == {"3"}
