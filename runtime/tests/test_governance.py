"""Governance: lineage on every version, the promotion policy, the one alias-moving function,
the audit log and rollback, on a fake project with MLflow on SQLite."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fake_project import LINEAGE, register
from mlops_runtime.governance import aliases, cli
from mlops_runtime.governance.audit import AuditLog, audit_experiment
from mlops_runtime.governance.policy import Policy, VersionFacts, load_policy, violations
from mlops_runtime.remediation.actions import do_rollback
from mlops_runtime.state import fenced

FULL = {**LINEAGE, "lineage.config_digest": "c1", "lineage.logged_model_id": "m-1",
        "lineage.validation": '{"data": "passed"}'}  # fmt: skip


def complete(version: str = "2", **tags: str) -> VersionFacts:
    return VersionFacts(
        version=version,
        tags={**FULL, "quality_gate": "passed", "model_tests": "passed", **tags},
        metrics={"roc_auc": 0.80, "accuracy": 0.75},
        has_model_card=True,
    )


@pytest.fixture
def check(fake_project):
    policy = load_policy(fake_project)

    def check(target, current=None, environment="dev", context="promote", alias="champion"):
        return violations(policy, target, alias, environment=environment,
                          primary_metric="roc_auc", current=current, context=context)  # fmt: skip

    return check


def test_the_policy_lists_everything_a_bare_version_lacks(fake_project, check):
    problems = check(VersionFacts(version="3", metrics={"roc_auc": 0.5}))
    text = "\n".join(problems)
    for tag in load_policy(fake_project).required_tags:
        assert tag in text, tag
    assert "check quality_gate is not recorded" in text and "model_tests" in text
    assert "roc_auc 0.5000 below the floor" in text and "accuracy not recorded" in text
    assert "no model card" in text
    assert len(problems) >= 5  # every reason at once, not just the first


def test_the_policy_passes_a_complete_version_and_refuses_identical_worse_unapproved(check):
    assert check(complete()) == []
    assert check(complete(), current=complete("1", **{"lineage.data_digest": "d0"})) == []
    assert any("identical to version 1" in p for p in check(complete(), current=complete("1")))
    worse = replace(complete(), metrics={"roc_auc": 0.70, "accuracy": 0.75})
    better_current = complete("1", **{"lineage.data_digest": "d0"})
    assert any("trails version 1" in p for p in check(worse, current=better_current))
    assert check(worse, current=better_current, context="rollback") == []
    assert any("0 of 1 approval" in p for p in check(complete(), environment="prod"))
    assert check(complete(**{"approval.release-board": "yes"}), environment="prod") == []
    # Unguarded aliases (candidate) need lineage and passed checks only.
    assert check(replace(complete(), has_model_card=False), alias="candidate") == []


def test_a_recorded_version_carries_lineage_and_a_bare_one_is_blocked(
    fake_project, registry_client
):
    version = register(fake_project)
    mv = registry_client.get_model_version("fake-model", version)
    for tag in load_policy(fake_project).required_tags:
        assert mv.tags.get(tag), tag
    assert mv.tags["lineage.logged_model_id"] == f"m-{version}"
    assert aliases.alias_version(registry_client, "fake-model", "candidate") == version
    aliases.move_alias(fake_project, "champion", version, reason="first")
    assert aliases.check(fake_project, version, "champion") == []

    bare = register(fake_project, lineage=False)
    with pytest.raises(aliases.PolicyViolation) as refused:
        aliases.move_alias(fake_project, "champion", bare, reason="test")
    assert "lineage.git_commit" in str(refused.value) and "no model card" in str(refused.value)
    assert aliases.alias_version(registry_client, "fake-model", "champion") == version
    entry = AuditLog.of(fake_project).entries()[-1]
    assert entry["action"] == "refused" and entry["to"] == bare and entry["problems"]


def test_a_fenced_caller_whose_lease_lapsed_moves_no_alias(fake_project, registry_client):
    """A retrain whose single-flight lease lapsed (`mlops_runtime.state.fenced`) is refused
    by governance with the fence's reason, audited, and the champion stays."""
    first = register(fake_project, data_digest="d1")
    aliases.move_alias(fake_project, "champion", first, reason="first")
    second = register(fake_project, data_digest="d2")
    with (
        fenced(lambda: "retrain r1 no longer holds the lease"),
        pytest.raises(aliases.PolicyViolation, match="no longer holds the lease"),
    ):
        aliases.move_alias(fake_project, "champion", second, reason="late retrain")
    assert aliases.alias_version(registry_client, "fake-model", "champion") == first
    last = AuditLog.of(fake_project).entries()[-1]
    assert last["action"] == "refused" and last["to"] == second
    with fenced(lambda: None):  # a fence that holds: the move goes through
        aliases.move_alias(fake_project, "champion", second, reason="in time")
    assert aliases.alias_version(registry_client, "fake-model", "champion") == second


def test_rollback_restores_the_previous_champion_and_is_audited(fake_project, registry_client):
    first = register(fake_project, data_digest="d1")
    aliases.move_alias(fake_project, "champion", first, reason="first")
    second = register(fake_project, data_digest="d2")
    aliases.move_alias(fake_project, "champion", second, reason="better")

    move = aliases.rollback(fake_project, "champion", reason="canary failed", actor="on-call")

    assert (move.from_version, move.to_version) == (second, first)
    assert aliases.alias_version(registry_client, "fake-model", "champion") == first
    tags = registry_client.get_model_version("fake-model", second).tags
    assert "canary failed" in tags[aliases.ROLLED_BACK_TAG]
    last = AuditLog.of(fake_project).entries()[-1]
    assert last["action"] == "rollback" and last["actor"] == "on-call"
    assert (last["from"], last["to"], last["reason"]) == (second, first, "canary failed")
    assert AuditLog.of(fake_project).verify() == []
    experiment = registry_client.get_experiment_by_name(audit_experiment(fake_project))
    runs = registry_client.search_runs(
        [experiment.experiment_id], "tags.`audit.action` = 'rollback'"
    )
    assert len(runs) == 1 and runs[0].data.tags["audit.to"] == first
    with pytest.raises(aliases.GovernanceError, match="no earlier champion"):
        aliases.rollback(fake_project, "champion", reason="again")


def test_the_receivers_rollback_goes_through_governance(fake_project, registry_client, capsys):
    """Issue 19: the receiver's rollback skipped the policy, the audit log and the rolled-back
    tag, so a later `make rollback` re-promoted the version the alert had rolled back from."""
    versions = [register(fake_project, data_digest=f"d{i}") for i in range(3)]
    for version in versions:
        aliases.move_alias(fake_project, "champion", version, reason="train")
    # v3 serves errors: the alert rolls back to v2, audited, v3 tagged rolled back.
    outcome = do_rollback(fake_project, "MLServingErrorRateHigh", ["error ratio 0.4"])
    assert outcome["status"] == "succeeded", outcome
    assert aliases.alias_version(registry_client, "fake-model", "champion") == versions[1]
    assert aliases.ROLLED_BACK_TAG in registry_client.get_model_version(
        "fake-model", versions[2]).tags  # fmt: skip
    entry = AuditLog.of(fake_project).entries()[-1]
    assert entry["action"] == "rollback" and "MLServingErrorRateHigh" in entry["reason"]
    assert (entry["from"], entry["to"]) == (versions[2], versions[1])
    assert entry["actor"].startswith("remediation-receiver")

    # A later manual rollback goes further back (v1), never to the rolled-back v3.
    assert cli.main(fake_project, ["rollback", "--reason", "v2 too"]) == 0
    assert aliases.alias_version(registry_client, "fake-model", "champion") == versions[0]
    assert cli.main(fake_project, ["audit", "--verify"]) == 0
    assert "intact" in capsys.readouterr().out
    moves = [(e["from"], e["to"]) for e in AuditLog.of(fake_project).entries()
             if e["action"] == "rollback"]  # fmt: skip
    assert moves == [(versions[2], versions[1]), (versions[1], versions[0])]


def test_the_cli_refuses_with_the_policys_reasons(fake_project, capsys):
    bare = register(fake_project, lineage=False)
    assert cli.main(fake_project, ["check", "--version", bare]) == 1
    err = capsys.readouterr().err
    assert "lineage.git_commit" in err and "no model card" in err
    assert cli.main(fake_project, ["promote", "--version", bare, "--reason", "try"]) == 1
    assert "may not become champion" in capsys.readouterr().err


def test_the_audit_log_detects_an_edited_line(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    for version in ("1", "2", "3"):
        log.append(action="move", alias="champion", to=version, actor="ci")
    assert log.verify() == []
    lines = log.path.read_text().splitlines()
    lines[1] = lines[1].replace('"to": "2"', '"to": "9"')
    log.path.write_text("\n".join(lines) + "\n")
    assert log.verify() == ["line 3: does not follow line 2 (edited or removed)"]


def test_a_policy_file_with_an_unknown_setting_is_refused(tmp_path, fake_project):
    bad = tmp_path / "policy.yaml"
    bad.write_text("required_tags: [a]\nmetric_floor: {roc_auc: 0.7}\n")
    with pytest.raises(ValueError, match="unknown policy settings metric_floor"):
        load_policy(bad)
    assert isinstance(load_policy(fake_project), Policy)


def _recompute_chain(lines: list[str]) -> list[str]:
    """What a careful forger does after editing entries: renumber and rehash every line."""
    import hashlib
    import json

    out, previous = [], "0" * 64
    for number, line in enumerate(lines, start=1):
        entry = json.loads(line)
        entry.update(seq=number, prev=previous)
        text = json.dumps(entry, sort_keys=True)
        out.append(text)
        previous = hashlib.sha256(text.encode()).hexdigest()
    return out


def _rewrite(log: AuditLog, lines: list[str]) -> None:
    """What someone with write access to the state store's table does: replace the log's rows."""
    from mlops_runtime.state import _schema as schema

    table = schema.audit_log
    with log.store.engine.begin() as conn:
        conn.execute(table.delete().where(table.c.namespace == log.store.namespace))
        for number, line in enumerate(lines, start=1):
            conn.execute(table.insert().values(namespace=log.store.namespace, seq=number,
                                               line=line, recorded_at=0.0))  # fmt: skip


def test_the_audit_log_survives_truncation_and_a_recomputed_chain(fake_project, capsys,
                                                                   monkeypatch, tmp_path):  # fmt: skip
    """Issue 20: truncating the log, or rewriting an entry and recomputing the chain, verified
    "intact". Entries are signed, and the head is anchored in MLflow."""
    key = tmp_path / "audit-key"
    key.write_text("k" * 32)
    monkeypatch.setenv("GOVERNANCE_AUDIT_KEY_FILE", str(key))
    first = register(fake_project, data_digest="d1")
    aliases.move_alias(fake_project, "champion", first, reason="first")
    second = register(fake_project, data_digest="d2")
    aliases.move_alias(fake_project, "champion", second, reason="second")
    log = AuditLog.of(fake_project)
    assert all(e["sig"] for e in log.entries())
    assert cli.main(fake_project, ["audit", "--verify"]) == 0
    assert "intact" in capsys.readouterr().out
    lines = log.store.audit_lines()

    # Truncated: the last entries are gone, the chain of the rest is whole.
    _rewrite(log, lines[:-2])
    assert cli.main(fake_project, ["audit", "--verify"]) == 1
    assert "truncated" in capsys.readouterr().err

    # Rewritten and rechained: the "to" of a move changed, every hash recomputed.
    forged = [line.replace(f'"to": "{second}"', '"to": "1"') for line in lines]
    _rewrite(log, _recompute_chain(forged))
    assert AuditLog(store=log.store).verify() == []  # the chain alone is fooled ...
    assert cli.main(fake_project, ["audit", "--verify"]) == 1  # ... the signature and anchor not
    err = capsys.readouterr().err
    assert "signature does not match" in err and "not the one anchored" in err

    # Without the key a forger cannot re-sign; with the anchor alone, a whole rewrite shows too.
    monkeypatch.delenv("GOVERNANCE_AUDIT_KEY_FILE")
    assert cli.main(fake_project, ["audit", "--verify"]) == 1
    assert "not the one anchored" in capsys.readouterr().err
    _rewrite(log, lines)
    assert cli.main(fake_project, ["audit", "--verify"]) == 0
    log.close()


def test_approvals_are_structured_and_actors_say_where_they_come_from(fake_project,
                                                                      registry_client,
                                                                      monkeypatch):  # fmt: skip
    import json

    monkeypatch.setenv("GITHUB_ACTOR", "ci-bot")
    monkeypatch.setenv("GOVERNANCE_ACTOR", "someone-else")
    version = register(fake_project)
    aliases.approve(fake_project, version, "release-board", "looks good")
    tag = registry_client.get_model_version("fake-model", version).tags["approval.release-board"]
    approval = json.loads(tag)
    assert approval["by"] == "release-board" and approval["note"] == "looks good"
    assert approval["recorded_by"] == "ci-bot" and approval["environment"] == "dev"
    entry = AuditLog.of(fake_project).entries()[-1]
    assert entry["action"] == "approve" and entry["approval"] == approval
    assert (entry["actor"], entry["actor_source"]) == ("ci-bot", "GITHUB_ACTOR")
    aliases.move_alias(fake_project, "champion", version, reason="x", actor="on-call")
    last = AuditLog.of(fake_project).entries()[-1]
    assert (last["actor"], last["actor_source"]) == ("on-call", "caller")


def test_previous_approved_version_facts_and_retire_alias(fake_project, registry_client):
    from mlops_runtime.governance.lineage import lineage_of

    first = register(fake_project, data_digest="d1")
    with pytest.raises(aliases.GovernanceError, match="no version of fake-model has alias"):
        aliases.previous_approved(fake_project)
    aliases.move_alias(fake_project, "champion", first, reason="first")
    second = register(fake_project, data_digest="d2")
    aliases.move_alias(fake_project, "champion", second, reason="second")
    assert aliases.previous_approved(fake_project, "champion") == first

    facts = aliases.version_facts(registry_client, "fake-model", second)
    assert (facts.version, facts.status) == (second, "READY")
    assert facts.tags["lineage.data_digest"] == "d2" and facts.has_model_card
    assert lineage_of(facts.tags)["data_digest"] == "d2"
    assert "governance.champion_since" not in lineage_of(facts.tags)  # only lineage.* tags
    with pytest.raises(aliases.GovernanceError, match="has no version 99"):
        aliases.version_facts(registry_client, "fake-model", "99")

    aliases.move_alias(fake_project, "challenger", first, reason="try it")
    assert aliases.retire_alias(fake_project, "challenger", reason="lost the A/B test") == first
    assert aliases.alias_version(registry_client, "fake-model", "challenger") is None
    assert aliases.retire_alias(fake_project, "challenger", reason="again") is None
    last = AuditLog.of(fake_project).entries()[-1]
    assert (last["action"], last["from"], last["reason"]) == ("retire", first,
                                                              "lost the A/B test")  # fmt: skip


def test_log_to_mlflow_copies_an_entry_and_moves_the_anchor_read_anchor_reads(
    fake_project, registry_client
):
    from mlops_runtime.governance.audit import log_to_mlflow, read_anchor

    assert read_anchor(fake_project) is None  # nothing anchored yet
    entry = {"action": "move", "alias": "champion", "to": "3", "from": None}
    run_id = log_to_mlflow(fake_project, entry, head=(7, "abc123"))
    assert read_anchor(fake_project) == (7, "abc123")
    run = registry_client.get_run(run_id)
    assert run.data.tags["audit.to"] == "3" and "audit.from" not in run.data.tags
    assert run.info.experiment_id == registry_client.get_experiment_by_name(
        audit_experiment(fake_project)).experiment_id  # fmt: skip
    log_to_mlflow(fake_project, {"action": "approve"})  # no head: the anchor stays
    assert read_anchor(fake_project) == (7, "abc123")
