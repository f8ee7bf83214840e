"""The load test against the SLO (`mlops_runtime.loadtest`, what `make load-test` and CD run):
a healthy server passes, one slowed past the SLO fails naming the objective, the report says
the same, and a wrong SLO file or an absent server is one line."""

from __future__ import annotations

import json
import os
import re
import sys
import textwrap
import threading
import time

import pytest
import uvicorn
from mlops_runtime.loadtest import LoadPlan, SLOError, judge, parse_slo, run_load
from mlops_runtime.loadtest import main as loadtest
from mlops_runtime.loadtest.runner import percentile
from mlops_runtime.serving.app import ServingOptions, create_app
from test_serving_app import FEATURES

DELAY = {"seconds": 0.0}  # how long the server's scoring takes; a test slows it down


COLD = threading.Lock()


def slow_scorer(model, frame):
    with COLD:  # "first": a cold start, once, that every concurrent call waits for
        time.sleep(DELAY.pop("first", 0.0))
    time.sleep(DELAY["seconds"])
    probabilities = [float(p) for p in model.predict_proba(frame)[:, 1]]
    return probabilities, [int(p >= 0.5) for p in probabilities]


def no_ranges(loaded):
    """No training ranges: the fake project has no MLflow run to read them from."""
    return None


@pytest.fixture
def server(serving_project):
    """The runtime's serving app on the fake project under uvicorn on a free loopback port."""
    DELAY["seconds"] = 0.0
    app = create_app(
        serving_project,
        FEATURES,
        slow_scorer,
        options=ServingOptions(reload_seconds=0),
        ranges_loader=no_ranges,
    )
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)


SLO_YAML = """\
objectives:
  p95_ms: 1000  # generous: a busy 2-core CI machine stalls an in-process server ~0.5 s
  p99_ms: 5000
  error_rate: 0.01
  rps: 15
load:
  duration_seconds: 30   # the tests pass --duration
  concurrency: 8
  timeout_seconds: 5
"""


@pytest.fixture
def slo_file(tmp_path):
    path = tmp_path / "config" / "slo.yaml"
    path.parent.mkdir()
    path.write_text(SLO_YAML)
    return path


def run(url, slo_file, tmp_path, *extra):
    args = ["--url", url, "--config", str(slo_file), "--report-dir", str(tmp_path / "report")]
    return loadtest([*args, "--duration", "1.5", "--wait", "5", *extra])


def test_a_healthy_server_meets_the_slo(server, slo_file, tmp_path, capsys):
    assert run(server, slo_file, tmp_path) == 0
    out = capsys.readouterr().out
    assert "ok   p95_ms" in out and "ok   rps" in out and "SLO met; report:" in out
    report = json.loads((tmp_path / "report" / "load_test.json").read_text())
    assert report["passed"] is True
    assert report["requests"] == round(15 * 1.1 * 1.5)  # 10% above the objective, 1.5 s
    assert report["errors"] == 0 and report["error_rate"] == 0
    assert report["achieved_rps"] >= 15
    assert (
        0
        < report["latency_ms"]["p50"]
        <= report["latency_ms"]["p95"]
        <= report["latency_ms"]["p99"]
    )
    assert [o["name"] for o in report["objectives"]] == ["p95_ms", "p99_ms", "error_rate", "rps"]
    assert all(o["passed"] for o in report["objectives"])
    markdown = (tmp_path / "report" / "load_test.md").read_text()
    assert (
        "**Passed**: 4 of 4 objectives met" in markdown
        and "| p99 latency | <= 5000.0 ms |" in markdown
    )


def test_a_server_slowed_past_the_slo_fails_naming_the_objective(
    server, slo_file, tmp_path, capsys
):
    DELAY["seconds"] = 1.2  # every answer takes 1.2 s: past p95 1 s, within p99 5 s
    assert run(server, slo_file, tmp_path) == 1
    captured = capsys.readouterr()
    assert "FAIL p95_ms" in captured.out and "ok   error_rate" in captured.out
    [error] = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert error.startswith("error: the SLO was missed: p95_ms ") and "> 1000.0 ms" in error
    assert str(tmp_path / "report" / "load_test.md") in error
    report = json.loads((tmp_path / "report" / "load_test.json").read_text())
    verdicts = {o["name"]: o for o in report["objectives"]}
    assert report["passed"] is False and verdicts["p95_ms"]["passed"] is False
    assert verdicts["p95_ms"]["measured"] >= 1200
    assert verdicts["error_rate"]["passed"] is True
    assert "| p95 latency | <= 1000.0 ms |" in (tmp_path / "report" / "load_test.md").read_text()
    assert "**FAIL**" in (tmp_path / "report" / "load_test.md").read_text()


def test_a_cold_start_is_not_counted(server):
    DELAY["first"] = 2.5  # the first call loads something, once; later ones are quick
    plan = LoadPlan(duration_seconds=1.0, rps=10, concurrency=4, timeout_seconds=5)
    measurement = run_load(server, plan)
    assert (measurement.requests, measurement.errors) == (10, 0)
    # Counted, the cold start would make a request wait 2.5 s at least; the bound leaves a busy
    # machine's stalls room without letting the cold start in.
    assert measurement.latency_ms["max"] < 2500


def test_timeouts_are_errors_and_fail_the_error_rate(server, tmp_path, capsys):
    DELAY["seconds"] = 0.6
    plan = LoadPlan(duration_seconds=1.0, rps=8, concurrency=4, timeout_seconds=0.3)
    measurement = run_load(server, plan)
    assert measurement.errors == measurement.requests == 8
    assert measurement.errors_by_kind == {"timeout": 8}
    assert measurement.latency_ms["p99"] is None
    verdicts = {v.name: v for v in judge(parse_slo({}).objectives, measurement.as_objectives())}
    assert not verdicts["error_rate"].passed and not verdicts["p99_ms"].passed  # not measured
    assert not verdicts["rps"].passed


def test_the_app_is_started_here_when_no_url_is_given(
    serving_project, tmp_path, slo_file, monkeypatch, capsys
):
    (tmp_path / "slo_app.py").write_text(
        textwrap.dedent("""
        from mlops_runtime import Project
        from mlops_runtime.contract import ColumnSpec
        from mlops_runtime.serving.app import ServingOptions, create_app

        def scorer(model, frame):
            p = [float(x) for x in model.predict_proba(frame)[:, 1]]
            return p, [int(x >= 0.5) for x in p]

        FEATURES = [ColumnSpec("x", "number", minimum=0, maximum=10)]
        app = create_app(Project(name="fake", package="fakeserve"), FEATURES, scorer,
                         options=ServingOptions(reload_seconds=0), ranges_loader=lambda _: None)
    """)
    )
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), *sys.path]))
    args = ["--app", "slo_app:app", "--config", str(slo_file), "--duration", "1", "--wait", "60"]
    assert loadtest([*args, "--report-dir", str(tmp_path / "report")]) == 0
    report = json.loads((tmp_path / "report" / "load_test.json").read_text())
    assert report["passed"] and report["url"].endswith("(slo_app:app, started here)")
    # a module that is not there: the app never becomes ready, one line names its log
    assert loadtest(["--app", "no_such_module:app", "--config", str(slo_file), "--wait", "30",
                     "--report-dir", str(tmp_path / "report2")]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert re.search(
        r"error: the app no_such_module:app exited with code \d+ before it was ready", err
    )
    assert str(tmp_path / "report2" / "server.log") in err


def test_nothing_listening_is_one_line(slo_file, tmp_path, capsys, closed_port):
    url = f"http://127.0.0.1:{closed_port}"
    assert loadtest(["--url", url, "--config", str(slo_file), "--wait", "0"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        f"error: {url}/ready answers nothing after 0 s; "
        "start it (make serve), or run make load-test without LOAD_TEST_URL"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "objectives: {p95: 100}\n",
            "unknown key objectives.p95; known: error_rate, p95_ms, p99_ms, rps",
        ),
        ("objectives: {error_rate: 2}\n", "error_rate must be between 0 and 1, not 2"),
        ("objectives: {p99_ms: fast}\n", "p99_ms must be a number, not 'fast'"),
        ("load: {concurrency: 2.5}\n", "load.concurrency must be a whole number, not 2.5"),
        ("slo: {}\n", "unknown section 'slo'; the sections are objectives, load"),
        ("objectives: [1\n", "is not valid YAML (line 2)"),
    ],
)
def test_a_wrong_slo_file_is_one_line(text, message, tmp_path, capsys):
    path = tmp_path / "slo.yaml"
    path.write_text(text)
    assert loadtest(["--url", "http://127.0.0.1:9", "--config", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: ") and err[-1].endswith(message), err
    assert not (tmp_path / "build").exists()


def test_the_slo_file_defaults_and_overrides(tmp_path, monkeypatch, capsys):
    slo = parse_slo({"objectives": {"rps": 50, "p95_ms": None}})
    assert slo.objectives.p95_ms is None and slo.load.rps == pytest.approx(55)  # 10% headroom
    assert parse_slo({"objectives": {"rps": 50}, "load": {"rps": 200}}).load.rps == 200
    with pytest.raises(SLOError, match="no_such.yaml does not exist"):
        from mlops_runtime.loadtest import load_slo

        load_slo(tmp_path / "no_such.yaml")
    # $SLO_CONFIG names the file, relative to the project folder
    monkeypatch.setenv("MLOPS_PROJECT_ROOT", str(tmp_path))
    monkeypatch.setenv("SLO_CONFIG", "ops/slo.yaml")
    assert loadtest(["--url", "http://127.0.0.1:9"]) == 1
    assert f"{tmp_path / 'ops' / 'slo.yaml'} does not exist" in capsys.readouterr().err
    assert loadtest(["--url", "http://127.0.0.1:9", "--config", "x", "--duration", "0"]) == 1
    assert "--duration must be a positive number of seconds" in capsys.readouterr().err


def test_percentiles_are_nearest_rank():
    values = [i / 1000 for i in range(1, 101)]  # 1..100 ms
    assert [percentile(values, q) for q in (50, 95, 99, 100)] == [0.05, 0.095, 0.099, 0.1]
    assert percentile([0.2], 99) == 0.2 and percentile([], 50) is None


def test_cd_load_tests_a_url_through_the_deploy_script(server, tmp_path, monkeypatch, capsys):
    from mlops_runtime.cd import deploy

    slo = tmp_path / "slo.yaml"
    slo.write_text(SLO_YAML.replace("duration_seconds: 30", "duration_seconds: 1"))
    monkeypatch.setenv("SLO_CONFIG", str(slo))
    target = deploy.Target(app="demo-serving", namespaces={"staging": "demo-staging"},
                           overlays=tmp_path)  # fmt: skip
    args = [
        "load-test",
        "--overlay",
        "staging",
        "--url",
        server,
        "--report-dir",
        str(tmp_path / "r"),
    ]
    assert deploy.main(target, args) == 0
    assert json.loads((tmp_path / "r" / "load_test.json").read_text())["requests"] == 16
    DELAY["seconds"] = 1.2  # past p95 1 s
    assert deploy.main(target, args) == 1
    assert "error: the SLO was missed: p95_ms" in capsys.readouterr().err


def test_write_report_writes_the_json_and_the_markdown(tmp_path):
    from mlops_runtime.loadtest import write_report
    from mlops_runtime.loadtest.runner import Measurement

    measurement = Measurement(
        url="http://127.0.0.1:1", plan=LoadPlan(duration_seconds=2.0, rps=10), requests=20,
        errors=2, errors_by_kind={"http 500": 2}, elapsed_seconds=2.0,
        latency_ms={"p50": 10.0, "p95": 300.0, "p99": 400.0, "max": 410.0, "mean": 50.0},
        service_ms={"p50": 9.0, "p95": 290.0, "p99": 390.0, "max": 400.0, "mean": 45.0},
    )  # fmt: skip
    verdicts = judge(parse_slo({"objectives": {"p95_ms": 250}}).objectives,
                     measurement.as_objectives())  # fmt: skip
    json_path, md_path = write_report(tmp_path / "new" / "dir", measurement, verdicts)
    assert (json_path.name, md_path.name) == ("load_test.json", "load_test.md")
    data = json.loads(json_path.read_text())
    assert data["errors_by_kind"] == {"http 500": 2}
    assert not data["passed"] and data["error_rate"] == 0.1
    by_name = {o["name"]: o for o in data["objectives"]}
    assert by_name["p95_ms"]["measured"] == 300.0 and not by_name["p95_ms"]["passed"]
    text = md_path.read_text()
    assert "**FAILED**: 1 of 4 objectives met" in text
    assert "| p95 latency | <= 250.0 ms | 300.0 ms | **FAIL** |" in text
    assert "requests: 20, failed: 2 (10.00%); http 500: 2" in text
