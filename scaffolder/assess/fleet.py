"""Fleet: assess many local checkouts in parallel, one JSON line per repo.

Facts are stored apart from scores, so a changed rubric re-scores a fleet file (`rescore_line`)
without scanning any repo again.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from scaffolder import __version__
from scaffolder.assess.checks import RUBRIC_VERSION, run_checks
from scaffolder.assess.models import AssessError, Facts
from scaffolder.assess.scoring import dimension_levels

FLEET_SCHEMA_VERSION = 1


def read_repos_file(path: Path) -> list[Path]:
    """One path per line; blank lines and `#` comments skipped; relative paths from the file."""
    from scaffolder.safe_read import read_text

    try:
        text = read_text(path, what="repos file")
    except FileNotFoundError:
        raise AssessError(
            f"repos file {path} not found; pass a file with one checkout path per line"
        ) from None
    repos = []
    for line in text.splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#"):
            repo = Path(entry).expanduser()
            repos.append(repo if repo.is_absolute() else (path.parent / repo))
    return repos


def assess_line(repo: str) -> str:
    """The JSON line of one repo (an `error` line for a repo that cannot be assessed)."""
    from scaffolder.assess.exemptions import apply_exemptions, load_exemptions
    from scaffolder.assess.scan import head_commit, scan

    base = {
        "schema_version": FLEET_SCHEMA_VERSION,
        "tool_version": __version__,
        "rubric_version": RUBRIC_VERSION,
        "repo": repo,
    }
    root = Path(repo)
    try:
        facts = scan(root)
        exemptions = load_exemptions(root)
    except AssessError as exc:
        return json.dumps({**base, "commit": None, "error": str(exc)})
    results = apply_exemptions(run_checks(facts), exemptions)
    levels = dimension_levels(results)
    line = {
        **base,
        "commit": head_commit(root),
        "facts": facts.model_dump(mode="json"),
        "exemptions": [e.model_dump(mode="json") for e in exemptions],
        "checks": [
            r.model_dump(mode="json", include={"id", "outcome", "level", "dimension", "evidence"})
            for r in results
        ],
        "levels": {
            "overall": min(d.level for d in levels),
            "dimensions": {d.dimension: d.level for d in levels},
        },
        "error": None,
    }
    return json.dumps(line, separators=(",", ":"))


def rescore_line(line: str) -> str:
    """Re-score a stored fleet line with this rubric, from its facts alone."""
    from scaffolder.assess.exemptions import apply_exemptions
    from scaffolder.assess.models import Exemption

    data = json.loads(line)
    if data.get("error"):
        return line
    facts = Facts.model_validate(data["facts"])
    exemptions = [Exemption.model_validate(e) for e in data.get("exemptions", [])]
    results = apply_exemptions(run_checks(facts), exemptions)
    levels = dimension_levels(results)
    data.update(
        rubric_version=RUBRIC_VERSION,
        tool_version=__version__,
        checks=[
            r.model_dump(mode="json", include={"id", "outcome", "level", "dimension", "evidence"})
            for r in results
        ],
        levels={
            "overall": min(d.level for d in levels),
            "dimensions": {d.dimension: d.level for d in levels},
        },
    )
    return json.dumps(data, separators=(",", ":"))


def run_fleet(repos: list[Path], out: Path, jobs: int | None = None) -> dict[str, int]:
    """Assess `repos` on `jobs` processes, writing lines in the input order; return a summary."""
    jobs = max(1, jobs or min(len(repos), os.cpu_count() or 1))
    names = [str(r) for r in repos]
    counts: dict[str, int] = {"repos": len(names), "errors": 0}
    try:
        handle = out.open("w", encoding="utf-8")
    except OSError as exc:
        raise AssessError(f"cannot write {out}: {exc.strerror}; choose another --jsonl") from None
    with handle:
        if jobs == 1 or len(names) <= 1:
            _write(map(_worker, names), handle, counts)
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                _write(
                    pool.map(_worker, names, chunksize=max(1, len(names) // (jobs * 4))),
                    handle,
                    counts,
                )
    return counts


def _worker(repo: str) -> tuple[str, int | None]:
    line = assess_line(repo)
    marker = '"levels":{"overall":'
    index = line.rfind(marker)
    return line, int(line[index + len(marker)]) if index >= 0 else None


def _write(results, handle, counts: dict[str, int]) -> None:
    for line, level in results:
        handle.write(line + "\n")
        if level is None:
            counts["errors"] += 1
        else:
            counts[f"level {level}"] = counts.get(f"level {level}", 0) + 1
