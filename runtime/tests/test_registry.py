"""The registry's command line (`python -m <package>.registry`): show an alias, promote one
alias to another's version, by hand or (level 3) through the promotion policy."""

from __future__ import annotations

from fake_project import register
from mlops_runtime import registry


def test_info_and_promote_by_hand_and_through_the_policy(fake_project, registry_client, capsys):
    version = register(fake_project, lineage=False)
    registry_client.set_registered_model_alias("fake-model", "candidate", version)
    assert registry.main(fake_project, ["info", "--alias", "candidate"]) == 0
    assert f"'version': '{version}'" in capsys.readouterr().out
    assert registry.main(fake_project, ["promote", "--to", "stable"]) == 0
    assert capsys.readouterr().out.strip() == f"fake-model: alias stable -> version {version}"
    assert registry.champion_info(fake_project, "stable").version == version
    # governed: the policy refuses a version without lineage, and says why
    assert registry.main(fake_project, ["promote"], governed=True) == 1
    assert "lineage.git_commit" in capsys.readouterr().err
    assert registry.main(fake_project, ["info", "--alias", "nothing"]) == 1
    assert "has alias 'nothing'" in capsys.readouterr().err
