"""Reproducibility of the data: the raw data is versioned (DVC: `.dvc` files, `dvc.lock`,
`dvc.yaml` stages in a DVC repository, `dvc.api` reads), the level-1 capability whose absence
defines level 0 in the maturity models.

Advice for now, not a gate: the labelled corpus (tests/assess/corpus) was scored before this
evidence was collected, so it cannot yet say how many level-1 teams version their data.
"""

from __future__ import annotations

from scaffolder.assess.checks.base import U1, Check, Verdict, where
from scaffolder.assess.models import Facts


def r_data_versioned(f: Facts) -> Verdict:
    repo = f.of("dvc.repo")
    # parsed .dvc files (detect_dvc), else the ones the main walk passed (older facts files)
    tracked = f.of("dvc.data") or f.of("dvc.tracked")
    pipeline = f.of("dvc.lock") + f.of("dvc.stage")
    reads = f.of("dvc.api")
    evidence = tracked + pipeline + reads
    if repo and evidence:
        parts = []
        if tracked:
            parts.append(f"{len(tracked)} .dvc file(s)")
        if pipeline:
            parts.append("dvc.yaml/dvc.lock")
        if reads:
            parts.append("dvc.api reads")
        remote = repo[0].detail.get("remote")
        note = f", default remote {remote!r}" if remote else ", no default remote"
        return Verdict(
            True, where(repo + evidence), f"data versioned with DVC: {', '.join(parts)}{note}"
        )
    if evidence:  # .dvc files or dvc.yaml without .dvc/config: a DVC checkout missing its config
        return Verdict(
            False, where(evidence), "DVC files without a DVC repository (.dvc/config is missing)"
        )
    return Verdict(
        False,
        where(repo),
        "raw data is not versioned (no .dvc files, dvc.lock or dvc.api use)"
        if not repo
        else "a DVC repository that tracks no data yet (`dvc add` the raw data)",
    )


CHECKS = [
    Check(
        "repro.data-versioned",
        "Raw data is versioned",
        "reproducibility",
        1,
        f"{U1} sets up DVC (answer data_versioning: dvc): `make data` puts the raw data under "
        "DVC, `make data-push` stores it in the remote; or `dvc init && dvc add data/raw/FILE`",
        ".dvc/config, .dvc files (data/ included), dvc.yaml stages, dvc.lock, "
        "dvc.api imports (AST)",
        r_data_versioned,
        ("yaml", "python"),
        "data",
        ".dvc/config",
        advice=True,
    ),
]
