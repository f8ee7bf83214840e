"""Release notes for every model version that becomes `champion`, written from the registry and
the lineage MLflow recorded: what changed (code commit range, data version, parameters), the
metrics against the previous champion with their deltas, the gate results, the change in the
top features of the global explanation, who promoted it and who approved it.

The pure part (`VersionRecord` in, Markdown out: `metric_deltas`, `param_changes`,
`importance_changes`, `render`) needs nothing installed; `write_release_notes` fetches the two
versions from MLflow (extra `governance` or `serving`, imported inside) and stores the notes as
an artifact of the new version's run (`release_notes/<alias>-v<version>.md`) and as a Markdown
file under `$RELEASE_NOTES_DIR` (default `release_notes/` in the project).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .explain import IMPORTANCE_ARTIFACT
from .project import Project

NOTES_DIR_ENV = "RELEASE_NOTES_DIR"
DEFAULT_DIR = Path("release_notes")
ARTIFACT_DIR = "release_notes"
MODEL_TESTS_ARTIFACT = "model_tests.json"
TOP_FEATURES = 5


@dataclass(frozen=True)
class VersionRecord:
    """What the notes need of one registered version (plain values, fetched by `fetch_version`)."""

    version: str
    run_id: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    run_tags: dict[str, str] = field(default_factory=dict)
    version_tags: dict[str, str] = field(default_factory=dict)
    model_tests: dict[str, Any] | None = None
    importance: dict[str, float] | None = None  # mean permutation importance per feature

    def tag(self, key: str) -> str | None:
        """A version tag, else the run's tag of that name (lineage is on both)."""
        return self.version_tags.get(key) or self.run_tags.get(key) or None


@dataclass(frozen=True)
class Release:
    """One alias move to describe: the model, the alias, the version it now names and the one
    it left (None: the first), and who, why, where, when."""

    model: str
    alias: str
    new: VersionRecord
    previous: VersionRecord | None
    promoted_by: str
    reason: str
    context: str
    environment: str
    at: str


@dataclass(frozen=True)
class MetricDelta:
    """One metric of the new version against the previous one (`delta`: new - previous)."""

    name: str
    previous: float | None
    new: float | None

    @property
    def delta(self) -> float | None:
        if self.previous is None or self.new is None:
            return None
        return self.new - self.previous


def metric_deltas(previous: dict[str, float], new: dict[str, float]) -> list[MetricDelta]:
    """Every metric of either version, by name, with the change (None where one lacks it)."""
    return [MetricDelta(n, previous.get(n), new.get(n)) for n in sorted(set(previous) | set(new))]


def param_changes(
    previous: dict[str, str], new: dict[str, str]
) -> list[tuple[str, str | None, str | None]]:
    """(name, before, after) of every parameter that differs; None where one lacks it."""
    names = sorted(set(previous) | set(new))
    return [(n, previous.get(n), new.get(n)) for n in names if previous.get(n) != new.get(n)]


def ranks(importance: dict[str, float]) -> dict[str, int]:
    """1 for the most important feature (ties broken by name, so the order is stable)."""
    order = sorted(importance, key=lambda f: (-importance[f], f))
    return {feature: i + 1 for i, feature in enumerate(order)}


def importance_changes(
    previous: dict[str, float] | None, new: dict[str, float], top: int = TOP_FEATURES
) -> list[tuple[str, int, int | None, float, float | None]]:
    """The new version's top features: (feature, rank, previous rank, importance, previous
    importance); previous values are None without an earlier explanation."""
    new_ranks, old_ranks = ranks(new), ranks(previous or {})
    rows = []
    for feature, rank in sorted(new_ranks.items(), key=lambda item: item[1])[:top]:
        rows.append((
            feature, rank, old_ranks.get(feature), new[feature], (previous or {}).get(feature),
        ))  # fmt: skip
    return rows


def approvals(tags: dict[str, str]) -> list[dict[str, str]]:
    """The approvals recorded on a version (tags `approval.<by>`, JSON from governance)."""
    found = []
    for key, value in sorted(tags.items()):
        if not key.startswith("approval."):
            continue
        try:
            data = json.loads(value)
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        by = key.removeprefix("approval.")
        found.append({"by": str(data.get("by", by)), "at": str(data.get("at", "")),
                      "note": str(data.get("note", ""))})  # fmt: skip
    return found


def gate_results(record: VersionRecord) -> list[tuple[str, str, str]]:
    """(gate, result, detail) of every check recorded on the version."""
    rows = []
    for gate in ("quality_gate", "model_tests"):
        if record.version_tags.get(gate):
            rows.append((gate, record.version_tags[gate], "version tag"))
    try:
        validation = json.loads(record.version_tags.get("lineage.validation") or "{}")
    except ValueError:
        validation = {}
    if isinstance(validation, dict) and "data" in validation:
        rows.append(("data validation", str(validation["data"]), "Great Expectations checkpoint"))
    for key, value in sorted(record.version_tags.items()):
        if key.startswith("policy."):
            rows.append((f"promotion policy ({key.removeprefix('policy.')})", "refused", value))
    for check in (record.model_tests or {}).get("checks", []):
        rows.append((
            f"model test {check.get('name')}", "passed" if check.get("passed") else "FAILED",
            str(check.get("detail", "")),
        ))  # fmt: skip
    return rows


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.4f}" if signed else f"{value:.4f}"


def _cell(value: Any) -> str:
    """Table cell text: no line breaks, no column separators."""
    return "n/a" if value is None else str(value).replace("\n", " ").replace("|", "\\|")


def _code(value: str | None) -> str:
    return f"`{value}`" if value else "not recorded"


def render(release: Release) -> str:
    """The notes' Markdown."""
    new, old = release.new, release.previous
    out = [
        f"# Release notes: {release.model} version {new.version} ({release.alias})",
        "",
        f"- released: {release.at}, environment `{release.environment}`",
        f"- by: {_cell(release.promoted_by)} ({release.context}: {_cell(release.reason)})",
        f"- replaces: version {old.version}" if old else "- replaces: nothing (first release)",
        f"- MLflow run: `{new.run_id}`",
    ]
    granted = approvals(new.version_tags)
    out += ["", "## Approvals", ""]
    out += [f"- {_cell(a['by'])} at {a['at'] or 'n/a'}" + (f": {_cell(a['note'])}"
            if a["note"] else "") for a in granted] or [
        "None recorded on the version (at level 2 the CD environment's reviewers approve)."
    ]  # fmt: skip
    commit = new.tag("lineage.git_commit") or new.tag("mlflow.source.git.commit")
    before = old.tag("lineage.git_commit") or old.tag("mlflow.source.git.commit") if old else None
    out += ["", "## What changed", ""]
    if before and commit and before != commit:
        span = f"{before.removesuffix('+dirty')}..{commit.removesuffix('+dirty')}"
        out.append(f"- code: {_code(before)} .. {_code(commit)} (`git log {span}`)")
    else:
        out.append(f"- code: {_code(commit)}" + (" (unchanged)" if before == commit else ""))
    data_new = new.tag("lineage.data_version") or new.tag("lineage.data_digest")
    data_old = (old.tag("lineage.data_version") or old.tag("lineage.data_digest")) if old else None
    if old:
        same = " (unchanged)" if data_old == data_new else ""
        out.append(f"- data: {_code(data_old)} -> {_code(data_new)}{same}")
    else:
        out.append(f"- data: {_code(data_new)}")
    changes = param_changes(old.params if old else {}, new.params)
    if changes:
        out += ["", "| parameter | before | after |", "|---|---|---|"]
        out += [f"| {_cell(n)} | {_cell(a)} | {_cell(b)} |" for n, a, b in changes]
    else:
        out.append("- parameters: unchanged")
    out += ["", "## Metrics", ""]
    if old:
        out += [
            f"Against version {old.version}, the champion it replaces (each on its own holdout"
            " set; the model tests also scored both on this run's holdout).",
            "",
        ]
    out += ["| metric | previous | new | delta |", "|---|---|---|---|"]
    out += [
        f"| {_cell(d.name)} | {_num(d.previous)} | {_num(d.new)} | {_num(d.delta, True)} |"
        for d in metric_deltas(old.metrics if old else {}, new.metrics)
    ]
    same_holdout = (new.model_tests or {}).get("champion_metrics") or {}
    if old and same_holdout:
        out += ["", "On this run's holdout set: " + ", ".join(
            f"{_cell(k)} previous {_num(v)}" for k, v in sorted(same_holdout.items())
        ) + "."]  # fmt: skip
    out += ["", "## Gate results", ""]
    gates = gate_results(new)
    if gates:
        out += ["| gate | result | detail |", "|---|---|---|"]
        out += [f"| {_cell(g)} | {_cell(r)} | {_cell(d)} |" for g, r, d in gates]
    else:
        out.append("None recorded on the version.")
    out += ["", "## Explanation: top features", ""]
    if new.importance:
        out += ["Permutation importance on the holdout set (mean drop of the primary metric).",
                "", "| feature | rank | previous rank | importance | previous |",
                "|---|---|---|---|---|"]  # fmt: skip
        for feature, rank, old_rank, value, old_value in importance_changes(
            old.importance if old else None, new.importance
        ):
            out.append(f"| {_cell(feature)} | {rank} | {old_rank or 'n/a'} | {_num(value)} | "
                       f"{_num(old_value)} |")  # fmt: skip
    else:
        out.append("Not recorded for this version.")
    return "\n".join(out) + "\n"


def _artifact(client: Any, run_id: str | None, path: str) -> Any:
    """A JSON artifact of a run, or None when the run has none (an older version). Read
    through `client`, so its tracking server is asked, whatever MLflow's global URI is."""
    import tempfile

    from mlflow.exceptions import MlflowException

    if not run_id:
        return None
    try:
        if path not in {a.path for a in client.list_artifacts(run_id)}:
            return None
        with tempfile.TemporaryDirectory() as folder:
            return json.loads(Path(client.download_artifacts(run_id, path, folder)).read_text())
    except (MlflowException, OSError, ValueError):
        return None


def importance_means(data: Any) -> dict[str, float] | None:
    """{feature: mean} from the importance artifact, or None when it is not one."""
    if not isinstance(data, dict):
        return None
    means = {str(k): v.get("mean") if isinstance(v, dict) else v for k, v in data.items()}
    return {k: float(v) for k, v in means.items() if isinstance(v, (int, float))} or None


def fetch_version(client: Any, name: str, version: str) -> VersionRecord:
    """One version's record from the registry and its run."""
    mv = client.get_model_version(name, str(version))
    params: dict[str, str] = {}
    metrics: dict[str, float] = {}
    run_tags: dict[str, str] = {}
    if mv.run_id:
        run = client.get_run(mv.run_id)
        params, metrics = dict(run.data.params), dict(run.data.metrics)
        run_tags = {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.log")}
    return VersionRecord(
        version=str(mv.version),
        run_id=mv.run_id,
        params=params,
        metrics=metrics,
        run_tags=run_tags,
        version_tags=dict(mv.tags),
        model_tests=_artifact(client, mv.run_id, MODEL_TESTS_ARTIFACT),
        importance=importance_means(_artifact(client, mv.run_id, IMPORTANCE_ARTIFACT)),
    )


@dataclass(frozen=True)
class Written:
    """Where the notes went: the project file and the MLflow artifact (`runs:/...`)."""

    path: Path
    artifact_uri: str
    text: str
    file: str  # the path as the audit log names it: under the project root, else absolute


def notes_dir(project: Project) -> Path:
    """Where the Markdown files go: `$RELEASE_NOTES_DIR`, else `release_notes/` in the project."""
    return project.path(os.environ.get(NOTES_DIR_ENV) or DEFAULT_DIR)


def write_release_notes(
    project: Project,
    version: str,
    previous: str | None,
    *,
    alias: str = "champion",
    reason: str = "promotion",
    context: str = "promote",
    promoted_by: str | None = None,
    config: Any = None,
    client: Any = None,
) -> Written:
    """Write the notes of `alias` moving from `previous` to `version` (call it before or after
    the move): the MLflow artifact on the version's run and the project file."""
    from .governance.audit import actor_and_source, now

    cfg = config or project.call("load_config")
    if client is None:
        from .registry import client as registry_client

        client = registry_client(project)
    name = cfg.registry.model_name
    new = fetch_version(client, name, str(version))
    same = previous is None or str(previous) == str(version)
    old = None if same else fetch_version(client, name, str(previous))
    who, source = actor_and_source()
    release = Release(
        model=name, alias=alias, new=new, previous=old,
        promoted_by=promoted_by or f"{who} ({source})", reason=reason, context=context,
        environment=getattr(getattr(cfg, "environment", None), "name", "dev"), at=now(),
    )  # fmt: skip
    text = render(release)
    filename = f"{alias}-v{new.version}.md"
    if new.run_id:
        client.log_text(new.run_id, text, f"{ARTIFACT_DIR}/{filename}")
    path = notes_dir(project) / f"{name}-{filename}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    try:
        shown = str(path.resolve().relative_to(project.root.resolve()))
    except ValueError:
        shown = str(path)
    return Written(path, f"runs:/{new.run_id}/{ARTIFACT_DIR}/{filename}", text, shown)
