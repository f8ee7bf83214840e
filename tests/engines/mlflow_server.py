"""An MLflow 3 tracking server in its production shape on loopback (stack facts §9): the backend
store on PostgreSQL, artifacts in an S3 bucket (moto's S3 server standing in for the object
store), proxied by the server so clients need only `MLFLOW_TRACKING_URI`. Read back over the
REST API, as any client would."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.engines.postgres import PostgresServer, _free_port
from tests.engines.processes import Processes, wait_until

BUCKET = "mlflow-artifacts"


class MlflowServer:
    """`moto_server` + `mlflow server`; `start()`, `wait_ready()`, REST reads."""

    def __init__(self, venv: Path, workdir: Path, postgres: PostgresServer, procs: Processes):
        self.venv, self.workdir, self.procs = venv, workdir, procs
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.db_url = postgres.create_database()
        self.s3_port, self.port = _free_port(), _free_port()
        self.s3 = f"http://127.0.0.1:{self.s3_port}"
        self.uri = f"http://127.0.0.1:{self.port}"

    def start_s3(self) -> None:
        env = {**os.environ, "PATH": f"{self.venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
        self.procs.start("moto-s3", [self.venv / "bin/moto_server", "-H", "127.0.0.1",
                                     "-p", self.s3_port], self.workdir, env)  # fmt: skip

        def bucket_created() -> bool:
            self.procs.check_alive("moto-s3")
            request = urllib.request.Request(f"{self.s3}/{BUCKET}", method="PUT")
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status == 200

        wait_until(bucket_created, 60, f"moto's S3 server: bucket {BUCKET}", every=0.5,
                   context=self.procs.tails)  # fmt: skip
        self.procs.ready_after["moto-s3"] = time.monotonic() - self.procs.started_at["moto-s3"]

    def start(self) -> None:
        """Start S3, then the tracking server (which migrates its PostgreSQL schema)."""
        self.start_s3()
        env = {
            **os.environ,
            "PATH": f"{self.venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "MLFLOW_S3_ENDPOINT_URL": self.s3,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            # Without this the server also starts a job runner and 7 huey consumers (1.85 GB).
            "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
        }
        env.pop("MLFLOW_TRACKING_URI", None)
        self.procs.start("mlflow-server", [
            self.venv / "bin/mlflow", "server",
            "--backend-store-uri", self.db_url,
            "--artifacts-destination", f"s3://{BUCKET}/artifacts",
            "--host", "127.0.0.1", "--port", self.port, "--workers", "1",
        ], self.workdir, env)  # fmt: skip
        self.procs.watch("mlflow-server", self._healthy)

    def _healthy(self) -> bool:
        with urllib.request.urlopen(f"{self.uri}/health", timeout=5) as response:
            return response.status == 200

    def wait_ready(self, timeout: float = 180) -> None:
        def healthy() -> bool:
            self.procs.check_alive("moto-s3", "mlflow-server")
            return self._healthy()

        wait_until(healthy, timeout, f"the MLflow server at {self.uri}/health", every=1,
                   context=self.procs.tails)  # fmt: skip

    # -- reads, over the REST API ---------------------------------------------------------

    def api(self, path: str, body: dict | None = None):
        request = urllib.request.Request(
            f"{self.uri}/api/2.0/mlflow/{path}", method="POST" if body is not None else "GET",
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def model_versions(self, name: str) -> list[dict]:
        query = urllib.parse.urlencode({"filter": f"name='{name}'", "max_results": 1000})
        versions = self.api(f"model-versions/search?{query}").get("model_versions", [])
        return sorted(versions, key=lambda v: int(v["version"]))

    def alias_version(self, name: str, alias: str) -> str:
        query = urllib.parse.urlencode({"name": name, "alias": alias})
        return self.api(f"registered-models/alias?{query}")["model_version"]["version"]

    def run(self, run_id: str) -> dict:
        return self.api(f"runs/get?run_id={run_id}")["run"]

    def s3_keys(self, prefix: str = "") -> list[str]:
        """Object keys in the artifact bucket (moto answers unsigned requests)."""
        keys, token = [], None
        while True:
            query = {"list-type": "2", "prefix": prefix}
            if token:
                query["continuation-token"] = token
            url = f"{self.s3}/{BUCKET}?{urllib.parse.urlencode(query)}"
            with urllib.request.urlopen(url, timeout=30) as response:
                root = ET.fromstring(response.read())
            # ListObjectsV2 answers in the S3 XML namespace; match on local names.
            local = {el: el.tag.rsplit("}", 1)[-1] for el in root.iter()}
            keys += [el.text or "" for el, tag in local.items() if tag == "Key"]
            token = next((el.text for el, t in local.items() if t == "NextContinuationToken"), None)
            if not token:
                return keys
