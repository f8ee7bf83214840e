"""End-to-end fixtures: one cached venv of the generated projects' heavy dependencies,
and helpers that generate a project and run its own make targets for real."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
REPO = HERE.parent.parent
CACHE = Path(os.environ.get("MLOPS_SCAFFOLD_E2E_CACHE", REPO / ".cache" / "e2e"))


@pytest.fixture(scope="session", autouse=True)
def cache_bytecode():
    """Let every process the end-to-end tests start cache the bytecode of what it imports.

    With PYTHONDONTWRITEBYTECODE set (this machine's environment sets it), a venv uv made
    (it writes no .pyc files: the projects' `make setup`) makes every process compile MLflow,
    scikit-learn, SciPy and pandas from source again: several seconds of CPU each. The shared
    venv is compiled once (`compile_bytecode`); this covers the venvs tests make themselves
    and the projects' and the tool's own modules."""
    saved = os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    yield
    if saved is not None:
        os.environ["PYTHONDONTWRITEBYTECODE"] = saved


def run(cmd: list[str | Path], cwd: Path, env: dict[str, str] | None = None, timeout: int = 900):
    """Run a command, failing the test with its output when it exits non-zero."""
    result = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, cmd))} exited {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
        )
    return result


def generate(tmp_path: Path, name: str, *args: str) -> Path:
    """`mlops-scaffold new NAME ARGS --defaults` into tmp_path; the project's path."""
    run(
        [sys.executable, "-m", "scaffolder", "new", name, "--defaults", "-o", tmp_path, *args], REPO
    )
    return tmp_path / name


def layered_venv(base: Path, path: Path) -> Path:
    """A venv whose packages come after the shared venv's: installs go to it, the base is read
    (its console scripts get copies here that run this venv's python)."""
    run([sys.executable, "-m", "venv", "--without-pip", path], path.parent)
    site = next(path.glob("lib/python3*/site-packages"))
    (base_site,) = base.glob("lib/python3*/site-packages")
    (site / "zz_shared_e2e_venv.pth").write_text(
        f"import site; site.addsitedir({str(base_site)!r})\n"
    )
    for script in (base / "bin").iterdir():
        if script.is_symlink() or not script.is_file():
            continue
        first, _, rest = script.read_bytes().partition(b"\n")
        if first == f"#!{base / 'bin' / 'python'}".encode():
            target = path / "bin" / script.name
            if not target.exists():
                target.write_bytes(f"#!{path / 'bin' / 'python'}\n".encode() + rest)
                target.chmod(0o755)
    return path


def _cache_key() -> str:
    digest = hashlib.sha256()
    for path in sorted(
        [
            HERE / "constraints.txt",
            HERE / "tools.txt",
            HERE / "engines.txt",
            *REPO.glob("templates/level0/pyproject.toml*"),
            *REPO.glob("templates/level0/constraints.txt*"),
        ]
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def runtime_wheels(tmp_path_factory) -> Path:
    """A folder holding the wheel of this checkout's runtime library (`runtime/`), which the
    generated projects depend on; pip finds it there (PIP_FIND_LINKS), so no index needs it."""
    folder = tmp_path_factory.mktemp("wheels")
    run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", folder, REPO / "runtime"],
        REPO,
    )
    os.environ["PIP_FIND_LINKS"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def venv(tmp_path_factory, runtime_wheels) -> Path:
    """A venv holding everything a level-3 project with both orchestrators installs, plus the
    checkers and the real engines' packages (engines.txt). Filled by a generated project's own
    `make setup`, so its dependency list is what is tested; later projects' `make setup` then
    only add themselves."""
    path = CACHE / f"venv-{_cache_key()}"
    CACHE.mkdir(parents=True, exist_ok=True)
    # Several test sessions (pytest-xdist workers, parallel checkouts) may share the cache:
    # one builds a venv while the others wait for it.
    with open(CACHE / f".lock-{path.name}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (path / ".complete").is_file():
            _build_venv(path, tmp_path_factory)
        compile_bytecode(path)
        # The runtime's version stays the same while it is worked on: install this
        # checkout's build over whatever an earlier session left.
        (wheel,) = runtime_wheels.glob("*.whl")
        run(
            [path / "bin/python", "-m", "pip", "install", "-q", "--no-deps",
             "--force-reinstall", wheel],
            REPO,
        )  # fmt: skip
    return path


def compile_bytecode(path: Path, heavy: tuple[str, ...] = ("mlflow", "sklearn", "pandas")) -> None:
    """Byte-compile every module of the venv at `path` once (marker `.compiled`).

    The projects' `make setup` installs with uv, which writes no .pyc files, and where
    PYTHONDONTWRITEBYTECODE is set (this machine's environment sets it) Python never caches
    them either: every process of every test compiled MLflow, scikit-learn, SciPy, pandas and
    Airflow from source again (a level-1 `make kfp-run`: 43 s of CPU, 20 s with them
    compiled)."""
    marker = path / ".compiled"
    if marker.is_file():
        return
    # Exit status 1 only says some file did not compile (packages ship Python-2-only test
    # data); the check below is that the `heavy` packages did.
    subprocess.run(
        [path / "bin/python", "-m", "compileall", "-q", "-j", "0", path / "lib"],
        capture_output=True, check=False, timeout=1800,
    )  # fmt: skip
    for package in heavy:
        (init,) = (path / "lib").glob(f"python3*/site-packages/{package}/__init__.py")
        if not list((init.parent / "__pycache__").glob("__init__.*.pyc")):
            pytest.fail(f"compileall left {package} without bytecode in {path}")
    marker.write_text("ok\n")


def _build_venv(path: Path, tmp_path_factory) -> None:
    """Fill a fresh venv at `path`: the checkers, then a generated project's own `make setup`."""
    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "venv", path], REPO)
    env = {"PIP_CONSTRAINT": str(HERE / "constraints.txt")}
    run([path / "bin/python", "-m", "pip", "install", "-q", "-U", "pip"], REPO, env)
    run([path / "bin/python", "-m", "pip", "install", "-q", "-r", HERE / "tools.txt"], REPO, env)
    seed = generate(
        tmp_path_factory.mktemp("seed"), "venv-seed", "--level", "3", "--orchestrator", "both"
    )
    make(seed, "setup", path)
    # The real engines' packages (tests/engines/), under the project's own pins too.
    env = {"PIP_CONSTRAINT": f"{HERE / 'constraints.txt'} {seed / 'constraints.txt'}"}
    run([path / "bin/python", "-m", "pip", "install", "-q", "-r", HERE / "engines.txt"], REPO, env)
    (path / ".complete").write_text("ok\n")


def _feast_key() -> str:
    feature_repo = next(REPO.glob("templates/level2/*features*"))
    return hashlib.sha256((feature_repo / "requirements.txt").read_bytes()).hexdigest()[:16]


@pytest.fixture(scope="session")
def feast_venv(venv, tmp_path_factory) -> Path:
    """Feast's own environment (`feature_store: feast`), built once by a generated project's
    `make feast-setup` and cached by its requirements: the projects' FEAST_VENV."""
    import time

    path = CACHE / f"feast-{_feast_key()}"
    with open(CACHE / f".lock-{path.name}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (path / ".complete").is_file():
            shutil.rmtree(path, ignore_errors=True)
            seed = generate(
                tmp_path_factory.mktemp("feast-seed"), "feast-seed", "--level", "2",
                "--data", "feature_store=feast",
            )  # fmt: skip
            start = time.perf_counter()
            make(seed, "feast-setup", venv, FEAST_VENV=str(path))
            print(f"feast environment built in {time.perf_counter() - start:.1f} s")
            (path / ".complete").write_text("ok\n")
        compile_bytecode(path, heavy=("feast", "pandas"))
    return path


def make(project: Path, target: str, venv: Path, timeout: int = 900, **env: str):
    """Run the generated project's own `make TARGET` against the shared venv."""
    full_env = {
        "PIP_CONSTRAINT": str(HERE / "constraints.txt"),
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        **env,
    }
    if "MLFLOW_TRACKING_URI" not in env:  # the project's own store unless a test names a server
        full_env.pop("MLFLOW_TRACKING_URI", None)
    return run(["make", target, f"VENV={venv}"], project, full_env, timeout)


MAKE_TEST_GOAL_SECONDS = 15  # the generated README promises `make test` in seconds (issue 24)


def timed_make_test(project: Path, venv: Path, level: int):
    """`make test` (the fast tests), its time printed and compared with the goal: a soft check
    (a warning in the summary, never a failure: a busy shared machine is not a regression)."""
    import time
    import warnings

    start = time.perf_counter()
    result = make(project, "test", venv)
    seconds = time.perf_counter() - start
    print(f"make test at level {level}: {seconds:.1f} s (goal <= {MAKE_TEST_GOAL_SECONDS} s)")
    if seconds > MAKE_TEST_GOAL_SECONDS:
        warnings.warn(
            f"make test at level {level} took {seconds:.1f} s, over the "
            f"{MAKE_TEST_GOAL_SECONDS} s goal; move slow tests under `make test-slow`",
            stacklevel=2,
        )
    return result


def tool(name: str, venv: Path) -> str:
    """A checker from the shared venv or PATH; Debian's prometheus package provides promtool."""
    candidate = venv / "bin" / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None and name == "promtool" and shutil.which("apt-get") and os.geteuid() == 0:
        run(["apt-get", "update", "-qq"], REPO)
        run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", "prometheus"],
            REPO,
            {"DEBIAN_FRONTEND": "noninteractive"},
        )
        found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is needed and could not be found or installed")
    return found
