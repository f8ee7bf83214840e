"""The monitoring pipeline's recurring run on KFP (`mlops_runtime.kfp_schedule`, what
`scripts/kfp_recurring_run.py` runs), against a fake client (no server needed)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from mlops_runtime import kfp_schedule


class FakeClient:
    def __init__(self, experiments=(), host=None):
        self.experiments = {name: f"id-{name}" for name in experiments}
        self.created, self.host = [], host

    def get_experiment(self, experiment_name=None, **_):
        if experiment_name not in self.experiments:
            raise ValueError(f"no experiment {experiment_name}")
        return SimpleNamespace(experiment_id=self.experiments[experiment_name])

    def create_experiment(self, name, **_):
        self.experiments[name] = f"id-{name}"
        return SimpleNamespace(experiment_id=self.experiments[name])

    def create_recurring_run(self, **kwargs):
        self.created.append(kwargs)
        return SimpleNamespace(recurring_run_id="rr-1")


def test_creates_an_hourly_single_flight_recurring_run(tmp_path):
    client = FakeClient()
    run = kfp_schedule.schedule(client, tmp_path / "p.yaml", experiment="x-monitoring",
                                job_name="x-monitoring-hourly")  # fmt: skip
    assert run.recurring_run_id == "rr-1"
    (call,) = client.created
    assert (call["experiment_id"], call["job_name"]) == ("id-x-monitoring", "x-monitoring-hourly")
    assert call["cron_expression"] == "0 0 * * * *" and call["enabled"] is True
    assert call["max_concurrency"] == 1 and call["no_catchup"] is True
    assert call["params"] == {"config_path": "config/pipeline.yaml"}
    assert call["pipeline_package_path"] == str(tmp_path / "p.yaml")


def test_reuses_the_experiment_and_refuses_unix_cron(tmp_path):
    client = FakeClient(experiments=["x"])
    kfp_schedule.schedule(client, tmp_path / "p.yaml", experiment="x", job_name="j",
                          cron="0 30 2 * * *", enabled=False)  # fmt: skip
    assert client.created[0]["enabled"] is False and client.created[0]["experiment_id"] == "id-x"
    with pytest.raises(ValueError, match="6 fields"):
        kfp_schedule.schedule(client, tmp_path / "p.yaml", experiment="x", job_name="j",
                              cron="0 * * * *")  # fmt: skip


def test_the_command_compiles_schedules_and_refuses(monkeypatch, capsys):
    clients, compiled = [], []

    def factory(host):
        clients.append(FakeClient(host=host))
        return clients[-1]

    def compile_pipeline(path: Path) -> Path:
        compiled.append(path)
        return path

    names = {"experiment": "x", "job_name": "j", "client_factory": factory}
    monkeypatch.delenv("KFP_HOST", raising=False)
    assert kfp_schedule.main(compile_pipeline, argv=[], **names) == 1
    assert "KFP_HOST" in capsys.readouterr().err and not compiled
    assert kfp_schedule.main(compile_pipeline, argv=["--host", "http://kfp:8888"], **names) == 0
    assert clients[0].host == "http://kfp:8888" and compiled[0].name == "monitoring.yaml"
    assert "recurring run rr-1 created (0 0 * * * *)" in capsys.readouterr().out
    monkeypatch.setenv("KFP_HOST", "http://kfp:8888")
    assert kfp_schedule.main(compile_pipeline, argv=["--cron", "0 * * * *"], **names) == 1
    assert "error: KFP cron expressions have 6 fields" in capsys.readouterr().err
