"""DVC as evidence of versioned data (scaffolder/assess/detect_dvc.py and the advice check
`repro.data-versioned`): `.dvc/config`, `.dvc` files anywhere (data/ included), dvc.yaml,
dvc.lock and `dvc.api` imports."""

from __future__ import annotations

import os

from scaffolder.assess.models import Outcome
from tests.assess.repos import checks, facts, write

DVC_FILE = """
outs:
- md5: e5ebd4c02cefbe7955977c67ada242b7
  size: 8
  hash: md5
  path: sample.csv
"""


def _of(root, kind):
    return [f for f in facts(root).facts if f.kind == kind]


def test_a_dvc_repository_tracking_data_is_versioned_data(tmp_path):
    write(
        tmp_path,
        {
            ".dvc/config": "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://b/p\n",
            "data/raw/deep/er/sample.csv.dvc": DVC_FILE,
            "train.py": "import pandas as pd\n",
        },
    )
    (repo,) = _of(tmp_path, "dvc.repo")
    assert repo.detail == {"remote": "storage"}
    (tracked,) = _of(tmp_path, "dvc.data")
    assert tracked.path == "data/raw/deep/er/sample.csv.dvc" and tracked.detail["outs"] == [
        "sample.csv"
    ]
    result = checks(tmp_path)["repro.data-versioned"]
    assert result.outcome is Outcome.PASS and result.dimension == "reproducibility"
    assert "1 .dvc file(s)" in result.message and "'storage'" in result.message
    assert ".dvc/config:1" in result.evidence


def test_dvc_api_reads_and_stages_count_too(tmp_path):
    write(
        tmp_path,
        {
            ".dvc/config": "",
            "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n",
            "src/ingest.py": "import dvc.api\n\nwith dvc.api.open('data/x.csv', rev='v1') as f:\n"
            "    f.read()\n",
        },
    )
    assert _of(tmp_path, "dvc.api") and _of(tmp_path, "dvc.stage")
    result = checks(tmp_path)["repro.data-versioned"]
    assert result.outcome is Outcome.PASS and "no default remote" in result.message


def test_no_dvc_is_advice_not_a_gate(tmp_path):
    write(tmp_path, {"train.py": "import pandas as pd\n", "data/raw/x.csv": "a\n1\n"})
    result = checks(tmp_path)["repro.data-versioned"]
    assert result.outcome is Outcome.FAIL and result.advice
    assert "make data" in result.upgrade or "dvc add" in result.upgrade


def test_dvc_files_without_a_repository_and_a_repository_without_data(tmp_path):
    write(tmp_path / "a", {"data/x.csv.dvc": DVC_FILE})
    assert ".dvc/config is missing" in checks(tmp_path / "a")["repro.data-versioned"].message
    write(tmp_path / "b", {".dvc/config": "[core]\n"})
    assert "`dvc add`" in checks(tmp_path / "b")["repro.data-versioned"].message


def test_odd_dvc_files_are_not_evidence_and_links_are_not_followed(tmp_path):
    outside = tmp_path / "outside.dvc"
    outside.write_text(DVC_FILE)
    write(tmp_path / "r", {"notes.dvc": "just text, no outs\n", "bad.dvc": "outs: [\n"})
    os.symlink(outside, tmp_path / "r" / "linked.dvc")
    os.symlink(tmp_path, tmp_path / "r" / "loop")
    assert _of(tmp_path / "r", "dvc.data") == []
