"""Test support for projects (`mlops_runtime.testing`): every store in the test's folder, the
slow modules left unimported by `make test`."""

from __future__ import annotations

import os
from types import SimpleNamespace

from mlops_runtime import testing
from mlops_runtime.settings import load_settings


def test_isolate_points_every_store_into_the_test_folder(project, tmp_path, monkeypatch):
    for name in ("PIPELINE_RUN_ID", "PROMOTION_POLICY", "MLOPS_ENV"):
        monkeypatch.setenv(name, "from the shell")
    root = tmp_path / "project"
    testing.isolate(monkeypatch, tmp_path / "t", root)
    settings = load_settings(project)
    assert settings.tracking_uri == f"sqlite:///{tmp_path / 't' / 'mlflow.db'}"
    for value in (settings.prediction_log_uri, settings.state_uri, os.environ["RELEASE_NOTES_DIR"],
                  os.environ["GOVERNANCE_AUDIT_LOG"], os.environ["MLOPS_GX_ROOT"]):  # fmt: skip
        assert str(tmp_path / "t") in value, value
    assert os.environ["MLOPS_PROJECT_ROOT"] == str(root)
    assert not {"PIPELINE_RUN_ID", "PROMOTION_POLICY", "MLOPS_ENV"} & set(os.environ)


def test_make_test_does_not_import_the_slow_modules(tmp_path):
    slow, fast = tmp_path / "test_slow.py", tmp_path / "test_fast.py"
    slow.write_text(f"import pytest\n{testing.SLOW_MARK}\n")
    fast.write_text("def test_x():\n    pass\n")
    lines = []
    config = SimpleNamespace(getoption=lambda name: "not slow",
                             addinivalue_line=lambda *a: lines.append(a))  # fmt: skip
    assert testing.pytest_ignore_collect(slow, config) is True
    assert testing.pytest_ignore_collect(fast, config) is None
    assert testing.pytest_ignore_collect(tmp_path / "notes.txt", config) is None
    everything = SimpleNamespace(getoption=lambda name: "")
    assert testing.pytest_ignore_collect(slow, everything) is None
    testing.pytest_configure(config)
    assert lines[0][0] == "markers" and lines[0][1].startswith("slow:")
