"""The audit log's signing key reaches every place a level-3 project moves a model alias (CD's
production jobs, the remediation receiver's pod) as a reference to a secret, never a value,
and a production job without it stops instead of writing unsigned entries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from scaffolder.catalog import builtin_catalog
from scaffolder.render import render

SECRET_REF = "${{ secrets.GOVERNANCE_AUDIT_KEY }}"


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[tuple[int, str], Path]:
    root = tmp_path_factory.mktemp("audit-key")
    out = {}
    for level, ci in ((3, "github"), (3, "gitlab"), (2, "github")):
        dest = root / f"l{level}-{ci}"
        render(builtin_catalog(), {"project_name": "churn", "level": level, "ci": ci}, dest)
        out[(level, ci)] = dest
    return out


def _steps_running(job: dict, command: str) -> list[dict]:
    return [step for step in job["steps"] if command in step.get("run", "")]


def test_github_cd_gives_the_key_to_every_step_that_moves_an_alias(projects):
    cd = yaml.safe_load((projects[(3, "github")] / ".github/workflows/cd.yml").read_text())
    production = cd["jobs"]["production"]
    [approve] = _steps_running(production, "governance approve")
    [promote] = _steps_running(production, "scripts/promote_model.py")
    for step in (approve, promote):
        assert step["env"]["GOVERNANCE_AUDIT_KEY"] == SECRET_REF, step["name"]
    # The first of them stops the job when the secret is missing (an empty variable).
    check = approve["run"].index('[ -z "$GOVERNANCE_AUDIT_KEY" ]')
    assert check < approve["run"].index("governance approve")
    assert "exit 1" in approve["run"][check : approve["run"].index("governance approve")]
    # Only steps of the production job get it.
    for name, job in cd["jobs"].items():
        for step in job.get("steps", []):
            if "GOVERNANCE_AUDIT_KEY" in step.get("env", {}):
                assert name == "production" and step in (approve, promote)


def test_gitlab_cd_checks_the_key_file_before_each_alias_move(projects):
    cd = yaml.safe_load((projects[(3, "gitlab")] / ".gitlab/cd.gitlab-ci.yml").read_text())
    for job, command in (("deploy-production", "governance approve"),
                         ("promote-model", "scripts/promote_model.py")):  # fmt: skip
        script = cd[job]["script"]
        [check] = [i for i, line in enumerate(script) if "GOVERNANCE_AUDIT_KEY_FILE" in line]
        [moves] = [i for i, line in enumerate(script) if command in line]
        assert check < moves, job
        assert script[check].startswith('test -s "${GOVERNANCE_AUDIT_KEY_FILE:-}" || {')
        assert "exit 1; }" in script[check]
        assert cd[job]["environment"]["name"] == "production"


def test_the_receiver_pod_reads_the_key_from_its_secret(projects):
    manifests = (projects[(3, "github")] / "k8s/base/alert-receiver.yaml").read_text()
    [deployment] = [d for d in yaml.safe_load_all(manifests) if d["kind"] == "Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    env = {e["name"]: e for e in container["env"]}
    key_file = Path(env["GOVERNANCE_AUDIT_KEY_FILE"]["value"])
    [mount] = [m for m in container["volumeMounts"] if m["mountPath"] == str(key_file.parent)]
    assert mount["readOnly"] is True
    [volume] = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    assert volume["secret"]["secretName"] == "churn-audit-key"
    assert "optional" not in volume["secret"]  # no key: the pod does not start
    assert volume["secret"]["defaultMode"] == 0o400
    assert key_file.name == "key"


def test_no_file_holds_a_key_and_level_2_has_no_audit_log(projects):
    for project in projects.values():
        for path in project.rglob("*"):
            if not path.is_file():
                continue
            for line in path.read_text(errors="replace").splitlines():
                match = re.search(r"GOVERNANCE_AUDIT_KEY:\s*(\S.*)$", line)
                if match:  # a value, in a workflow: only the secret's reference
                    assert match.group(1) == SECRET_REF, (path, line)
    level2 = projects[(2, "github")] / ".github/workflows/cd.yml"
    assert "GOVERNANCE_AUDIT_KEY" not in level2.read_text()
