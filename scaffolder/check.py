"""`mlops-scaffold check`: the CI gate a platform team puts on every project.

It fails when the project has a damaged state file or an unfinished upgrade, is below the
level it declares (as `assess` measures it), or lags the newest release of its templates or
overlays. Each problem is one line with the way out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from scaffolder import gitops
from scaffolder.errors import ScaffoldError, StateFileError

CHECK_SCHEMA_VERSION = 1


@dataclass
class Problem:
    code: str  # not-a-repo, not-managed, damaged-state, unfinished-upgrade, upgrade-not-merged,
    # below-level, template-behind, overlay-behind, runtime-behind; to do (not failing unless
    # --strict): business-context-unfilled
    message: str


@dataclass
class SourceStatus:
    """One template source: the release the project has, the newest, and how far behind."""

    name: str
    version: str | None
    newest: str | None
    behind: int = 0  # releases between the two (0: up to date or unknown)
    source: str | None = None
    error: str | None = None


@dataclass
class CheckResult:
    path: str
    declared_level: int | None = None
    assessed_level: int | None = None
    sources: list[SourceStatus] = field(default_factory=list)
    runtime: str | None = None  # the mlops-scaffold-runtime release constraints.txt pins
    runtime_minimum: str | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # What the team still has to write (the model card's business context): reported on every
    # run, failing only with --strict, so a fresh project is on the golden path from day one.
    todos: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def upgrade_due(self) -> bool:
        return any(s.behind for s in self.sources)

    def to_json(self) -> dict:
        data = asdict(self)
        return {"schema_version": CHECK_SCHEMA_VERSION, **data, "ok": self.ok,
                "upgrade_due": self.upgrade_due}  # fmt: skip


def _behind(releases: list[str], have: str | None, newest: str | None) -> int:
    from scaffolder.releases import is_newer, releases_between

    if not have or not newest or not is_newer(newest, have):
        return 0
    return max(1, len(releases_between(releases, have, newest)))


def template_status(state) -> SourceStatus:
    """The built-in templates: the recorded release against the newest this tool ships."""
    from scaffolder.catalog import BUILTIN, builtin_catalog
    from scaffolder.releases import changelog_sections

    catalog = builtin_catalog()
    releases = []
    if catalog.changelog.is_file():
        releases = list(changelog_sections(catalog.changelog.read_text(encoding="utf-8")))
    status = SourceStatus(BUILTIN, state.template_version, catalog.version)
    status.behind = _behind(
        sorted({*releases, catalog.version}), state.template_version, catalog.version
    )
    return status


def overlay_status(record, *, offline: bool = False) -> SourceStatus:
    """An overlay: the recorded release against the newest its source offers now."""
    from scaffolder import trust
    from scaffolder.overlay import OverlayError, fetch, release_tags, resolve
    from scaffolder.releases import newest

    status = SourceStatus(record.name or record.source, record.version, None, source=record.source)
    if offline:
        return status
    policy = trust.current()
    try:
        if policy is not None:  # a fleet run: the newest is what the platform pins
            entry = policy.allowed(record)
            tags = release_tags(fetch(entry.source))
            pinned = resolve_pinned(entry)
            status.newest = pinned
            status.behind = _behind(tags, record.ref or record.version, pinned)
            return status
        if record.commit is None:  # a folder: its manifest now
            status.newest = resolve(record.source).version
            status.behind = _behind([status.newest], record.version, status.newest)
            return status
        tags = release_tags(fetch(record.source))
    except (OverlayError, ScaffoldError) as exc:
        status.error = str(exc)
        return status
    latest = newest(tags)
    if latest is None:
        return status
    status.newest = latest
    have = record.ref or record.version
    status.behind = _behind(tags, have, latest)
    return status


def resolve_pinned(entry) -> str:
    """The release a fleet config pins: its tag when the commit has one, else the version its
    manifest declares (files are read, nothing runs)."""
    from scaffolder.overlay import pinned_tag, resolve

    return (
        pinned_tag(entry.source, entry.commit)
        or resolve(entry.source, entry.commit, git=True).version
    )


def run_check(
    path: Path, *, assess: bool = True, offline: bool = False, runtime_min: str | None = None
) -> CheckResult:
    """Every problem of one project (never raises for the project's own faults).

    `runtime_min`: the lowest mlops-scaffold-runtime release the platform accepts (default:
    the release the tool's templates pin)."""
    from scaffolder import runtime_pin
    from scaffolder.state import load_state

    if runtime_min is not None and not runtime_pin.RELEASE.fullmatch(runtime_min):
        raise ScaffoldError(f"--runtime-min {runtime_min!r}: give a release such as 1.2.0")
    result = CheckResult(path=str(path))
    if not gitops.is_repo(path):
        result.problems.append(Problem("not-a-repo", f"{path} is not a git repository"))
        return result
    repo = gitops.toplevel(path)
    result.path = str(repo)
    try:
        state = load_state(repo)
    except StateFileError as exc:
        code = "not-managed" if "not found" in str(exc) else "damaged-state"
        result.problems.append(Problem(code, str(exc)))
        return result
    result.declared_level = state.level
    _check_upgrade_finished(repo, state, result)
    result.sources.append(template_status(state))
    result.sources += [overlay_status(o, offline=offline) for o in state.overlays]
    for source in result.sources:
        if source.error:
            result.warnings.append(f"cannot read the releases of {source.name}: {source.error}")
        elif source.behind:
            what = "template" if source.source is None else "overlay"
            result.problems.append(Problem(
                f"{what}-behind",
                f"{what} {source.name} is at {source.version}, {source.behind} release(s) behind "
                f"the newest, {source.newest}; run `mlops-scaffold upgrade --to {state.level}`",
            ))  # fmt: skip
    _check_runtime(repo, state, result, runtime_min)
    _check_business_context(repo, state, result)
    if assess:
        _check_level(repo, state, result)
    return result


def _check_runtime(repo: Path, state, result: CheckResult, minimum: str | None) -> None:
    """A project from level 1 runs the platform's runtime library: not below the minimum."""
    from scaffolder import runtime_pin

    if state.level < 1:
        return
    result.runtime = runtime_pin.pinned(repo)
    result.runtime_minimum = minimum or runtime_pin.platform_minimum()
    if result.runtime is None or result.runtime_minimum is None:
        return  # made before the runtime existed: template-behind says what to do
    if runtime_pin.version_key(result.runtime) < runtime_pin.version_key(result.runtime_minimum):
        result.problems.append(Problem(
            "runtime-behind",
            f"{runtime_pin.DISTRIBUTION} is pinned at {result.runtime} in constraints.txt, below "
            f"the platform's minimum {result.runtime_minimum}; run `mlops-scaffold upgrade --to "
            f"{state.level}`, or raise the pin in constraints.txt and run `make setup`",
        ))  # fmt: skip


def _check_business_context(repo: Path, state, result: CheckResult) -> None:
    """From level 1 the model card's business goal, KPIs, owners and risk evaluation are the
    team's to write; each unfilled one is a to-do."""
    from scaffolder import business_context

    if state.level < 1:
        return
    message = business_context.problem_message(repo, state.level)
    if message:
        result.todos.append(Problem("business-context-unfilled", message))


def _back_out(repo: Path) -> str:
    """The command that backs out of an upgrade's merge: the tool's own when it kept a record."""
    from scaffolder.upgrade import abort

    record = abort.load(repo)
    return f"`mlops-scaffold {record.command} --abort`" if record else "`git merge --abort`"


def _check_upgrade_finished(repo: Path, state, result: CheckResult) -> None:
    operation = gitops.operation_in_progress(repo)
    base_ref = f"refs/heads/{state.base_branch}"
    base = gitops.rev_parse(repo, base_ref) or gitops.rev_parse(
        repo, f"refs/remotes/origin/{state.base_branch}"
    )
    if operation == "merge":
        merging = gitops.rev_parse(repo, "MERGE_HEAD")
        if merging is not None and merging == base:
            result.problems.append(Problem(
                "unfinished-upgrade",
                "an upgrade's merge is in progress; resolve the conflicts, `git add`, `git "
                "commit`, then `mlops-scaffold upgrade --continue` (or "
                f"{_back_out(repo)})",
            ))  # fmt: skip
            return
    head = gitops.rev_parse(repo, "HEAD")
    if base is None:
        result.warnings.append(
            f"branch {state.base_branch} is not in this clone (fetch it to check upgrades)"
        )
    elif head is not None and not gitops.is_ancestor(repo, base, head):
        result.problems.append(Problem(
            "upgrade-not-merged",
            f"{state.base_branch} has a render this branch has not merged (an upgrade was "
            f"backed out or its branch is not merged yet); {_merge_or_back(repo, base, state)}",
        ))  # fmt: skip


def _merge_or_back(repo: Path, base: str, state) -> str:
    """The commands that settle an unmerged render: merge it again (at the level it renders),
    or go back with --abort when an unfinished run of the tool left it."""
    from scaffolder.state import STATE_FILE
    from scaffolder.upgrade import abort
    from scaffolder.upgrade.apply import load_level

    level = load_level(gitops.file_text(repo, base, STATE_FILE), state.level)
    again = f"run `mlops-scaffold upgrade --to {level}` to merge it"
    record = abort.load(repo)
    if record is not None and abort.is_live(repo, record):
        return f"{again}, or `mlops-scaffold {record.command} --abort` to go back"
    return f"{again}, or merge the upgrade branch"


def _check_level(repo: Path, state, result: CheckResult) -> None:
    from scaffolder.assess.run import assess_repo

    try:
        report = assess_repo(repo)
    except ScaffoldError as exc:
        result.warnings.append(f"assess could not read the project: {exc}")
        return
    result.assessed_level = report.level
    # the Report behind it, for fleet status's profile: an attribute, not a field, so the
    # check's JSON (asdict) stays as it is
    result.report = report
    if report.level < state.level:
        blocking = [
            f"{d.dimension} ({', '.join(d.blocking[:3])})"
            for d in report.dimensions if d.level < state.level
        ]  # fmt: skip
        result.problems.append(Problem(
            "below-level",
            f"assessed at level {report.level}, below the declared level {state.level}: "
            f"{'; '.join(blocking[:3]) or 'see `mlops-scaffold assess`'}",
        ))  # fmt: skip
