"""Issue 25: what `make setup` installs in an adopted project starts from the team's own
requirements (scripts/team_requirements.py, run by `make setup`), and the team's kept make
targets run with the project's venv."""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
from pathlib import Path

from scaffolder.upgrade.adopt import adopt

from .helpers import commit
from .team_projects import SHA, ccds_project, kedro_project, uv_project


def compose(repo: Path) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "scripts/team_requirements.py", "constraints.txt", "build"],
        cwd=repo, capture_output=True, text=True, check=True,
    )  # fmt: skip
    files = {p.name: p.read_text() for p in (repo / "build").iterdir()}
    return {"said": done.stdout, **files}


def pins(text: str) -> dict[str, str]:
    return {line.split("==")[0]: line.split("==")[1].split(" ")[0]
            for line in text.splitlines() if "==" in line}  # fmt: skip


def test_ccds_requirements_are_installed_with_the_tool_pins_they_admit(tmp_path):
    repo = ccds_project(tmp_path)
    adopt(repo, 1, {"orchestrator": "both"}, defaults=True, interactive=False)
    made = compose(repo)
    wanted = made["requirements-team.txt"].splitlines()
    assert {"loguru", "python-dotenv", "tqdm", "typer", "pandas>=2.2"} <= set(wanted)
    assert "-e ." not in wanted  # the project itself is make setup's `-e .[...]`
    # Their ranges admit the tested versions: those stay pinned.
    assert {"scikit-learn", "pandas", "mlflow"} <= set(pins(made["constraints.txt"]))
    makefile = (repo / "Makefile").read_text()
    assert "-r $(dir $(SETUP_LOG))requirements-team.txt" in makefile
    assert "-c $(dir $(SETUP_LOG))constraints.txt" in makefile


def test_kedro_pins_win_over_the_tested_ones_for_its_packages(tmp_path):
    repo = kedro_project(tmp_path)
    adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    made = compose(repo)
    # scikit-learn~=1.5.1 cannot take the tested 1.9.1: the team's range decides it.
    assert "scikit-learn" not in pins(made["constraints.txt"])
    assert "mlflow" in pins(made["constraints.txt"])  # the rest keeps the tested pins
    assert "tested pins left to yours: scikit-learn" in made["said"]


def test_a_hashed_constraints_file_is_installed_first_and_its_pins_win(tmp_path):
    repo = uv_project(tmp_path)
    result = adopt(repo, 1, {"orchestrator": "kubeflow"}, defaults=True, interactive=False)
    assert any(n.startswith("constraints.txt: kept your whole file") for n in result.notes)
    made = compose(repo)
    # pip's hash mode covers only the team's hashed pins, installed by themselves first ...
    assert f"--hash=sha256:{SHA}" in made["hashed.txt"]
    assert "--hash" not in made["constraints.txt"]
    # ... which then win as constraints; the tool's pins (from the base branch) do the rest.
    assert pins(made["constraints.txt"])["scikit-learn"] == "1.5.2"
    assert pins(made["constraints.txt"])["mlflow"] == "3.17.2"
    # Dependency groups, their include-group followed.
    assert {"pytest>=8", "hypothesis>=6", "ipython"} == set(made["requirements-team.txt"].split())


def test_the_team_test_target_runs_with_the_project_venv(tmp_path):
    repo = ccds_project(tmp_path)
    adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text('#!/bin/sh\necho "venv python $*"\n')
    (venv / "bin" / "python").chmod(0o755)
    done = subprocess.run(["make", "test", f"VENV={venv}"], cwd=repo, capture_output=True,
                          text=True, check=True)  # fmt: skip
    assert done.stdout.splitlines()[-1] == "venv python -m pytest tests"  # their recipe, our venv


def test_kept_help_and_test_stay_the_team_s_and_upgrades_do_not_clash_on_them(tmp_path):
    from scaffolder.state import load_state
    from scaffolder.upgrade import apply

    from .helpers import commit

    repo = ccds_project(tmp_path)
    result = adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    assert load_state(repo).answers.team_targets == "help test"
    assert not any(n.startswith("Makefile:") for n in result.notes)  # nothing to keep apart
    listed = subprocess.run(["make", "help"], cwd=repo, capture_output=True, text=True,
                            check=True).stdout  # fmt: skip
    # Both lists: the pipeline's targets (mlops-help), then the team's (their ## style).
    assert "  mlops-test" in listed and "  train" in listed and "  dag-test" in listed
    assert "  test                 Run the unit tests" in listed
    config = repo / "config" / "mlops.yaml"
    config.write_text(config.read_text().replace("target: null", "target: busy"))
    commit(repo, "our target")
    upgraded = apply.upgrade(apply.UpgradeRequest(path=repo, defaults=True))
    assert (upgraded.level, upgraded.conflicts) == (2, [])
    # The churn example's migrations are not this project's: neither listed nor run.
    listed = [m.id for plan in upgraded.plans for m in plan.pre + plan.post]
    assert not [i for i in listed if i.startswith(("0001", "0002"))], listed
    makefile = (repo / "Makefile").read_text()
    assert "\nmlops-help: ## List the targets\n" in makefile and "MLOps level 2" in makefile
    assert makefile.count("\nhelp:") == 2  # their rule and the `help: mlops-help` line
    # Their `make help` lists what level 2 brought, then their own targets.
    listed = subprocess.run(["make", "help"], cwd=repo, capture_output=True, text=True,
                            check=True).stdout  # fmt: skip
    assert "  serve " in listed and "  load-test " in listed and "MLOps level 2" in listed
    assert "  test                 Run the unit tests" in listed


def test_the_team_test_extra_is_installed_too(tmp_path):
    """Issue 25: the team's test dependencies were not installed."""
    repo = kedro_project(tmp_path)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'docs = ["sphinx>=5.3"]', 'docs = ["sphinx>=5.3"]\ntest = ["pytest-mock>=3", "spaceflights[docs]"]'
    ))  # fmt: skip
    commit(repo, "a test extra")
    adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    wanted = compose(repo)["requirements-team.txt"].splitlines()
    assert "pytest-mock>=3" in wanted and "sphinx>=5.3" not in wanted
    assert not [x for x in wanted if x.startswith("spaceflights")]


def test_setup_makes_the_venv_with_the_project_s_python(tmp_path):
    """Issue 25: `~=3.10.0` got a venv made with whatever python3 was."""
    repo = kedro_project(tmp_path)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'readme = "README.md"\n', 'readme = "README.md"\nrequires-python = "~=3.10.0"\n'
    ))  # fmt: skip
    commit(repo, "Python 3.10 only")
    adopt(repo, 0, {}, defaults=True, interactive=False)
    shown = subprocess.run(["make", "-s", "-f", "Makefile", "-f", "-", "show"],
                           input="show:\n\t@echo $(BASE_PYTHON)\n", cwd=repo,
                           capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    import shutil

    assert shown == (shutil.which("python3.10") or "python3")


def test_make_lock_never_replaces_a_hashed_constraints_file(tmp_path):
    repo = uv_project(tmp_path)
    adopt(repo, 1, {"orchestrator": "kubeflow"}, defaults=True, interactive=False)
    before = (repo / "constraints.txt").read_text()
    done = subprocess.run([sys.executable, "scripts/lock.py", "constraints.txt"], cwd=repo,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 1 and "holds --hash pins from your lock tool" in done.stderr
    assert (repo / "constraints.txt").read_text() == before


def test_an_upgrade_keeps_the_team_s_hashed_constraints_file_whole(tmp_path):
    """Issue 25 (uv): `upgrade --to 2` stopped on a conflict in constraints.txt, the team's
    `uv export` against the template's tested pins; the tested pins live on the base branch,
    where `make setup` reads them."""
    from scaffolder.upgrade import apply

    from .helpers import commit, git

    repo = uv_project(tmp_path)
    adopt(repo, 1, {"orchestrator": "kubeflow"}, defaults=True, interactive=False)
    theirs = (repo / "constraints.txt").read_text()
    config = repo / "config" / "mlops.yaml"
    config.write_text(config.read_text().replace("target: null", "target: fraud"))
    commit(repo, "our target")
    upgraded = apply.upgrade(apply.UpgradeRequest(path=repo, to=2, defaults=True))
    assert (upgraded.level, upgraded.conflicts) == (2, [])
    assert (repo / "constraints.txt").read_text() == theirs
    assert (
        "constraints.txt: kept your whole file; the template's differ(s), see `git show "
        "mlops-scaffold/base:constraints.txt`" in upgraded.notes
    )
    tested = git(repo, "show", "mlops-scaffold/base:constraints.txt")
    assert "fastapi==" in tested and "--hash" not in tested  # level 2's tested pins, for setup


IMAGE_INSTALL = """\
RUN if [ -f uv.lock ]; then pip install --no-cache-dir uv==0.13.9; fi \\
    && python scripts/team_requirements.py constraints.txt /tmp/setup --no-dev \\
    && if [ -f /tmp/setup/hashed.txt ]; then pip install --no-cache-dir --require-hashes --no-deps -r /tmp/setup/hashed.txt; fi \\
    && pip install --no-cache-dir -c /tmp/setup/constraints.txt . -r /tmp/setup/requirements-team.txt \\
    && if [ -f uv.lock ]; then pip uninstall --yes uv; fi \\
    && rm -rf /tmp/setup
"""  # noqa: E501


def build_context(repo: Path, into: Path) -> set[str]:
    """What `docker build .` sends of the repository: .dockerignore's patterns in order, the last
    one matching a file or one of its folders deciding (`!` lets it in)."""
    patterns = [x for x in (repo / ".dockerignore").read_text().splitlines()
                if x.strip() and not x.startswith("#")]  # fmt: skip
    sent = set()
    for path in subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, text=True,
                               check=True).stdout.split():  # fmt: skip
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        keep = True
        for pattern in patterns:
            bare = pattern.lstrip("!").rstrip("/")
            if any(fnmatch.fnmatchcase(p, bare) for p in prefixes):
                keep = pattern.startswith("!")
        if keep:
            sent.add(path)
            (into / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(repo / path, into / path)
    return sent


def test_the_serving_image_installs_the_team_requirements_as_make_setup_does(tmp_path):
    """Issue 25: the adopted project's serving image installed the tool's dependencies but not
    the team's (loguru, typer, ... from requirements.txt), so the package did not import."""
    repo = ccds_project(tmp_path)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[dependency-groups]\ndev = ["ipython"]\n')
    commit(repo, "a dev group")
    adopt(repo, 2, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    dockerfile = (repo / "Dockerfile.serving").read_text()
    assert "\nCOPY . ./\n" in dockerfile and IMAGE_INSTALL in dockerfile
    context = tmp_path / "context"
    sent = build_context(repo, context)
    assert {"requirements.txt", "scripts/team_requirements.py", "constraints.txt",
            "bike_demand/config.py", "config/mlops.yaml", "pyproject.toml"} <= sent  # fmt: skip
    assert not [p for p in sent if p.startswith(("tests/", "k8s/", ".github/"))]
    # The RUN line itself, by /bin/sh with nothing but python and a pip that records what it
    # is given (no git, no uv in an image: the script must do without them).
    tools = tmp_path / "bin"
    tools.mkdir()
    log = tmp_path / "pip.log"
    (tools / "python").symlink_to(sys.executable)
    (tools / "rm").symlink_to(shutil.which("rm"))
    (tools / "pip").write_text(
        f'#!/bin/sh\necho "pip $*" >> {log}\n'
        f'for a in "$@"; do case $a in *.txt) {shutil.which("cat")} "$a" >> {log};; esac; done\n'
    )
    (tools / "pip").chmod(0o755)
    setup = tmp_path / "setup"
    command = IMAGE_INSTALL.removeprefix("RUN ").replace("/tmp/setup", str(setup))
    done = subprocess.run(["/bin/sh", "-c", command], cwd=context, capture_output=True,
                          text=True, env={"PATH": str(tools)}, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("setup: your requirements: 7 packages")
    said = log.read_text()
    assert f"pip install --no-cache-dir -c {setup}/constraints.txt . -r " in said
    assert "--require-hashes" not in said  # nothing hashed here
    team = said.split(f"-r {setup}/requirements-team.txt\n", 1)[1]
    for wanted in ("loguru", "python-dotenv", "tqdm", "typer", "pandas>=2.2"):
        assert f"\n{wanted}\n" in f"\n{team}"
    assert "ipython" not in said  # a dependency group is the team's dev set, not the image's
    # The tested pins their ranges admit (from the project's constraints.txt, no git needed).
    assert re.search(r"^scikit-learn==[0-9.]+ ;", said, re.M)
    assert re.search(r"^mlflow==[0-9.]+ ;", said, re.M)
    assert not setup.exists()  # removed in the same layer


def test_the_serving_image_context_holds_a_top_level_package(tmp_path):
    """The level-2 serving Dockerfile copies the team's package folder; the build context
    (.dockerignore, an allow-list) must not leave a top-level one out."""
    repo = ccds_project(tmp_path)
    adopt(repo, 2, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    allowed = (repo / ".dockerignore").read_text().splitlines()
    assert "!bike_demand/" in allowed and allowed.index("*") < allowed.index("!bike_demand/")


PIP_REFUSAL = """\
Collecting numpy==2.3.0 (from -c build/constraints.txt (line 4))
ERROR: Cannot install -r build/requirements-team.txt (line 2) because these package versions \
have conflicting dependencies.

The conflict is caused by:
    kedro 0.19.15 depends on click<8.2.0 and >=4.0
    kedro 0.19.12 depends on importlib-metadata<9.0 and >=3.6
    The user requested (constraint) click==8.5.1
    The user requested (constraint) importlib-metadata==9.1.0
ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/...
"""


def test_tested_pins_a_refusal_names_are_left_to_the_resolver(tmp_path):
    """Issue 25 (Kedro): the team's packages need other versions than tested pins they do not
    name themselves (kedro 0.19: click<8.2); pip's refusal names the pins, `make setup` drops
    them and tries again. The team's own pins and the pins not named stay. (uv's refusal:
    the next test.)"""
    refusal, named = PIP_REFUSAL, ["click==8.5.1", "importlib-metadata==9.1.0"]
    repo = kedro_project(tmp_path)
    adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    build = repo / "build"
    compose(repo)
    tested = (build / "tested.txt").read_text().splitlines()
    marker = ' ; python_version == "3.11"'
    for pin in ("click==8.5.1", "importlib-metadata==9.1.0", "numpy==2.3.0"):
        name = pin.split("==")[0]
        tested = [x for x in tested if not x.startswith(f"{name}==")] + [pin + marker]
    (build / "tested.txt").write_text("\n".join(tested) + "\n")
    (build / "constraints.txt").write_text("kedro==0.19.12\n" + "\n".join(tested) + "\n")
    (build / "install.log").write_text(refusal)
    relax = [sys.executable, "scripts/team_requirements.py", "--relax", "build"]
    done = subprocess.run(relax, cwd=repo, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (f"setup: the packages depend on other versions than the tested "
                           f"{', '.join(named)}: left to the resolver, trying again\n")  # fmt: skip
    left = (build / "constraints.txt").read_text().splitlines()
    assert not [x for x in left if x.split(" ;")[0] in named]
    assert "kedro==0.19.12" in left and "numpy==2.3.0" + marker in left
    # The next make setup (after `upgrade`, say) leaves them to the resolver from the start,
    # not after another refused install each (a full resolution: minutes for Kedro).
    again = compose(repo)
    assert again["said"].splitlines()[-1] == (
        "setup: left to the resolver as in your last setup: click==8.5.1, "
        "importlib-metadata==9.1.0 (build/relaxed.txt)"
    )
    assert not [x for x in again["constraints.txt"].splitlines() if x.split(" ;")[0] in named]
    # Other team requirements: the tested pins apply again, until a refusal names them.
    with (repo / "requirements.txt").open("a") as extra:
        extra.write("tqdm>=4\n")
    changed = compose(repo)
    assert "as in your last setup" not in changed["said"]
    assert "click==8.5.1" + marker in changed["constraints.txt"].splitlines()
    # A failure that is no refusal of pins (a package not found): nothing to relax, so
    # make setup stops there.
    (build / "install.log").write_text("ERROR: No matching distribution found for nosuchpkg\n")
    assert subprocess.run(relax, cwd=repo, capture_output=True, check=False).returncode == 1


UV_REFUSAL = """\
error: No solution found when resolving dependencies
  cause: Because kedro>=0.19.10,<=0.19.15 depends on importlib-metadata>=3.6,<9.0 and \
mlflow-skinny==3.17.2 depends on importlib-metadata{python_full_version < '3.12'}==9.1.0, we can \
conclude that kedro>=0.19.10,<=0.19.15 and mlflow-skinny==3.17.2 are incompatible.
         And because mlflow==3.17.2 depends on mlflow-skinny==3.17.2, we can conclude that \
kedro>=0.19.10,<=0.19.15 and mlflow==3.17.2 are incompatible.
         And because spaceflights==0.1 depends on mlflow{python_full_version < '3.12'}==3.17.2 and \
kedro-datasets[pandas-csvdataset]==7.0.0 depends on pandas>=1.3,<3.0, we can conclude that your \
requirements are unsatisfiable.
"""


def test_pins_uv_s_reasoning_excludes_are_left_to_the_resolver_without_a_resolution(tmp_path):
    """Issue 25 (Kedro with uv, the default ENV_MANAGER): uv names every pin of its reasoning,
    the tested ones it does not exclude too (mlflow==3.17.2); the pins a requirement in it
    excludes are dropped at once. Before, each uv refusal ran pip's dry-run resolution of the
    whole project (Airflow, MLflow: minutes) to find them."""
    repo = kedro_project(tmp_path)
    adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    build = repo / "build"
    compose(repo)
    (build / "install.log").write_text(UV_REFUSAL)
    relax = [sys.executable, "scripts/team_requirements.py", "--relax", "build"]
    done = subprocess.run(relax, cwd=repo, capture_output=True, text=True, check=False,
                          env={"PATH": "/usr/bin:/bin"}, timeout=20)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "setup: the packages depend on other versions than the tested pandas==3.1.1, "
        "importlib-metadata==9.1.0: left to the resolver, trying again\n"
    )
    left = {x.split("==")[0] for x in (build / "constraints.txt").read_text().splitlines()}
    assert {"mlflow", "mlflow-skinny", "click"} <= left
    assert not {"importlib-metadata", "pandas"} & left


UV_CHAIN = """\
error: No solution found when resolving dependencies
  cause: Because gto>=1.10.1 depends on click>=8.2,<9 and dvc>=3.67.1 depends on \
gto{python_full_version < '3.12'}==1.10.1, we can conclude that dvc>=3.67.1 depends on \
click>=8.2,<9.
         And because kedro==0.19.15 depends on click>=4.0,<8.2.0, we can conclude that \
dvc>=3.67.1 and kedro==0.19.15 are incompatible.
         And because spaceflights[dvc]==0.1 depends on dvc{python_full_version < '3.12'}==3.67.1 \
and only spaceflights[dvc]==0.1 is available, we can conclude that kedro==0.19.15 and all \
versions of spaceflights[dvc] are incompatible.
"""


def test_tested_pins_whose_own_requirements_clash_are_left_to_the_resolver(tmp_path):
    """Issue 25 (a uv-managed Kedro project): its lock's kedro wants click<8.2, the tested gto
    (through dvc) click>=8.2. No requirement excludes a tested version itself, so only uv's
    reasoning names the pins: those it follows into their requirements. Before, a resolution
    of the whole project ran for minutes and found nothing, and `make setup` failed."""
    repo = kedro_project(tmp_path)
    adopt(repo, 1, {"orchestrator": "airflow"}, defaults=True, interactive=False)
    build = repo / "build"
    compose(repo)
    tested = (build / "tested.txt").read_text()
    assert "gto==" in tested and "dvc==" in tested
    (build / "requirements-team.txt").write_text("")  # the team's own resolution: nothing
    # Their lock's click (a team pin: it wins over the tested click, which is gone).
    for name in ("tested.txt", "constraints.txt"):
        lines = (build / name).read_text().splitlines()
        kept = [x for x in lines if not x.startswith("click==")]
        (build / name).write_text("\n".join(kept + ["click==8.1.8"] * (name != "tested.txt")))
    (build / "install.log").write_text(UV_CHAIN)
    relax = [sys.executable, "scripts/team_requirements.py", "--relax", "build"]
    done = subprocess.run(relax, cwd=repo, capture_output=True, text=True, check=False,
                          env={"PATH": "/usr/bin:/bin"}, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("setup: the packages depend on other versions than the tested ")
    named = done.stdout.split("tested ")[1].split(":")[0].split(", ")
    assert sorted(named) == ["dvc==3.67.1", "gto==1.10.1"]
    left = {x.split("==")[0] for x in (build / "constraints.txt").read_text().splitlines()}
    assert "click" in left and not {"gto", "dvc"} & left  # theirs stays
