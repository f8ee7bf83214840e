"""Whatever bytes a repository holds, a scan reports facts or problems and never crashes."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffolder.assess.checks import run_checks
from scaffolder.assess.scan import scan

YAMLISH = st.lists(
    st.sampled_from(
        [
            "on:",
            "jobs:",
            "  - ",
            "kind: Rollout",
            "apiVersion: v1",
            "groups:",
            "rules:",
            "- alert: A",
            "steps:",
            "run: pytest",
            "[",
            "{",
            "}",
            "]",
            "&a",
            "*a",
            "<<: *a",
            "'",
            '"',
            ":",
            "\t",
            "  ",
            "environment: production",
            "hooks:",
            "- id: x",
            "stages:",
            "spec:",
            "canary:",
        ]
    ),
    max_size=30,
).map(lambda parts: "\n".join(parts))
PYISH = st.text(
    alphabet=st.sampled_from(
        list("import mlflow()@.:=\n\t kfp dsl airflow DAG def test_ 'x' # {}[]")
    ),
    max_size=200,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_text=YAMLISH, py_text=PYISH)
def test_scan_never_crashes(yaml_text, py_text):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel in (
            ".github/workflows/ci.yml",
            ".gitlab-ci.yml",
            "k8s/x.yaml",
            ".pre-commit-config.yaml",
            "dvc.yaml",
            "config/p.yaml",
            "monitoring/alerts.yml",
        ):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(yaml_text)
        (root / "src").mkdir()
        (root / "src" / "m.py").write_text("import mlflow\n" + py_text)
        (root / "pyproject.toml").write_text(py_text)
        facts = scan(root)
        assert [p for p in facts.problems if p.category == "internal"] == []
        assert len(run_checks(facts)) > 30
