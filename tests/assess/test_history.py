import datetime as dt
import json

import pytest

from scaffolder.assess.history import append_history
from scaffolder.assess.models import AssessError
from scaffolder.assess.run import assess_repo
from tests.assess.repos import level0_repo, write


def test_history_appends_and_compares_with_the_last_run(tmp_path):
    repo = level0_repo(tmp_path / "repo")
    history = tmp_path / "h" / "history.jsonl"
    assert (
        append_history(history, assess_repo(repo), dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
        is None
    )
    write(
        repo,
        {
            "monitoring/alerts.yml": "groups:\n  - name: g\n    rules:\n      - "
            "{alert: A, expr: up == 0}\n",
            "grafana/dashboard.json": '{"panels": []}',
            "src/demo/metrics.py": "from prometheus_client import Gauge\nG = Gauge('g', 'g')\n",
        },
    )
    note = append_history(history, assess_repo(repo))
    entries = [json.loads(x) for x in history.read_text().splitlines()]
    assert len(entries) == 2 and entries[0]["time"].startswith("2026-01-01")
    assert entries[1]["dimensions"]["monitoring"] == 1
    assert (
        note.startswith("Since 2026-01-01")
        and "monitoring 0→1" in note
        and "+3 checks passed" in note
    )


def test_damaged_history_is_a_clear_error(tmp_path):
    history = tmp_path / "history.jsonl"
    history.write_text("{not json\n")
    with pytest.raises(AssessError, match="damaged last line"):
        append_history(history, assess_repo(level0_repo(tmp_path / "r")))
