"""A fleet of generated repositories of every kind a platform team meets, built fast: one
project per kind is generated, the rest are copies."""

from __future__ import annotations

import shutil
from pathlib import Path

from scaffolder.catalog import builtin_catalog as _builtin_catalog
from scaffolder.new import NewRequest, create_project
from scaffolder.state import STATE_FILE
from tests.overlays.acme import acme_repo
from tests.upgrade.helpers import commit

CURRENT = _builtin_catalog().version  # the templates' newest release

# kind -> what its row must say
KINDS = (
    "current-0",  # level 0, newest releases
    "current-1",  # level 1, newest releases
    "acme-v1",  # overlay acme at v1, edited by the team: upgrade due, clean
    "acme-v1-conflict",  # overlay acme at v1, the team edited the line v2 changes
    "old-template",  # made by template release 0.1.0: upgrade due, clean
    "below-level",  # level 1 whose CI was deleted
    "dirty",  # uncommitted work: the dry run is refused
    "damaged-state",  # the state file does not parse
    "not-a-repo",  # a plain folder
)


def _new(where: Path, name: str, level: int, overlays: list[str]) -> Path:
    request = NewRequest(name=name, output_dir=where, given={"level": level}, defaults=True,
                         overlays=overlays)  # fmt: skip
    return create_project(request).path


def build_kind(kind: str, where: Path, url: str) -> Path:
    if kind == "current-0":
        return _new(where, kind, 0, [])
    if kind == "current-1":
        return _new(where, kind, 1, [])
    if kind == "acme-v1":
        repo = _new(where, kind, 0, [f"{url}@v1"])
        readme = repo / "README.md"
        readme.write_text(readme.read_text() + "\nTeam note.\n")
        commit(repo, "team note")
        return repo
    if kind == "acme-v1-conflict":
        repo = _new(where, kind, 0, [f"{url}@v1"])
        owners = repo / "CODEOWNERS"
        owners.write_text(
            owners.read_text().replace("@acme/ml-platform\n", "@acme/ml-platform @bob\n")
        )
        commit(repo, "bob co-owns")
        return repo
    if kind == "old-template":
        repo = _new(where, kind, 0, [])
        state = repo / STATE_FILE
        state.write_text(
            state.read_text().replace(f"template_version: {CURRENT}", "template_version: 0.1.0")
        )
        commit(repo, "made by release 0.1.0")
        return repo
    if kind == "below-level":
        repo = _new(where, kind, 1, [])
        shutil.rmtree(repo / ".github")
        commit(repo, "no CI")
        return repo
    if kind == "dirty":
        repo = _new(where, kind, 0, [])
        (repo / "README.md").write_text("work in progress\n")
        return repo
    if kind == "damaged-state":
        repo = _new(where, kind, 0, [])
        (repo / STATE_FILE).write_text("answers: [unclosed\n")
        commit(repo, "oops")
        return repo
    if kind == "not-a-repo":
        folder = where / kind
        folder.mkdir()
        (folder / "train.py").write_text("print('hi')\n")
        return folder
    raise AssertionError(kind)


def build_fleet(tmp_path: Path, count: int) -> tuple[Path, dict[str, str]]:
    """`count` repositories (at least one of each kind) in tmp_path/fleet: {name: kind}."""
    _, url = acme_repo(tmp_path)
    originals = tmp_path / "originals"
    originals.mkdir()
    made = {kind: build_kind(kind, originals, url) for kind in KINDS}
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    kinds: dict[str, str] = {}
    for i in range(max(count, len(KINDS))):
        kind = KINDS[i % len(KINDS)]
        name = f"team{i:03d}-{kind}"
        shutil.copytree(made[kind], fleet / name, symlinks=True)
        kinds[name] = kind
    return fleet, kinds
