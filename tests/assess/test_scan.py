import pytest

from scaffolder.assess.models import AssessError, Zone
from scaffolder.assess.scan import head_commit, scan
from tests.assess.repos import git_dir, notebook, write


def test_zones_keep_tests_examples_docs_and_vendored_apart(tmp_path):
    dag = "from airflow.sdk import dag\n@dag(schedule='@daily')\ndef d():\n    pass\n"
    write(
        tmp_path,
        {
            "dags/train.py": dag,
            "examples/tutorial_dag.py": dag,
            "docs/snippet.py": dag,
            "third_party/lib/dag.py": dag,
            "tests/test_dag.py": dag,
            "src/pkg/test_helpers_test.py": dag,
        },
    )
    zones = {f.path: f.zone for f in scan(tmp_path).of("airflow.dag", *Zone)}
    assert zones == {
        "dags/train.py": Zone.SOURCE,
        "examples/tutorial_dag.py": Zone.EXAMPLES,
        "docs/snippet.py": Zone.DOCS,
        "third_party/lib/dag.py": Zone.VENDORED,
        "tests/test_dag.py": Zone.TESTS,
        "src/pkg/test_helpers_test.py": Zone.TESTS,
    }


def test_ignored_and_huge_folders_are_skipped(tmp_path):
    code = "import mlflow\nmlflow.start_run()\n"
    write(
        tmp_path,
        {
            ".gitignore": "artifacts/\n*.pyc\n",
            ".venv/lib/x.py": code,
            "env2/pyvenv.cfg": "home = /usr\n",
            "env2/lib/y.py": code,
            "data/raw/z.py": code,
            "mlruns/0/a.py": code,
            "node_modules/pkg/b.py": code,
            "artifacts/c.py": code,
            ".hidden/d.py": code,
            ".github/workflows/ci.yml": "on: push\njobs: {}\n",
        },
    )
    facts = scan(tmp_path)
    assert facts.of("mlflow.tracking", *Zone) == []
    assert {"data", "mlruns", "node_modules", "artifacts", ".venv", "env2", ".hidden"} <= set(
        facts.skipped
    )
    assert facts.of("ci.workflow")  # .github is hidden but kept


def test_oversized_files_are_not_read(tmp_path):
    write(tmp_path, {"big.py": "import mlflow\nmlflow.start_run()\n" + "#" * 2_100_000})
    assert scan(tmp_path).of("mlflow.tracking") == []


def test_notebook_code_is_its_own_zone(tmp_path):
    write(tmp_path, {"explore.ipynb": notebook(["import mlflow\nmlflow.log_param('a', 1)"])})
    facts = scan(tmp_path)
    assert facts.of("mlflow.tracking") == []
    assert [f.path for f in facts.of("mlflow.tracking", Zone.NOTEBOOK)] == ["explore.ipynb"]


def test_broken_files_become_problems_with_paths(tmp_path):
    write(
        tmp_path,
        {
            "src/a.py": "import mlflow\ndef f(:\n",
            ".github/workflows/ci.yml": "on: [push\njobs:\n",
            "pyproject.toml": "[project\n",
            "monitoring/rules.yml": "groups: [\n",
            "grafana/dashboard.json": "{",
            "bad.ipynb": "not json",
        },
    )
    problems = {(p.path, p.category) for p in scan(tmp_path).problems}
    assert problems == {
        ("src/a.py", "python"),
        (".github/workflows/ci.yml", "ci"),
        ("pyproject.toml", "toml"),
        ("monitoring/rules.yml", "yaml"),
        ("grafana/dashboard.json", "json"),
        ("bad.ipynb", "notebook"),
    }


def test_jinja_templated_yaml_is_not_a_problem(tmp_path):
    write(tmp_path, {"chart/templates/deploy.yaml": "{% if x %}\nkind: Deployment\n{% endif %}\n"})
    facts = scan(tmp_path)
    assert facts.problems == [] and [f.kind for f in facts.facts] == ["yaml.template"]


def test_head_commit_from_ref_packed_refs_and_detached(tmp_path):
    git_dir(tmp_path, "a" * 40)
    assert head_commit(tmp_path) == "a" * 40
    (tmp_path / ".git" / "refs" / "heads" / "main").unlink()
    (tmp_path / ".git" / "packed-refs").write_text(
        "# pack-refs\n" + "b" * 40 + " refs/heads/main\n"
    )
    assert head_commit(tmp_path) == "b" * 40
    (tmp_path / ".git" / "HEAD").write_text("c" * 40 + "\n")
    assert head_commit(tmp_path) == "c" * 40
    assert head_commit(tmp_path / "nowhere") is None


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(AssessError, match="is not a folder"):
        scan(tmp_path / "missing")


def test_a_package_named_like_an_examples_folder_is_still_source(tmp_path):
    code = "import joblib\njoblib.dump(1, 'm')\n"
    write(tmp_path, {"src/demo/train.py": code, "demo/train.py": code, "project/docs/x.py": code})
    zones = {f.path: f.zone for f in scan(tmp_path).of("model.save", *Zone)}
    assert zones == {
        "src/demo/train.py": Zone.SOURCE,
        "demo/train.py": Zone.EXAMPLES,
        "project/docs/x.py": Zone.DOCS,
    }


def test_odd_but_valid_yaml_shapes_never_crash(tmp_path):
    write(
        tmp_path,
        {
            ".pre-commit-config.yaml": "repos: [1, {hooks: 3}, {hooks: [x, {id: ruff}]}]\n",
            "k8s/a.yaml": "apiVersion: v1\nkind: Rollout\nspec: [1]\nmetadata: 3\n",
            "monitoring/r.yml": "groups: [1, {rules: 2}, {rules: [3, {alert: A}]}]\n",
            ".github/workflows/ci.yml": "on: 3\njobs: [1]\n",
            ".gitlab-ci.yml": "- 1\n",
            "dvc.yaml": "stages: [1]\n",
            "config/x.yaml": "- a\n",
        },
    )
    facts = scan(tmp_path)
    assert [p for p in facts.problems if p.category == "internal"] == []
    assert {f.detail.get("id") for f in facts.of("precommit.hook")} == {"ruff"}
    assert [f.detail["alert"] for f in facts.of("prometheus.rule")] == ["A"]
