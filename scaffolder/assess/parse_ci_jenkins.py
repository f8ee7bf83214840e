"""Facts from Jenkins pipelines, read as text: declarative and scripted Jenkinsfiles and the
shared-library steps of `.groovy` files. Their `sh`/`bat` steps are classified like any CI
step (`parse_ci_providers._steps`); Jenkins triggers live outside the repository, so a
Jenkinsfile counts as running on push."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from scaffolder.assess.models import Fact, Zone
from scaffolder.assess.parse_ci import DETACHED_SERVICE, classify
from scaffolder.assess.parse_ci_providers import _steps, _workflow

# a declarative pipeline: `pipeline {` first (after comments), its `stages {` inside
JENKINS_DECLARATIVE = re.compile(
    r"(?:\s|//[^\n]*|/\*[\s\S]*?\*/|@Library\([^)]*\)_?)*pipeline\s*\{[\s\S]*?\bstages\s*\{"
)
# a Jenkins agent on a developer's Windows workstation: a checkout on a WSL drive mount, Docker
# Desktop's binaries; a service it starts runs on that desk, not in an environment
DESKTOP_HOST = re.compile(r"/mnt/[a-z]/|Docker/Docker/resources/bin|docker(-compose)?\.exe", re.I)
_JENKINS_DAG_UPLOAD = re.compile(
    r"\bs3Upload\s*\([^)]*\b(workingDir|file|includePathPattern)\s*:\s*['\"][^'\"]*"
    r"\b(dags|airflow)\b"
)
_JENKINS_SH = re.compile(
    r"""\b(?:sh|bat|powershell)\s*\(?\s*(?:script:\s*)?(['"]{1,3})(.*?)\1""", re.S
)
_JENKINS_LIBRARY_STEP = re.compile(
    r"^\s*([a-z]\w*(?:[Dd]eploy|[Rr]egister|[Pp]romote|[Rr]elease|[Rr]ollout)\w*|"
    r"(?:deploy|register|promote)[A-Z]\w*)\s*\(",
    re.M,
)
# plugin steps that deploy: pipeline-aws's CloudFormation stack updates, the Kubernetes CD and
# Azure App Service plugins
_JENKINS_PLUGIN_DEPLOY = re.compile(
    r"\b(cfnUpdate|cfnUpdateStackSet|kubernetesDeploy|azureWebAppPublish|azureFunctionAppPublish)"
    r"\s*\("
)
_JENKINS_STAGE = re.compile(r"""\bstage\s*\(\s*['"]([^'"]+)['"]""")


def groovy(text: str, path: str) -> list[Fact]:
    """A `.groovy` file. A declarative pipeline under another name (`jenkins/pipeline.groovy`:
    `pipeline {` with `stages`) is a Jenkinsfile. A shared library's global step
    (`vars/NAME.groovy` defining `call`) runs its shell commands wherever a pipeline calls
    `NAME(...)`: they are CI steps, without a workflow (trigger) of their own. Other Groovy
    (Gradle scripts, classes) is not CI."""
    if re.search(r"^\s*pipeline\s*\{", text, re.M) and re.search(r"\bstages\s*\{", text):
        return jenkinsfile(text, path, Zone.SOURCE)
    if not ("/" + path).count("/vars/") or not re.search(r"\bdef\s+call\s*\(", text):
        return []
    step = PurePosixPath(path).stem
    facts: list[Fact] = []
    for match in _JENKINS_SH.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        facts.extend(_steps("jenkins", match.group(2), path, line, step))
    return facts


def jenkinsfile(text: str, path: str, zone: Zone) -> list[Fact]:
    """A Jenkinsfile: `sh '...'` commands, stage names, `input` approvals, cron triggers."""
    triggers = ["push"]
    if "changeRequest" in text or "CHANGE_ID" in text:
        triggers.append("pull_request")
    facts = [_workflow("jenkins", path, 1, triggers)]
    for match in _JENKINS_SH.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        facts.extend(_steps("jenkins", match.group(2), path, line, ""))
    started = list(DETACHED_SERVICE.finditer(text))
    if DESKTOP_HOST.search(text):
        started = []  # Docker Desktop on a Windows workstation: the developer's machine
    if started and not re.search(
        r"docker[- ]compose\b[^\n]*\bdown\b|docker\s+(stop|rm\s+-f)\b", text[started[-1].end() :]
    ):
        # a service the pipeline leaves running on Jenkins's (persistent) host: a deployment
        line = text.count("\n", 0, started[-1].start()) + 1
        detail = {"job": "service left running on the Jenkins host", "tool": "Jenkins"}
        facts.append(Fact(kind="ci.step.deploy", path=path, line=line, detail=detail))
    for match in _JENKINS_STAGE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        for kind in classify(match.group(1)):
            if kind in ("integration", "deploy", "rollback", "progressive"):
                facts.append(
                    Fact(
                        kind=f"ci.step.{kind}", path=path, line=line, detail={"job": match.group(1)}
                    )
                )
    for match in _JENKINS_LIBRARY_STEP.finditer(text):
        # steps of a shared library (`@Library`): `deployModel(...)`, `registerModel(...)`
        line = text.count("\n", 0, match.start()) + 1
        name = match.group(1)
        kinds = {"deploy"} if re.search(r"deploy|release|rollout", name, re.I) else set()
        if re.search(r"register|promot", name, re.I):
            kinds.add("promote")
        for kind in sorted(kinds):
            facts.append(Fact(kind=f"ci.step.{kind}", path=path, line=line, detail={"job": name}))
        if re.search(r"register", name, re.I):
            facts.append(
                Fact(
                    kind="registry.model", path=path, line=line, detail={"tool": f"Jenkins {name}"}
                )
            )
    for match in _JENKINS_DAG_UPLOAD.finditer(text):
        # the pipeline AWS plugin's s3Upload of the DAG folder to the bucket Airflow reads
        line = text.count("\n", 0, match.start()) + 1
        detail = {"job": "s3Upload of the DAGs", "tool": "Jenkins"}
        facts.append(Fact(kind="ci.step.pipeline_deploy", path=path, line=line, detail=detail))
    for match in _JENKINS_PLUGIN_DEPLOY.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        detail = {"job": match.group(1), "tool": f"Jenkins {match.group(1)}"}
        facts.append(Fact(kind="ci.step.deploy", path=path, line=line, detail=detail))
    if re.search(r"\binput\s*(\(|message)", text):
        facts.append(Fact(kind="approval.gate", path=path, line=1, detail={"tool": "Jenkins"}))
    if re.search(r"\bcron\s*\(", text):
        facts.append(Fact(kind="ci.schedule", path=path, line=1, detail={"provider": "jenkins"}))
    return facts
