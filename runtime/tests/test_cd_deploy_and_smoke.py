"""CD's deploy and smoke test (`mlops_runtime.cd.deploy`, `.smoke`, what `scripts/deploy.py` and
`scripts/smoke_test.py` run): the smoke test against a live server, the kustomization that sets
the image and model version, and a render with the real kubectl."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import uvicorn
import yaml
from mlops_runtime.cd import deploy, smoke
from mlops_runtime.serving.app import ServingOptions, create_app
from test_serving_app import FEATURES, scorer


@pytest.fixture
def live_server(serving_project):
    """The runtime's serving app on the fake project, under uvicorn on a free loopback port."""
    # no training ranges to judge rows by: the fake registry has no MLflow runs
    app = create_app(serving_project, FEATURES, scorer, options=ServingOptions(reload_seconds=0),
                     ranges_loader=lambda loaded: None)  # fmt: skip
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_the_smoke_test_passes_against_a_live_server(live_server, tmp_path, capsys):
    version_file = tmp_path / "model_version.txt"
    args = ["--base-url", live_server, "--wait", "10", "--version-file", str(version_file)]
    assert smoke.main([*args, "--expect-version", "1"], labels=(0, 1)) == 0
    assert version_file.read_text() == "1\n"
    out = capsys.readouterr().out
    assert "ok   labels in [0, 1]" in out and out.rstrip().endswith("all checks passed, model 1")
    # the wrong version served, or labels the model may not give: failures, named
    assert smoke.main([*args, "--expect-version", "2"], labels=("yes", "no")) == 1
    out = capsys.readouterr().out
    assert "FAIL serves model version 2: 1" in out and "FAIL labels in ['no', 'yes']" in out
    assert "2 check(s) failed" in out


def test_free_port_names_a_loopback_port_a_server_can_bind():
    port = deploy.free_port()
    assert 1024 <= port <= 65535
    with socket.socket() as sock:  # free when asked; here taken at once, as a server would
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()


def test_the_smoke_test_fails_when_nothing_listens(capsys, closed_port):
    assert smoke.main(["--base-url", f"http://127.0.0.1:{closed_port}", "--wait", "0"]) == 1
    assert "FAIL GET /health answers 200" in capsys.readouterr().out


def target(tmp_path: Path, rollout: bool = False) -> deploy.Target:
    return deploy.Target(
        app="demo-serving",
        namespaces={"staging": "demo-staging", "production": "demo-production"},
        overlays=tmp_path / "k8s" / "overlays",
        rollout=rollout,
    )


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("ghcr.io/org/serving:abc123", {"newName": "ghcr.io/org/serving", "newTag": "abc123"}),
        ("localhost:5000/serving:1", {"newName": "localhost:5000/serving", "newTag": "1"}),
        ("localhost:5000/serving", {"newName": "localhost:5000/serving"}),
        ("registry.example.com/serving@sha256:0123", {"digest": "sha256:0123"}),
    ],
)
def test_the_kustomization_sets_the_image_and_the_model_version(image, expected, tmp_path):
    folder = tmp_path / "work"
    written = yaml.safe_load(deploy.kustomization(target(tmp_path), "staging", image, folder, "12"))
    assert written["resources"] == ["../k8s/overlays/staging"]
    (images,) = written["images"]
    assert images["name"] == "demo-serving"
    assert expected.items() <= images.items()
    assert written["configMapGenerator"][0]["literals"] == ["SERVING_MODEL_VERSION=12"]
    # a numeric tag stays a string
    number = yaml.safe_load(deploy.kustomization(target(tmp_path), "staging", "r/s:1e5", folder))
    assert number["images"][0]["newTag"] == "1e5"


def test_seconds_reads_kubectl_durations():
    assert [deploy.seconds(t) for t in ("90s", "5m", "1h", "30")] == [90, 300, 3600, 30]


OVERLAY = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: demo-staging
resources: [deployment.yaml]
configMapGenerator:
  - name: demo-serving-config
    literals: [MLOPS_ENV=staging]
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: demo-serving}
spec:
  selector: {matchLabels: {app: demo}}
  template:
    metadata: {labels: {app: demo}}
    spec:
      containers:
        - name: serving
          image: demo-serving
          envFrom: [{configMapRef: {name: demo-serving-config}}]
"""


def test_render_runs_kubectl_kustomize(tmp_path, monkeypatch, capsys):
    if shutil.which("kubectl") is None:
        pytest.fail("kubectl is not installed; install it (apt-get install kubectl)")
    overlay = tmp_path / "k8s" / "overlays" / "staging"
    overlay.mkdir(parents=True)
    (overlay / "kustomization.yaml").write_text(OVERLAY)
    (overlay / "deployment.yaml").write_text(DEPLOYMENT)
    args = ["render", "--overlay", "staging", "--image", "r.example.com/app:7"]
    assert deploy.main(target(tmp_path), [*args, "--model-version", "7"]) == 0
    by_kind = {doc["kind"]: doc for doc in yaml.safe_load_all(capsys.readouterr().out)}
    container = by_kind["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "r.example.com/app:7"
    assert by_kind["ConfigMap"]["data"] == {"MLOPS_ENV": "staging", "SERVING_MODEL_VERSION": "7"}
    assert by_kind["ConfigMap"]["metadata"]["name"] in str(container["envFrom"])
    # kubectl's failure is one line naming the call
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    assert deploy.main(target(tmp_path), args) == 1
    assert capsys.readouterr().err.startswith("error: kubectl is not on PATH")


def test_deploy_and_smoke_need_only_the_standard_library():
    """CD's deploy jobs install the runtime with `--no-deps`: nothing else may be imported."""
    code = (
        "import sys\nbefore = set(sys.modules)\n"
        "import mlops_runtime.cd.deploy, mlops_runtime.cd.smoke\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "print(sorted(new - set(sys.stdlib_module_names)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['mlops_runtime']"


def test_run_checks_returns_the_failures_and_the_version_served(live_server, capsys):
    assert smoke.run_checks(live_server, 10, expect_version="1", labels=(0, 1)) == ([], "1")
    failures, version = smoke.run_checks(live_server, 10, expect_version="2")
    assert (failures, version) == (["serves model version 2"], "1")
    assert "FAIL serves model version 2: 1" in capsys.readouterr().out


FAKE_KUBECTL = """\
#!{python}
import json, os, sys, time
with open(os.environ["KUBECTL_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
if "get" in sys.argv:
    phase = os.environ["FAKE_ROLLOUT_PHASE"]
    print(json.dumps({{"metadata": {{"generation": 2}},
                      "status": {{"observedGeneration": "2", "phase": phase,
                                 "message": "analysis failed"}}}}))
if "port-forward" in sys.argv:
    time.sleep(60)
"""


@pytest.fixture
def fake_kubectl(tmp_path, monkeypatch):
    """A kubectl on PATH that logs its arguments (one JSON list a line) and answers a rollout's
    phase from FAKE_ROLLOUT_PHASE; `port-forward` waits until it is stopped."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "kubectl"
    script.write_text(FAKE_KUBECTL.format(python=sys.executable))
    script.chmod(0o755)
    log = tmp_path / "kubectl.log"
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    monkeypatch.setenv("KUBECTL_LOG", str(log))

    def calls():
        import json

        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return calls


def test_apply_applies_the_overlay_and_waits_for_the_deployment_or_the_rollout(
    tmp_path, fake_kubectl, monkeypatch
):
    deploy.apply(target(tmp_path), "staging", "r/app:7", model_version="7", timeout="2m")
    apply_call, wait_call = fake_kubectl()
    assert apply_call[:2] == ["apply", "-k"]
    assert wait_call == ["-n", "demo-staging", "rollout", "status", "deployment/demo-serving",
                         "--timeout=2m"]  # fmt: skip
    monkeypatch.setenv("FAKE_ROLLOUT_PHASE", "Healthy")
    deploy.apply(target(tmp_path, rollout=True), "production", "r/app:7")
    assert fake_kubectl()[-1][:4] == ["-n", "demo-production", "get", "rollout/demo-serving"]
    monkeypatch.setenv("FAKE_ROLLOUT_PHASE", "Degraded")
    with pytest.raises(deploy.DeployError, match="aborted \\(analysis failed\\)"):
        deploy.apply(target(tmp_path, rollout=True), "production", "r/app:7")


def test_port_forward_forwards_the_service_to_a_free_port_and_stops_it(
    tmp_path, fake_kubectl, monkeypatch
):
    started = []
    popen = subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(popen(*a, **k))
                        or started[-1])  # fmt: skip
    with deploy.port_forward(target(tmp_path), "staging") as url:
        port = int(url.rsplit(":", 1)[1])
        assert url == f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while not fake_kubectl() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake_kubectl() == [["-n", "demo-staging", "port-forward", "service/demo-serving",
                                   f"{port}:80"]]  # fmt: skip
        assert started[0].poll() is None  # forwarding while the block runs
    assert started[0].returncode is not None  # stopped at the end
