"""Issue 25: `uv export` run for real. A uv-managed project (`[dependency-groups]`, a uv.lock
made by the real `uv lock`) is adopted; scripts/team_requirements.py, as `make setup` and the
serving image run it, exports the lock with the uv beside the venv's Python (where `make setup`
puts it), and what it writes installs with hashes checked."""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from scaffolder.upgrade.adopt import adopt
from tests.upgrade.helpers import commit, git

from .conftest import CACHE, REPO, run

pytestmark = pytest.mark.e2e

UV = "uv==0.13.9"  # the one Dockerfile.serving installs to export a lock


def uv_venv() -> Path:
    """A venv holding uv, cached; its python is the `make setup` venv's stand-in."""
    venv = CACHE / "uv-venv"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock-uv-venv", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / "bin" / "uv").exists():
            run([sys.executable, "-m", "venv", venv], REPO)
            run([venv / "bin/python", "-m", "pip", "install", "-q", UV], REPO)
    return venv


def locked(repo: Path) -> dict[str, tuple[str, set[str]]]:
    """uv.lock's packages: name -> (version, sha256 of every wheel and sdist)."""
    data = tomllib.loads((repo / "uv.lock").read_text())
    return {
        p["name"]: (p["version"], {w["hash"].removeprefix("sha256:")
                                   for w in p.get("wheels", []) + [p.get("sdist", {})] if w})
        for p in data["package"] if "version" in p and p["name"] != "ticket-triage"
    }  # fmt: skip


def test_a_real_uv_lock_is_exported_and_installs_with_its_hashes(tmp_path):
    venv = uv_venv()
    repo = tmp_path / "ticket-triage"
    (repo / "src" / "ticket_triage").mkdir(parents=True)
    (repo / "src" / "ticket_triage" / "__init__.py").write_text("")
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "ticket-triage"\nversion = "0.3.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["iniconfig>=2"]\n\n'
        '[dependency-groups]\ntest = ["pluggy>=1.5"]\ndev = [{include-group = "test"}, "six"]\n\n'
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
    )
    git(tmp_path, "init", "--quiet", "-b", "main", str(repo))
    run([venv / "bin/uv", "lock", "--quiet"], repo)
    commit(repo, "the team's project, locked by uv")
    lock = locked(repo)
    assert set(lock) == {"iniconfig", "pluggy", "six"}
    adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)

    def compose(*flags: str) -> dict[str, str]:
        out = tmp_path / ("build" + "".join(flags))
        # PATH without uv: the script must find the one beside the venv's python.
        done = run([venv / "bin/python", "scripts/team_requirements.py", "constraints.txt", out,
                    *flags], repo, {"PATH": "/usr/bin:/bin"})  # fmt: skip
        assert "uv.lock not used" not in done.stdout and "`uv export` failed" not in done.stdout
        return {p.name: p.read_text() for p in out.iterdir()}

    made = compose()
    hashed = made["hashed.txt"]
    for name, (version, hashes) in lock.items():
        assert f"\n{name}=={version} " in f"\n{hashed}", (name, hashed)
        assert f"{name}=={version}" in made["constraints.txt"]  # the lock's pin wins
        assert {h for h in hashes if f"--hash=sha256:{h}" in hashed} == hashes
    requirements = [x for x in hashed.splitlines() if x.strip() and not x.lstrip().startswith("#")]
    assert not [x for x in requirements if "ticket-triage" in x or x.startswith(("-e", "."))]
    # The serving image's set: the project's dependencies without the groups.
    image = compose("--no-dev")["hashed.txt"]
    assert "iniconfig==" in image and "pluggy" not in image and "six" not in image
    # What make setup does with it (ENV_MANAGER=uv): installed first, every hash checked ...
    target = tmp_path / "target"
    run([venv / "bin/python", "-m", "venv", "--without-pip", target], tmp_path)
    run([venv / "bin/uv", "pip", "install", "--quiet", "--python", target / "bin/python",
         "--require-hashes", "--no-deps", "-r", tmp_path / "build" / "hashed.txt"],
        repo)  # fmt: skip
    shown = run([target / "bin/python", "-c", "import importlib.metadata as m; print(*(f'{n}=="
                 "{m.version(n)}' for n in ('iniconfig', 'pluggy', 'six')))"], repo)  # fmt: skip
    assert shown.stdout.split() == [f"{n}=={lock[n][0]}" for n in ("iniconfig", "pluggy", "six")]
    # ... and a hash that does not match is refused.
    broken = hashed
    for digest in lock["six"][1]:
        broken = broken.replace(digest, "0" * 64)
    (tmp_path / "broken.txt").write_text(broken)
    refused = subprocess.run(
        [venv / "bin/uv", "pip", "install", "--python", target / "bin/python", "--reinstall",
         "--require-hashes", "--no-deps", "-r", tmp_path / "broken.txt"],
        cwd=repo, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert refused.returncode != 0 and "hash" in refused.stderr.lower()
