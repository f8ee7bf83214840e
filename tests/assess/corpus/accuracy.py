"""Accuracy of `assess` on the labelled corpus of real public repositories.

`labels.yml` holds the hand labels (written before assess ran on each repository). `facts/`
holds, per repository, the facts the scanner found in it at the labelled commit: kinds, paths,
lines and parsed details, never file contents, so the corpus is our own data and the tests run
offline. `refresh` re-scans the repositories from local snapshots when the scanner changes;
`measure` re-scores the stored facts with the current rubric and compares with the labels.

    python -m tests.assess.corpus.accuracy table            # the confusion table
    python -m tests.assess.corpus.accuracy refresh MIRRORS  # re-scan (needs the snapshots)
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels.yml"
FACTS = HERE / "facts"
DIMENSIONS = (
    "reproducibility",
    "quality",
    "tracking",
    "pipelines",
    "validation",
    "deployment",
    "monitoring",
    "governance",
)
MAX_DETAIL = 120  # long strings in details are cut: the corpus keeps facts, not file contents


def load_labels() -> dict[str, dict]:
    return yaml.safe_load(LABELS.read_text(encoding="utf-8"))["repos"]


def facts_path(name: str) -> Path:
    return FACTS / f"{name}.json.gz"


def load_facts(name: str):
    from scaffolder.assess.models import Facts

    with gzip.open(facts_path(name), "rt", encoding="utf-8") as handle:
        return Facts.model_validate(json.load(handle)["facts"])


def _cut(value):
    if isinstance(value, str):
        return value[:MAX_DETAIL]
    if isinstance(value, list):
        return [_cut(v) for v in value[:50]]
    if isinstance(value, dict):
        return {k: _cut(v) for k, v in value.items()}
    return value


def refresh(mirrors: Path, only: list[str] | None = None) -> None:
    """Re-scan each labelled repository at its commit from `mirrors/<owner>+<name>/repo`."""
    from scaffolder.assess.scan import scan

    FACTS.mkdir(exist_ok=True)
    for name, entry in load_labels().items():
        if only and name not in only:
            continue
        git_dir = mirrors / entry["source"].replace("/", "+") / "repo"
        if (git_dir / ".git").is_dir():  # some snapshots arrive as repo/.git, not a bare repo/
            git_dir = git_dir / ".git"
        with tempfile.TemporaryDirectory() as tmp:
            tree = Path(tmp) / "repo"
            _checkout(git_dir, entry["commit"], entry["path"], tree)
            root = tree / entry["path"] if entry["path"] else tree
            (root / ".git").mkdir()  # the repository is under version control
            facts = scan(root)
        data = facts.model_dump(mode="json")
        data["facts"] = [dict(f, detail=_cut(f["detail"])) for f in data["facts"]]
        payload = {
            "source": entry["source"],
            "commit": entry["commit"],
            "path": entry["path"],
            "facts": data,
        }
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        # mtime=0: the same facts give the same bytes, so a refresh changes only what changed
        facts_path(name).write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
        print(f"{name}: {len(facts.facts)} facts, {facts.files_scanned} files")


def _checkout(git_dir: Path, commit: str, path: str, tree: Path) -> None:
    """Write the files of `commit` under `path` to `tree`; blobs the snapshot lacks (files of
    4 MiB and more) are left out, as a scan skips such files anyway."""
    git = ["git", "--git-dir", str(git_dir)]
    listing = subprocess.run(
        [*git, "ls-tree", "-r", "-z", commit, "--", path or "."],
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    blobs = []
    for item in listing:
        if not item:
            continue
        meta, name = item.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode != b"120000":
            blobs.append((sha.decode(), name.decode("utf-8", "replace")))
    request = "".join(f"{sha}\n" for sha, _ in blobs).encode()
    out = subprocess.run(
        [*git, "cat-file", "--batch"], input=request, check=True, capture_output=True
    ).stdout
    pos = 0
    for _sha, name in blobs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        target = tree / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(out[pos : pos + size])
        pos += size + 1


@dataclass
class Accuracy:
    repos: int = 0
    overall_exact: int = 0
    cells: int = 0
    exact: int = 0
    within_one: int = 0
    above_zero: int = 0  # cells a careful reader rated above 0
    above_zero_exact: int = 0
    over: int = 0
    under: int = 0
    per_dimension: dict[str, int] = field(default_factory=dict)
    confusion: dict[tuple[int, int], int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    @property
    def overall_rate(self) -> float:
        return self.overall_exact / self.repos

    @property
    def exact_rate(self) -> float:
        return self.exact / self.cells

    @property
    def within_one_rate(self) -> float:
        return self.within_one / self.cells

    @property
    def above_zero_rate(self) -> float:
        """Exact on the cells labelled above 0: where a report tells a team something."""
        return self.above_zero_exact / self.above_zero if self.above_zero else 1.0

    @property
    def over_rate(self) -> float:
        """Cells scored above their label: a report that flatters is worse than one too strict."""
        return self.over / self.cells

    @property
    def weakest_dimension_rate(self) -> float:
        return min(self.per_dimension.get(d, 0) for d in DIMENSIONS) / self.repos

    def table(self) -> str:
        lines = [
            f"repositories: {self.repos}; overall level exact: {self.overall_exact}/{self.repos} "
            f"({self.overall_rate:.0%})",
            f"dimensions: exact {self.exact}/{self.cells} ({self.exact_rate:.0%}), within ±1 "
            f"{self.within_one}/{self.cells} ({self.within_one_rate:.0%}); too high {self.over} "
            f"({self.over_rate:.1%}), too low {self.under}; exact on cells labelled above 0 "
            f"{self.above_zero_exact}/"
            f"{self.above_zero} ({self.above_zero_rate:.0%})",
            "per dimension exact: "
            + ", ".join(f"{d} {self.per_dimension.get(d, 0)}/{self.repos}" for d in DIMENSIONS),
            "confusion (rows: label, columns: assess):",
            "        " + " ".join(f"{c:>4}" for c in range(4)),
        ]
        for label in range(4):
            row = " ".join(f"{self.confusion.get((label, c), 0):>4}" for c in range(4))
            lines.append(f"  {label}     {row}")
        if self.misses:
            lines.append("differences (repo dimension label->assess):")
            lines.extend(f"  {m}" for m in self.misses)
        return "\n".join(lines)


def heldout_batch(entry: dict) -> int | None:
    """The held-out batch a repository came in (held out today: the fourth, of 11); the other
    batches joined the calibration part once their misses had been examined."""
    return entry.get("heldout_batch") if entry.get("heldout") else None


def measure(heldout: bool | None = None, batch: int | None = None) -> Accuracy:
    """Accuracy over all labelled repositories, or only the held-out ones (True) or only those
    the detectors were calibrated on (False); `batch` keeps one held-out batch."""
    from scaffolder.assess.checks import run_checks
    from scaffolder.assess.scoring import dimension_levels

    result = Accuracy()
    for name, entry in load_labels().items():
        if heldout is not None and bool(entry.get("heldout")) != heldout:
            continue
        if batch is not None and heldout_batch(entry) != batch:
            continue
        levels = {d.dimension: d.level for d in dimension_levels(run_checks(load_facts(name)))}
        result.repos += 1
        if min(levels.values()) == entry["overall"]:
            result.overall_exact += 1
        for dimension in DIMENSIONS:
            want, got = entry["levels"][dimension][0], levels[dimension]
            result.cells += 1
            result.confusion[(want, got)] = result.confusion.get((want, got), 0) + 1
            if want > 0:
                result.above_zero += 1
                result.above_zero_exact += want == got
            if want == got:
                result.exact += 1
                result.per_dimension[dimension] = result.per_dimension.get(dimension, 0) + 1
            else:
                result.misses.append(f"{name} {dimension} {want}->{got}")
                result.over += got > want
                result.under += got < want
            result.within_one += abs(want - got) <= 1
    return result


def main(argv: list[str]) -> int:
    if argv[:1] == ["refresh"] and len(argv) >= 2:
        refresh(Path(argv[1]), argv[2:] or None)
        return 0
    if argv[:1] in (["table"], []):
        print(measure().table())
        print("\ncalibration (rules may be chosen from these misses):")
        print(measure(heldout=False).table())
        print("\nheld out (labelled before assess ran on them, never tuned on):")
        print(measure(heldout=True).table())
        for number in sorted({heldout_batch(e) for e in load_labels().values()} - {None}):
            print(f"\nheld-out batch {number} alone:")
            print(measure(heldout=True, batch=number).table())
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
