"""Deploys the serving app to Kubernetes with an overlay of `k8s/` and a given image (what CD
runs).

    python scripts/deploy.py render --overlay staging --image ghcr.io/org/repo/serving:SHA
    python scripts/deploy.py apply  --overlay staging --image ghcr.io/org/repo/serving:SHA
    python scripts/deploy.py smoke  --overlay staging [--version-file model_version.txt]
    python scripts/deploy.py load-test --overlay staging [--url URL] [--report-dir DIR]
    python scripts/deploy.py apply  --overlay production --image ... --model-version 7
    python scripts/deploy.py smoke  --overlay production --model-version 7

`render` prints the manifests, `apply` applies them and waits for the rollout, `smoke` runs the
smoke test (`cd.smoke`) against the Service through `kubectl port-forward` (no ingress needed),
`load-test` the load test against `config/slo.yaml` (`mlops_runtime.loadtest`) the same way, or
against `--url` (an ingress: port-forwarding adds latency and caps throughput).
`--model-version` pins the registered model version the pods load (SERVING_MODEL_VERSION)
instead of the overlay's alias. Needs only Python's standard library and `kubectl` (with its
built-in kustomize) on PATH; the cluster is the current context of $KUBECONFIG.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import smoke as _smoke


class DeployError(Exception):
    """kubectl failed, or the rollout did not become healthy; the message says which."""


@dataclass(frozen=True)
class Target:
    """A project's deployment: `app` is the Deployment (or Rollout), Service and placeholder
    image name of `k8s/base`; `namespaces` maps each overlay of `overlays` to its namespace;
    `rollout` is True where Argo Rollouts runs it (level 3); `labels` the smoke test accepts."""

    app: str
    namespaces: Mapping[str, str]
    overlays: Path
    rollout: bool = False
    labels: Collection[object] | None = None
    timeout: str = "5m"


def kustomization(
    target: Target,
    overlay: str,
    image: str | None,
    folder: str | Path,
    model_version: str | None = None,
) -> str:
    """A kustomization in `folder` of the overlay, also setting the image (`name:tag` or
    `name@digest`) and the model version. Kustomize takes only relative paths to others."""
    # Values are written as JSON strings (valid YAML): a tag like 1 or 1e5 must stay a string.
    resource = Path(os.path.relpath(Path(target.overlays) / overlay, folder)).as_posix()
    lines = [
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "resources:",
        f"  - {json.dumps(resource)}",
    ]
    if image:
        if "@" in image:
            new_name, _, digest = image.partition("@")
            pin = f"    digest: {json.dumps(digest)}"
        else:
            slash = image.rfind("/")
            colon = image.rfind(":")
            new_name, tag = (image[:colon], image[colon + 1 :]) if colon > slash else (image, "")
            pin = f"    newTag: {json.dumps(tag)}" if tag else ""
        lines += ["images:", f"  - name: {target.app}", f"    newName: {json.dumps(new_name)}"]
        lines += [pin] if pin else []
    if model_version:
        lines += [
            "configMapGenerator:",
            f"  - name: {target.app}-config",
            "    behavior: merge",
            "    literals:",
            f"      - {json.dumps(f'SERVING_MODEL_VERSION={model_version}')}",
        ]
    return "\n".join(lines) + "\n"


def kubectl(*args: str, capture: bool = False) -> str:
    """Run kubectl; its output when `capture`. `DeployError` names a failed call."""
    try:
        result = subprocess.run(["kubectl", *args], check=False, text=True, capture_output=capture)
    except FileNotFoundError as exc:
        raise DeployError("kubectl is not on PATH; install it (it carries kustomize)") from exc
    if result.returncode != 0:
        detail = f": {result.stderr.strip()}" if capture and result.stderr else ""
        raise DeployError(f"kubectl {' '.join(args)} exited {result.returncode}{detail}")
    return result.stdout if capture else ""


def render(
    target: Target, overlay: str, image: str | None, model_version: str | None = None
) -> str:
    """The manifests of the overlay with the image and model version set."""
    with tempfile.TemporaryDirectory() as folder:
        text = kustomization(target, overlay, image, folder, model_version)
        Path(folder, "kustomization.yaml").write_text(text)
        return kubectl("kustomize", folder, capture=True)


def apply(
    target: Target,
    overlay: str,
    image: str | None,
    model_version: str | None = None,
    timeout: str | None = None,
) -> None:
    """Apply the overlay and wait until the rollout is done (`DeployError` if it is not)."""
    with tempfile.TemporaryDirectory() as folder:
        text = kustomization(target, overlay, image, folder, model_version)
        Path(folder, "kustomization.yaml").write_text(text)
        kubectl("apply", "-k", folder)
    namespace, timeout = target.namespaces[overlay], timeout or target.timeout
    if target.rollout:
        wait_for_rollout(target, namespace, timeout)
    else:
        kubectl(
            "-n", namespace, "rollout", "status", f"deployment/{target.app}", f"--timeout={timeout}"
        )


def seconds(timeout: str) -> float:
    """`90s`, `5m`, `1h` or a number of seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    return float(timeout[:-1]) * units[timeout[-1]] if timeout[-1] in units else float(timeout)


def wait_for_rollout(target: Target, namespace: str, timeout: str, every: float = 10.0) -> None:
    """Wait until the Argo Rollout is Healthy (every canary step and analysis passed). Degraded
    means the analysis failed and Argo Rollouts aborted it, scaling the canary to zero."""
    deadline = time.monotonic() + seconds(timeout)
    app = target.app
    while True:
        rollout = json.loads(
            kubectl("-n", namespace, "get", f"rollout/{app}", "-o", "json", capture=True)
        )
        status = rollout.get("status", {})
        phase, message = status.get("phase", ""), status.get("message", "")
        current = str(status.get("observedGeneration")) == str(rollout["metadata"]["generation"])
        if current and phase == "Healthy":
            return
        if current and phase == "Degraded":
            raise DeployError(f"rollout {app} aborted ({message}); the stable version serves")
        if time.monotonic() > deadline:
            raise DeployError(f"rollout {app} is {phase or 'unknown'} after {timeout}")
        time.sleep(every)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smoke(
    target: Target,
    overlay: str,
    wait: float,
    version_file: str | None = None,
    expect_version: str | None = None,
) -> int:
    """The smoke test against the overlay's Service through `kubectl port-forward`: 0 passed."""
    with port_forward(target, overlay) as url:
        args = ["--base-url", url, "--wait", str(wait)]
        args += ["--version-file", version_file] if version_file else []
        args += ["--expect-version", expect_version] if expect_version else []
        return _smoke.main(args, labels=target.labels)


@contextmanager
def port_forward(target: Target, overlay: str) -> Iterator[str]:
    """The overlay's Service on a free loopback port through `kubectl port-forward`; its URL."""
    port = free_port()
    service = f"service/{target.app}"
    forward = subprocess.Popen(
        ["kubectl", "-n", target.namespaces[overlay], "port-forward", service, f"{port}:80"]
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        forward.terminate()
        forward.wait(timeout=10)


def load_test(
    target: Target, overlay: str, wait: float, url: str | None = None, report_dir: str | None = None
) -> int:
    """The load test against the SLO (`mlops_runtime.loadtest`) on the overlay's Service through
    `kubectl port-forward`, or on `url`: 0 met, 1 missed or failed."""
    from ..loadtest import main as load_test_main

    args = ["--wait", str(wait)] + (["--report-dir", report_dir] if report_dir else [])
    if url:
        return load_test_main(["--url", url, *args])
    with port_forward(target, overlay) as forwarded:
        return load_test_main(["--url", forwarded, *args])


def main(target: Target, argv: list[str] | None = None) -> int:
    """`scripts/deploy.py render|apply|smoke|load-test --overlay NAME ...`: 0 done, 1 failed
    (one line on stderr)."""
    parser = argparse.ArgumentParser(prog="deploy.py", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["render", "apply", "smoke", "load-test"])
    parser.add_argument("--overlay", required=True, choices=sorted(target.namespaces))
    parser.add_argument("--image", help="image to run, e.g. ghcr.io/org/repo/serving:<sha>")
    parser.add_argument(
        "--model-version", help="apply: pin this model version; smoke: expect it to be served"
    )
    parser.add_argument("--timeout", default=target.timeout, help="rollout wait")
    parser.add_argument("--wait", type=float, default=120, help="seconds to await /ready (smoke)")
    parser.add_argument("--version-file", help="write the served model version here (smoke)")
    parser.add_argument(
        "--url", help="load-test: this URL instead of a port-forward to the Service"
    )
    parser.add_argument("--report-dir", help="load-test: where the report goes (build/load-test)")
    args = parser.parse_args(argv)
    try:
        if args.command == "render":
            sys.stdout.write(render(target, args.overlay, args.image, args.model_version))
        elif args.command == "apply":
            apply(target, args.overlay, args.image, args.model_version, args.timeout)
        elif args.command == "load-test":
            return load_test(target, args.overlay, args.wait, args.url, args.report_dir)
        else:
            return smoke(target, args.overlay, args.wait, args.version_file, args.model_version)
    except DeployError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
