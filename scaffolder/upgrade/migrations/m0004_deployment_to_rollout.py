"""Level 2 -> 3: the serving Deployment becomes an Argo Rollouts Rollout, with the team's settings.

Level 3 serves through `k8s/base/rollout.yaml`, a Rollout with the Deployment's pod template and
a canary strategy; `k8s/base/deployment.yaml` is gone. Left to a plain merge, a Deployment the
team tuned (replicas, resources, env, probes) would stand as a modify/delete conflict beside a
Rollout that knows nothing of it, and their overlay patches would still target a Deployment that
no longer exists (kustomize then silently patches nothing).

Before the merge this migration makes the team's Deployment the Rollout: the file moves to
`rollout.yaml` and its `apiVersion`/`kind` lines change exactly as the template's do, so git
merges the template's canary strategy into the team's own pod template line by line; every
overlay patch that targets the serving Deployment is retargeted at the Rollout the same way.
Only lines change; comments, order and the team's other edits stay as they were.
"""

from __future__ import annotations

import re
from pathlib import Path

from scaffolder.state import ProjectState
from scaffolder.upgrade.migrations import Migration

DEPLOYMENT = Path("k8s/base/deployment.yaml")
ROLLOUT = Path("k8s/base/rollout.yaml")
OVERLAYS = (
    Path("k8s/overlays/staging/kustomization.yaml"),
    Path("k8s/overlays/production/kustomization.yaml"),
)
API_LINE = re.compile(r"^apiVersion:\s*apps/v1\s*$", re.M)
KIND_LINE = re.compile(r"^kind:\s*Deployment\s*$", re.M)
# A patch target of the serving Deployment: `kind: Deployment` next to its `name:`, any order.
TARGET = re.compile(
    r"(?P<a>^[ \t]+)kind:[ \t]*Deployment[ \t]*\n(?P<name>(?P=a)name:[ \t]*(?P<n>\S+)[ \t]*$)"
    r"|(?P<b>^[ \t]+)(?P<name2>name:[ \t]*(?P<n2>\S+)[ \t]*)\n(?P=b)kind:[ \t]*Deployment[ \t]*$",
    re.M,
)


def _app(state: ProjectState) -> str:
    name = state.answers.project_name.lower().replace("_", "-").replace(".", "-")
    return name[:40].strip("-") + "-serving"


def paths(state: ProjectState) -> list[str]:
    return [str(DEPLOYMENT), str(ROLLOUT), *(str(p) for p in OVERLAYS)]


def _is_serving_deployment(text: str, app: str) -> bool:
    return (
        bool(API_LINE.search(text) and KIND_LINE.search(text))
        and re.search(rf"^  name:[ \t]*{re.escape(app)}[ \t]*$", text, re.M) is not None
    )


def _retarget(text: str, app: str) -> str:
    def replace(match: re.Match) -> str:
        if match.group("a") is not None:
            if match.group("n") != app:
                return match.group(0)
            return f"{match.group('a')}kind: Rollout\n{match.group('name')}"
        if match.group("n2") != app:
            return match.group(0)
        return f"{match.group('b')}{match.group('name2')}\n{match.group('b')}kind: Rollout"

    return TARGET.sub(replace, text)


def is_applied(tree: Path, state: ProjectState) -> bool:
    app = _app(state)
    deployment = tree / DEPLOYMENT
    if (
        deployment.is_file()
        and not (tree / ROLLOUT).exists()
        and _is_serving_deployment(deployment.read_text(encoding="utf-8"), app)
    ):
        return False
    for overlay in OVERLAYS:
        path = tree / overlay
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            if _retarget(text, app) != text:
                return False
    return True


def apply(tree: Path, state: ProjectState) -> None:
    app = _app(state)
    deployment = tree / DEPLOYMENT
    if deployment.is_file() and not (tree / ROLLOUT).exists():
        text = deployment.read_text(encoding="utf-8")
        if _is_serving_deployment(text, app):
            text = API_LINE.sub("apiVersion: argoproj.io/v1alpha1", text, count=1)
            text = KIND_LINE.sub("kind: Rollout", text, count=1)
            (tree / ROLLOUT).write_text(text, encoding="utf-8")
            deployment.unlink()
    for overlay in OVERLAYS:
        path = tree / overlay
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            retargeted = _retarget(text, app)
            if retargeted != text:
                path.write_text(retargeted, encoding="utf-8")


MIGRATION = Migration(
    id="0004-deployment-to-rollout",
    from_level=2,
    stage="pre",
    summary=(
        "make the team's serving Deployment the level-3 Rollout (k8s/base/rollout.yaml) and "
        "retarget overlay patches of the Deployment at it"
    ),
    paths=paths,
    is_applied=is_applied,
    apply=apply,
)
