"""The receiver at its network boundary (issue 20): authentication Alertmanager supports, schema
validation, body caps no header lifts, read timeouts, alert limits, at-least-once handling, rate
limits, and acting only on its own project and environment. Each case changes nothing."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from lease_clock import StepClock
from mlops_runtime.remediation import receiver as rx
from mlops_runtime.remediation.policy import Policy, load_policy
from mlops_runtime.remediation.receiver import (
    Remediator,
    TokenError,
    authenticate,
    load_tokens,
    make_server,
)

TOKEN = "s3cret-token-for-alertmanager"
ON_CALL = "another-token-for-on-call"


def alert(name="MLDataDrift", fingerprint="f1", project="p", environment="dev", **extra):
    labels = {"alertname": name, "project": project, "environment": environment}
    return {"status": "firing", "labels": labels, "annotations": {"summary": f"{name}!"},
            "startsAt": "2026-12-02T04:00:00Z", "fingerprint": fingerprint, **extra}  # fmt: skip


def payload(*alerts):
    return {"version": "4", "status": "firing", "receiver": "remediation", "alerts": list(alerts)}


@pytest.fixture
def calls():
    return []


def make_remediator(tmp_path, calls, outcome="succeeded", **policy):
    def record(action):
        def handler(name, reasons, actor):
            calls.append((action, name, actor))
            if outcome == "raise":
                raise RuntimeError("boom")
            return {"status": outcome}

        return handler

    made = Remediator(
        policy=Policy(
            actions={"MLDataDrift": "retrain", "MLServingErrorRateHigh": "rollback"}, **policy
        ),  # fmt: skip
        state_dir=tmp_path / "state",
        handlers={a: record(a) for a in ("retrain", "rollback", "page")},
        project="p",
        environment="dev",
    )
    return made


@pytest.fixture
def server(tmp_path, calls):
    remediator = make_remediator(tmp_path, calls)
    made = make_server(remediator, "127.0.0.1", 0, {"alertmanager": TOKEN, "on-call": ON_CALL})
    thread = threading.Thread(target=made.serve_forever, daemon=True)
    thread.start()
    made.remediator = remediator
    made.base = f"http://127.0.0.1:{made.server_address[1]}"
    yield made
    made.shutdown()
    made.server_close()
    remediator.close()


def post(base, body: bytes, token: str | None = TOKEN, headers=None):
    headers = {"Content-Type": "application/json", **(headers or {})}
    request = urllib.request.Request(f"{base}/alerts", data=body, method="POST", headers=headers)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def raw_request(port: int, data: bytes, wait: float = 15.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as conn:
        conn.sendall(data)
        chunks = []
        try:
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)


def test_unauthenticated_and_wrong_tokens_are_refused_and_change_nothing(server, calls):
    body = json.dumps(payload(alert("MLServingErrorRateHigh"))).encode()
    for token in (None, "wrong-token-of-enough-length", TOKEN + "x", TOKEN[:-1]):
        status, _ = post(server.base, body, token)
        assert status == 401
    status, _ = post(server.base, body, None, {"Authorization": f"Basic {TOKEN}"})
    assert status == 401
    server.remediator.wait()
    assert calls == [] and server.remediator.actions == []
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{server.base}/actions")
    assert refused.value.code == 401
    with urllib.request.urlopen(f"{server.base}/health") as response:
        assert response.status == 200


def test_an_authenticated_caller_acts_and_is_the_actor(server, calls):
    status, answer = post(server.base, json.dumps(payload(alert())).encode(), ON_CALL)
    assert status == 200 and answer["planned"][0]["result"] == "started"
    server.remediator.wait()
    assert calls == [("retrain", "MLDataDrift", "on-call")]
    request = urllib.request.Request(f"{server.base}/actions",
                                     headers={"Authorization": f"Bearer {TOKEN}"})  # fmt: skip
    with urllib.request.urlopen(request) as response:
        (done,) = json.loads(response.read())
    assert done["by"] == "on-call" and done["outcome"] == {"status": "succeeded"}


@pytest.mark.parametrize("body", [
    b"[1]", b"1", b"null", b"not json", b"\xff\xfe", b'{"alerts": [1]}', b'{"alerts": {}}',
    b'{"alerts": [{"labels": ["alertname", "x"]}]}',
    b'{"alerts": [{"labels": {"alertname": 1}}]}',
    b'{"alerts": [{"labels": {"alertname": "x"}, "annotations": "y"}]}',
    b'{"alerts": [{"labels": {"alertname": "x"}, "status": 5}]}',
    b'{"alerts": [{"labels": {"alertname": "x"}, "status": "exploded"}]}',
])  # fmt: skip
def test_malformed_payloads_get_400_and_change_nothing(server, calls, body):
    status, answer = post(server.base, body)
    assert status == 400, answer
    assert server.remediator.actions == [] and calls == []


def test_too_many_alerts_in_one_payload_are_refused(server, calls):
    many = payload(*[alert(fingerprint=f"f{i}") for i in range(rx.MAX_ALERTS + 1)])
    status, _ = post(server.base, json.dumps(many).encode())
    assert status == 413 and calls == [] and server.remediator.actions == []


def test_no_header_lifts_the_body_cap(server, calls):
    port = server.server_address[1]
    auth = f"Authorization: Bearer {TOKEN}\r\n".encode()
    head = b"POST /alerts HTTP/1.1\r\nHost: x\r\n" + auth
    assert b" 400 " in raw_request(port, head + b"Content-Length: -1\r\n\r\n" + b"{" * 100)[:20]
    assert b" 413 " in raw_request(port, head + b"Content-Length: 99999999\r\n\r\n{")[:20]
    chunked = head + b"Transfer-Encoding: chunked\r\n\r\n100000\r\n" + b"x" * 1000
    assert b" 411 " in raw_request(port, chunked)[:20]
    assert b" 411 " in raw_request(port, head + b"\r\n{}")[:20]
    assert calls == [] and server.remediator.actions == []


@pytest.fixture
def quick_reads(monkeypatch):
    """A 1 s read timeout instead of 10 s, for the servers made after it (the handler reads
    READ_TIMEOUT when `make_server` builds it): the same refusal, 9 s less of idle waiting."""
    monkeypatch.setattr(rx, "READ_TIMEOUT", 1.0)


def test_a_body_that_never_ends_times_out_and_frees_the_thread(quick_reads, server, calls):
    port = server.server_address[1]
    head = (f"POST /alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
            "Content-Length: 1000\r\n\r\n{").encode()  # fmt: skip
    started = time.monotonic()
    answer = raw_request(port, head, wait=rx.READ_TIMEOUT + 10)
    assert b" 408 " in answer[:20] or answer == b""
    assert time.monotonic() - started < rx.READ_TIMEOUT + 8
    assert calls == []


def test_only_alerts_of_its_own_project_and_environment_are_acted_on(tmp_path, calls):
    remediator = make_remediator(tmp_path, calls)
    planned = remediator.handle(payload(
        alert("MLServingErrorRateHigh", "a", project="other"),
        alert("MLServingErrorRateHigh", "b", environment="staging"),
        alert("MLServingErrorRateHigh", "c", environment=""),
    ))  # fmt: skip
    remediator.wait()
    assert calls == [] and all(p["result"].startswith("not ours") for p in planned)
    remediator.close()


def test_a_failed_action_is_retried_on_the_next_notification(tmp_path, calls):
    """At least once: the key is done only after the action succeeded."""
    failing = make_remediator(tmp_path, calls, outcome="failed")
    failing.handle(payload(alert()))
    failing.wait()
    failing.close()
    working = make_remediator(tmp_path, calls)
    assert working.handle(payload(alert()))[0]["result"] == "started"
    working.wait()
    assert working.handle(payload(alert()))[0]["result"].startswith("duplicate")
    working.wait()
    assert len(calls) == 2
    raising = make_remediator(tmp_path, calls, outcome="raise")
    raising.handle(payload(alert(fingerprint="other")))
    raising.wait()
    assert raising.handle(payload(alert(fingerprint="other")))[0]["result"] == "started"
    raising.close()
    working.close()


def test_a_crash_between_claim_and_action_still_ends_with_the_action_done_once(tmp_path, calls):
    """The receiver leased the key and died before acting: once the lease expires, the repeat
    notification acts, and later repeats are duplicates."""
    clock = StepClock()  # the lease lapses when the test says, not when the machine is slow
    first = make_remediator(tmp_path, calls, action_lease_minutes=0.01)  # 0.6 s
    first.keys.store.clock = clock
    key = rx.idempotency_key(alert())
    assert first.keys.begin(key, "retrain", 0.6) == "new"  # ... and the process dies here
    first._pool.shutdown()
    restarted = make_remediator(tmp_path, calls, action_lease_minutes=0.01)
    restarted.keys.store.clock = clock
    assert restarted.handle(payload(alert()))[0]["result"] == "duplicate: in progress"
    clock.now += 0.8  # past the dead receiver's lease
    assert restarted.handle(payload(alert()))[0]["result"] == "started"
    restarted.wait()
    for _ in range(3):
        assert restarted.handle(payload(alert()))[0]["result"].startswith("duplicate")
    restarted.wait()
    assert calls == [("retrain", "MLDataDrift", "anonymous")]
    restarted.close()


def test_destructive_actions_are_rate_limited(tmp_path, calls):
    remediator = make_remediator(tmp_path, calls, rate_limits={"rollback": 1})
    first = remediator.handle(payload(alert("MLServingErrorRateHigh", "r1")))
    remediator.wait()
    second = remediator.handle(payload(alert("MLServingErrorRateHigh", "r2")))
    remediator.wait()
    assert first[0]["result"] == "started" and second[0]["result"].startswith("rate limited")
    assert [c[0] for c in calls] == ["rollback"]
    remediator.close()


def test_tokens_are_read_from_a_file_and_compared_whole(tmp_path):
    path = tmp_path / "tokens"
    path.write_text(f"# callers\nalertmanager:{TOKEN}\non-call:{ON_CALL}\n")
    tokens = load_tokens(path)
    assert authenticate(f"Bearer {TOKEN}", tokens) == "alertmanager"
    assert authenticate(f"bearer {ON_CALL}", tokens) == "on-call"
    assert authenticate(f"Bearer {TOKEN[:-1]}", tokens) is None
    assert authenticate(None, tokens) is None and authenticate("Bearer ", tokens) is None
    path.write_text(TOKEN + "\n")
    assert load_tokens(path) == {"alertmanager": TOKEN}
    path.write_text("short\n")
    with pytest.raises(TokenError, match="16 characters"):
        load_tokens(path)
    with pytest.raises(TokenError, match="cannot read"):
        load_tokens(tmp_path / "missing")
    assert rx.init_token(tmp_path / "new" / "token") and len(
        load_tokens(tmp_path / "new" / "token")["alertmanager"]) >= 32  # fmt: skip
    assert (tmp_path / "new" / "token").stat().st_mode & 0o077 == 0


def test_the_receiver_refuses_to_start_without_tokens(fake_project, capsys):
    from mlops_runtime.remediation import cli

    assert cli.main(fake_project, ["--port", "0"]) == 1
    assert "token file" in capsys.readouterr().err


def test_the_policy_reads_rate_limits_leases_and_the_retrain_route(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("alerts: {MLDataDrift: retrain}\nrate_limits: {rollback: 2}\n"
                    "retrain: {via: airflow, airflow_dag: p_training}\n")  # fmt: skip
    policy = load_policy(path)
    assert policy.rate_limits == {"rollback": 2} and policy.retrain.airflow_dag == "p_training"
    path.write_text("retrain: {via: carrier-pigeon}\n")
    with pytest.raises(ValueError, match="retrain.via"):
        load_policy(path)


def test_a_retrain_via_airflow_asks_the_rest_api_with_a_bearer_token(tmp_path, monkeypatch,
                                                                     fake_project):  # fmt: skip
    """Issue 19: the receiver asks the orchestrator; it does not train in its own process."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from mlops_runtime.remediation.actions import do_retrain
    from mlops_runtime.remediation.policy import RetrainRoute

    seen = []

    class Airflow(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append((self.path, self.headers.get("Authorization"), body))
            answer = ({"access_token": "jwt-1"} if self.path == "/auth/token"
                      else {"dag_run_id": "manual__1"})  # fmt: skip
            data = json.dumps(answer).encode()
            self.send_response(200 if self.path == "/auth/token" else 201)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    api = ThreadingHTTPServer(("127.0.0.1", 0), Airflow)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    password = tmp_path / "airflow-password"
    password.write_text("pw\n")
    monkeypatch.setenv("AIRFLOW_API_URL", f"http://127.0.0.1:{api.server_address[1]}")
    monkeypatch.setenv("AIRFLOW_USERNAME", "receiver")
    monkeypatch.setenv("AIRFLOW_PASSWORD_FILE", str(password))
    try:
        outcome = do_retrain(fake_project, "MLDataDrift", ["drift in x"],
                             RetrainRoute(via="airflow", airflow_dag="p_training"))  # fmt: skip
    finally:
        api.shutdown()
        api.server_close()
    assert outcome["status"] == "requested" and "manual__1" in outcome["detail"]
    (auth, run) = seen
    assert auth[0] == "/auth/token" and auth[2] == {"username": "receiver", "password": "pw"}
    assert run[0] == "/api/v2/dags/p_training/dagRuns" and run[1] == "Bearer jwt-1"
    assert run[2]["conf"]["trigger"] == "alert" and run[2]["conf"]["reasons"] == ["drift in x"]
    assert not (tmp_path / "retrains.jsonl").exists()  # nothing trained locally


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not JSON"),
        (b'{"alerts": {}}', "no 'alerts' list"),
        (json.dumps({"alerts": [1]}).encode(), "alerts[0]: expected an object"),
        (json.dumps({"alerts": [{"labels": {"a": 1}}]}).encode(), "alerts[0].labels"),
        (json.dumps({"alerts": [{"status": "pending"}]}).encode(), "firing or resolved"),
    ],
)
def test_parse_payload_names_what_is_wrong(body, message):
    with pytest.raises(rx.PayloadError, match=re.escape(message)):
        rx.parse_payload(body)


def test_parse_payload_returns_the_checked_alerts():
    alerts = rx.parse_payload(json.dumps(payload(alert(), alert("MLDecay", "f2"))).encode())
    assert [a["labels"]["alertname"] for a in alerts] == ["MLDataDrift", "MLDecay"]
    assert alerts[0]["fingerprint"] == "f1"
    assert rx.parse_payload(b'{"alerts": [{}]}') == [{"labels": {}, "annotations": {}}]


def test_token_file_is_the_projects_secret_unless_the_variable_says_otherwise(
    fake_project, monkeypatch
):
    monkeypatch.delenv("REMEDIATION_TOKEN_FILE", raising=False)
    assert rx.token_file(fake_project) == fake_project.root / "secrets" / "remediation-token"
    monkeypatch.setenv("REMEDIATION_TOKEN_FILE", "/run/secrets/token")
    assert rx.token_file(fake_project) == Path("/run/secrets/token")


def test_the_default_remediator_pages_for_its_own_project_and_do_page_logs_it(fake_project):
    from mlops_runtime.remediation.actions import do_page

    remediator = rx.default_remediator(fake_project)
    try:
        assert remediator.project == "fake" and remediator.environment == "dev"
        planned = remediator.handle(payload(
            alert("MLSomethingOdd", "f1", project="fake"),  # not in the policy: default page
            alert("MLSomethingOdd", "f2", project="someone-else"),
        ))  # fmt: skip
        remediator.wait()
        assert planned[0]["action"] == "page" and planned[1]["result"].startswith("not ours")
        pages = fake_project.root / "artifacts" / "monitoring" / "state" / "pages.jsonl"
        assert pages.is_file(), sorted(p for p in fake_project.root.rglob("*"))
        assert [json.loads(line)["alert"] for line in pages.read_text().splitlines()] == [
            "MLSomethingOdd"]  # fmt: skip
    finally:
        remediator.close()
    log = fake_project.root / "pages.jsonl"
    outcome = do_page("MLDecay", ["recall 0.4 < 0.6"], None, log)
    assert outcome["status"] == "succeeded" and "no PAGER_WEBHOOK_URL" in outcome["detail"]
    assert json.loads(log.read_text())["reasons"] == ["recall 0.4 < 0.6"]
