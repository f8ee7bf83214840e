"""Release notes on every move of `champion`: the pure rendering from plain values, and the
writer that fetches both versions from MLflow and stores the notes as an artifact and a file."""

from __future__ import annotations

import json

from fake_project import register
from mlops_runtime import release_notes as rn

OLD = rn.VersionRecord(
    version="3", run_id="r3", params={"C": "1.0", "max_iter": "100"},
    metrics={"roc_auc": 0.80, "accuracy": 0.70},
    run_tags={"lineage.git_commit": "aaa111", "lineage.data_digest": "d-old"},
    importance={"tenure": 0.10, "age": 0.02, "charges": 0.05},
)  # fmt: skip
NEW = rn.VersionRecord(
    version="5", run_id="r5", params={"C": "0.5", "max_iter": "100", "penalty": "l2"},
    metrics={"roc_auc": 0.85, "accuracy": 0.69, "f1": 0.6},
    version_tags={
        "lineage.git_commit": "bbb222", "lineage.data_digest": "d-new",
        "quality_gate": "passed", "model_tests": "passed",
        "lineage.validation": json.dumps({"data": "passed"}),
        "approval.alice": json.dumps({"by": "alice", "at": "2026-12-06T10:00:00Z",
                                      "note": "risk | reviewed"}),
    },
    model_tests={"checks": [{"name": "slices", "passed": True, "detail": "3 gated"}],
                 "champion_metrics": {"roc_auc": 0.79}},
    importance={"tenure": 0.12, "charges": 0.01, "age": 0.04},
)  # fmt: skip
RELEASE = rn.Release("churn", "champion", NEW, OLD, "bob (GITHUB_ACTOR)", "CD 42", "promote",
                     "prod", "2026-12-06T11:00:00Z")  # fmt: skip


def test_deltas_params_and_feature_ranks_from_plain_values():
    deltas = {d.name: d for d in rn.metric_deltas(OLD.metrics, NEW.metrics)}
    assert round(deltas["roc_auc"].delta, 6) == 0.05 and round(deltas["accuracy"].delta, 6) == -0.01
    assert deltas["f1"].previous is None and deltas["f1"].delta is None
    assert rn.param_changes(OLD.params, NEW.params) == [
        ("C", "1.0", "0.5"),
        ("penalty", None, "l2"),
    ]
    assert rn.importance_changes(OLD.importance, NEW.importance, top=2) == [
        ("tenure", 1, 1, 0.12, 0.10), ("age", 2, 3, 0.04, 0.02),
    ]  # fmt: skip


def test_the_notes_say_what_changed_the_deltas_the_gates_and_who():
    text = rn.render(RELEASE)
    assert text.startswith("# Release notes: churn version 5 (champion)")
    assert "- replaces: version 3" in text and "bob (GITHUB_ACTOR) (promote: CD 42)" in text
    assert "`aaa111` .. `bbb222` (`git log aaa111..bbb222`)" in text
    assert "- data: `d-old` -> `d-new`" in text
    assert "| C | 1.0 | 0.5 |" in text and "| penalty | n/a | l2 |" in text
    assert "| roc_auc | 0.8000 | 0.8500 | +0.0500 |" in text
    assert "| accuracy | 0.7000 | 0.6900 | -0.0100 |" in text
    assert "| quality_gate | passed | version tag |" in text
    assert (
        "| data validation | passed |" in text
        and "| model test slices | passed | 3 gated |" in text
    )
    assert "- alice at 2026-12-06T10:00:00Z: risk \\| reviewed" in text  # escaped for the table
    assert "| age | 2 | 3 | 0.0400 | 0.0200 |" in text
    assert "roc_auc previous 0.7900" in text


def test_a_first_release_has_nothing_to_compare():
    first = rn.Release("churn", "champion", NEW, None, "ci", "first", "train", "dev", "t")
    text = rn.render(first)
    assert "- replaces: nothing (first release)" in text
    assert "| roc_auc | n/a | 0.8500 | n/a |" in text and "- data: `d-new`" in text


def test_the_writer_stores_an_artifact_and_a_file(fake_project, registry_client, monkeypatch):
    monkeypatch.setenv("GOVERNANCE_ACTOR", "carol")
    one = register(fake_project, roc_auc=0.80, lineage=False)
    two = register(fake_project, roc_auc=0.84, lineage=False)
    run_two = registry_client.get_model_version("fake-model", two).run_id
    registry_client.log_dict(run_two, {"tenure": {"mean": 0.2, "std": 0.01}},
                             rn.IMPORTANCE_ARTIFACT)  # fmt: skip
    written = rn.write_release_notes(fake_project, two, one, reason="CD 7", context="promote")
    assert written.path == fake_project.path("release_notes/fake-model-champion-v2.md")
    assert written.path.read_text() == written.text
    assert written.artifact_uri == f"runs:/{run_two}/release_notes/champion-v2.md"
    stored = [a.path for a in registry_client.list_artifacts(run_two, "release_notes")]
    assert stored == ["release_notes/champion-v2.md"]
    assert "| roc_auc | 0.8000 | 0.8400 | +0.0400 |" in written.text
    assert "carol (GOVERNANCE_ACTOR) (promote: CD 7)" in written.text
    assert "| tenure | 1 | n/a | 0.2000 | n/a |" in written.text


def test_every_champion_move_writes_notes_linked_from_the_audit_entry(
    fake_project, registry_client, monkeypatch, tmp_path
):
    from mlops_runtime.cd import promote
    from mlops_runtime.governance import aliases
    from mlops_runtime.governance.audit import AuditLog

    lenient = tmp_path / "policy.yaml"
    lenient.write_text("required_tags: [lineage.git_commit]\nrefuse_identical: false\n")
    monkeypatch.setenv("PROMOTION_POLICY", str(lenient))
    one, two = register(fake_project, roc_auc=0.80), register(fake_project, roc_auc=0.90)
    aliases.move_alias(fake_project, "candidate", one, reason="train")  # not a release
    assert not fake_project.path("release_notes").exists()
    promote.promote(fake_project, one, governed=True, reason="first")
    promote.promote(fake_project, two, governed=True, reason="CD 9")
    entry = AuditLog.of(fake_project).entries()[-1]
    assert entry["release_notes"]["file"] == "release_notes/fake-model-champion-v2.md"
    run_two = registry_client.get_model_version("fake-model", two).run_id
    assert entry["release_notes"]["artifact"] == f"runs:/{run_two}/release_notes/champion-v2.md"
    text = fake_project.path(entry["release_notes"]["file"]).read_text()
    assert "- replaces: version 1" in text and "| roc_auc | 0.8000 | 0.9000 | +0.1000 |" in text
    # Level 2 (ungoverned) writes them too.
    three = register(fake_project, roc_auc=0.91, lineage=False)
    promote.promote(fake_project, three)
    assert "- replaces: version 2" in fake_project.path(
        "release_notes/fake-model-champion-v3.md").read_text()  # fmt: skip


def test_fetch_version_reads_the_registry_and_the_run(fake_project, registry_client):
    version = register(fake_project, roc_auc=0.82, lineage=False)
    run_id = registry_client.get_model_version("fake-model", version).run_id
    registry_client.log_param(run_id, "C", "0.5")
    registry_client.log_dict(run_id, {"tenure": {"mean": 0.3, "std": 0.1}, "plan": 0.1},
                             rn.IMPORTANCE_ARTIFACT)  # fmt: skip
    record = rn.fetch_version(registry_client, "fake-model", version)
    assert (record.version, record.run_id) == (version, run_id)
    assert record.metrics == {"roc_auc": 0.82, "accuracy": 0.75} and record.params == {"C": "0.5"}
    assert record.version_tags["quality_gate"] == "passed"
    assert record.importance == {"tenure": 0.3, "plan": 0.1}
    assert record.model_tests is None  # the run logged none
