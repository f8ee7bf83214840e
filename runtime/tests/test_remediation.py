"""The remediation receiver: Alertmanager payloads in, policy actions out, once per alert."""

from __future__ import annotations

import json
import threading
import urllib.request

import pytest
from mlops_runtime.remediation.actions import do_retrain
from mlops_runtime.remediation.policy import Policy, load_policy
from mlops_runtime.remediation.receiver import Remediator, make_server

TOKEN = "a-token-long-enough-for-the-receiver"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def payload(*alerts: tuple[str, str], status: str = "firing") -> dict:
    """An Alertmanager webhook body (version 4) with (alertname, fingerprint) alerts."""
    return {
        "version": "4",
        "status": status,
        "receiver": "remediation",
        "groupKey": '{}:{alertname="x"}',
        "alerts": [
            {
                "status": status,
                "labels": {"alertname": name, "project": "p", "severity": "warning"},
                "annotations": {"summary": f"{name} happened"},
                "startsAt": "2026-12-02T04:00:00Z",
                "fingerprint": fingerprint,
            }
            for name, fingerprint in alerts
        ],
    }


@pytest.fixture
def calls():
    return []


@pytest.fixture
def remediator(tmp_path, calls):
    def record(action):
        return lambda name, reasons, actor: (
            calls.append((action, name, reasons)) or {"status": "succeeded"}
        )

    policy = Policy(actions={"MLDataDrift": "retrain", "MLServingErrorRateHigh": "rollback",
                             "Noise": "ignore"}, default="page")  # fmt: skip
    handlers = {a: record(a) for a in ("retrain", "rollback", "page")}
    made = Remediator(policy=policy, state_dir=tmp_path / "state", handlers=handlers)
    yield made
    made.close()


def test_each_alert_gets_its_policy_action(remediator, calls):
    planned = remediator.handle(
        payload(
            ("MLDataDrift", "a1"),
            ("MLServingErrorRateHigh", "b1"),
            ("Other", "c1"),
            ("Noise", "d1"),
        )
    )
    remediator.wait()
    assert [p["action"] for p in planned] == ["retrain", "rollback", "page", "ignore"]
    assert sorted(c[0] for c in calls) == ["page", "retrain", "rollback"]
    retrain = next(c for c in calls if c[0] == "retrain")
    assert retrain[2][0] == "MLDataDrift happened" and "project=p" in retrain[2]


def test_a_repeated_notification_acts_once_also_after_a_restart(remediator, calls, tmp_path):
    remediator.handle(payload(("MLDataDrift", "a1")))
    again = remediator.handle(payload(("MLDataDrift", "a1")))
    assert again[0]["result"].startswith("duplicate")
    restarted = Remediator(remediator.policy, tmp_path / "state", remediator.handlers)
    assert restarted.handle(payload(("MLDataDrift", "a1")))[0]["result"].startswith("duplicate")
    remediator.wait()
    assert len(calls) == 1
    # A new firing of the same alert (another fingerprint or start) is a new incident.
    remediator.handle(payload(("MLDataDrift", "a2")))
    remediator.wait()
    assert len(calls) == 2
    restarted.close()


def test_dry_run_and_resolved_do_nothing(tmp_path, remediator, calls):
    resolved = remediator.handle(payload(("MLDataDrift", "r1"), status="resolved"))
    assert resolved[0]["result"].startswith("resolved")
    dry = Remediator(remediator.policy, tmp_path / "dry", remediator.handlers, dry_run=True)
    assert dry.handle(payload(("MLDataDrift", "z1")))[0]["result"] == "dry run: would retrain"
    dry.close()
    remediator.wait()
    assert calls == []


def test_http_receiver_accepts_webhooks_and_serves_metrics(remediator, calls):
    server = make_server(remediator, "127.0.0.1", 0, {"alertmanager": TOKEN})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        body = json.dumps(payload(("MLDataDrift", "h1"))).encode()
        headers = {"Content-Type": "application/json", **AUTH}
        request = urllib.request.Request(f"{base}/alerts", data=body, method="POST",
                                         headers=headers)  # fmt: skip
        with urllib.request.urlopen(request) as response:
            assert response.status == 200
            assert json.loads(response.read())["planned"][0]["action"] == "retrain"
        bad = urllib.request.Request(f"{base}/alerts", data=b"{}", method="POST", headers=AUTH)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(bad)
        assert refused.value.code == 400
        remediator.wait()
        listing = urllib.request.Request(f"{base}/actions", headers=AUTH)
        with urllib.request.urlopen(listing) as response:
            actions = json.loads(response.read())
        assert actions[0]["outcome"] == {"status": "succeeded"}
        with urllib.request.urlopen(f"{base}/metrics") as response:
            text = response.read().decode()
        assert 'mlops_remediation_actions_total{action="retrain",outcome="succeeded"' in text
    finally:
        server.shutdown()
        server.server_close()


def test_the_project_policy_loads(fake_project):
    policy = load_policy(fake_project)
    assert policy.action_for("MLDataDrift") == "retrain"
    assert policy.action_for("Anything") == "page"


def test_a_local_retrain_runs_the_projects_monitoring_in_another_process(fake_project, tmp_path):
    """Issue 19: the receiver does not train in its own process."""
    outcome = do_retrain(fake_project, "MLDataDrift", ["drift in x"])
    assert outcome["status"] == "succeeded" and outcome["trigger"] == "alert:MLDataDrift"
    (call,) = [json.loads(line) for line in (tmp_path / "retrains.jsonl").read_text().splitlines()]
    assert call == ["retrain", "--trigger", "alert:MLDataDrift", "--reason", "drift in x"]


def test_an_unknown_action_is_refused(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("alerts:\n  MLDataDrift: reboot\n")
    with pytest.raises(ValueError, match="unknown actions"):
        load_policy(path)
