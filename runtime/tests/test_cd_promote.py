"""CD's promotion (`mlops_runtime.cd.promote`, what `scripts/promote_model.py` runs): governed
through the policy and the audit log, or by the version's own gate tags; the alias it left is
kept as `<alias>-previous`."""

from __future__ import annotations

import pytest
from fake_project import register
from mlops_runtime.cd import promote
from mlops_runtime.governance.audit import AuditLog


def holder(client, alias: str) -> str:
    return str(client.get_model_version_by_alias("fake-model", alias).version)


def test_ungoverned_promotion_keeps_the_previous_and_refuses_a_failed_gate(
    fake_project, registry_client, capsys
):
    one, two = register(fake_project, lineage=False), register(fake_project, lineage=False)
    assert promote.main(fake_project, ["--version", one]) == 0
    assert capsys.readouterr().out.strip() == f"champion: none -> {one}"
    moved = promote.promote(fake_project, two)
    assert (moved.from_version, moved.to_version, moved.changed) == (one, two, True)
    assert (holder(registry_client, "champion"), holder(registry_client, "champion-previous")) == (
        two,
        one,
    )
    assert registry_client.get_model_version("fake-model", two).tags["promoted.champion"] == "true"

    registry_client.set_model_version_tag("fake-model", one, "quality_gate", "failed")
    with pytest.raises(promote.PromotionError, match="did not pass quality_gate"):
        promote.promote(fake_project, one)
    assert holder(registry_client, "champion") == two
    assert promote.promote(fake_project, one, allow_failed_gate=True).to_version == one

    assert promote.main(fake_project, ["--version", "99"]) == 1
    assert capsys.readouterr().err.strip() == "error: fake-model has no version 99"


def test_governed_promotion_goes_through_the_policy_and_the_audit_log(
    fake_project, registry_client, capsys, tmp_path, monkeypatch
):
    one = register(fake_project)
    registry_client.set_registered_model_alias("fake-model", "champion", one)
    # Version 2 was trained on the same data with the same config: the policy refuses it.
    two = register(fake_project)
    args = ["--version", two, "--reason", "CD abc: smoke test passed"]
    assert promote.main(fake_project, args, governed=True) == 1
    assert "identical to version" in capsys.readouterr().err
    assert holder(registry_client, "champion") == one

    lenient = tmp_path / "policy.yaml"
    lenient.write_text("required_tags: [lineage.git_commit]\nrefuse_identical: false\n")
    monkeypatch.setenv("PROMOTION_POLICY", str(lenient))
    assert promote.main(fake_project, args, governed=True) == 0
    assert capsys.readouterr().out.strip() == f"champion: {one} -> {two}"
    assert holder(registry_client, "champion-previous") == one
    entry = AuditLog.of(fake_project).entries()[-1]
    assert (entry["action"], entry["to"], entry["reason"]) == ("move", two, args[-1])


def test_the_cli_offers_each_mode_its_own_options(fake_project, capsys):
    with pytest.raises(SystemExit):
        promote.main(fake_project, ["--version", "1", "--reason", "x"])
    with pytest.raises(SystemExit):
        promote.main(fake_project, ["--version", "1", "--allow-failed-gate"], governed=True)
    assert "unrecognized arguments" in capsys.readouterr().err
