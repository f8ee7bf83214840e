"""The example Acme overlay (examples/overlays/acme, its release 2) kept in its own git
repository, as a platform team would: release 1 is tagged `v1`, release 2 `v2`."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.upgrade.helpers import USER, git

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "overlays" / "acme"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def make_release_1(folder: Path) -> None:
    """Turn a copy of release 2 into release 1: the previous CODEOWNERS, the old exemptions
    file, no migration, no changelog entry for 2."""
    _replace(folder / "mlops-scaffold-overlay.yml", 'version: "2"', 'version: "1"')
    _replace(
        folder / "level0/CODEOWNERS.jinja",
        "/config/ @acme/{{ owning_team }} @acme/ml-reviewers\n",
        "",
    )
    _replace(
        folder / "level0/tests/test_acme_conventions.py.jinja",
        'ROOT / "acme" / "lint-skip.txt"', 'ROOT / ".acme-lint-skip"',
    )  # fmt: skip
    _replace(
        folder / "level0/tests/test_acme_conventions.py.jinja",
        "acme/lint-skip.txt",
        ".acme-lint-skip",
    )
    shutil.rmtree(folder / "migrations")
    shutil.rmtree(folder / "level0/acme")
    text = (folder / "CHANGELOG.md").read_text()
    (folder / "CHANGELOG.md").write_text(text[: text.index("## 2")] + text[text.index("## 1") :])


def acme_repo(tmp_path: Path) -> tuple[Path, str]:
    """The overlay's git repository (tags v1 and v2) and its file:// URL."""
    repo = tmp_path / "acme-overlay"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("__pycache__"))
    release_2 = {p.relative_to(repo): p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    make_release_1(repo)
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, *USER, "commit", "--quiet", "-m", "acme overlay release 1")
    git(repo, "tag", "v1")
    for path in [p for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts]:
        path.unlink()
    for relative, content in release_2.items():
        (repo / relative).parent.mkdir(parents=True, exist_ok=True)
        (repo / relative).write_bytes(content)
    git(repo, "add", "--all")
    git(repo, *USER, "commit", "--quiet", "-m", "acme overlay release 2")
    git(repo, "tag", "v2")
    return repo, f"file://{repo}"


def tag_commit(repo: Path, tag: str) -> str:
    return git(repo, "rev-parse", f"{tag}^{{commit}}").strip()
