"""Containers that run the platform around a project, not the project: a database, object
storage, a tracking or orchestration server, dashboards, a message broker. A docker-compose
service of such an image (or running such a server) runs none of the project's training or
serving code, nor does a Dockerfile whose only command starts one."""

from __future__ import annotations

import posixpath
import re
from typing import Any

# third-party images of platform services (the image's name, any registry or tag)
PLATFORM_IMAGE = re.compile(
    r"^(?:[\w.-]+(?::\d+)?/)*?(?:library/|bitnami/|confluentinc/cp-)?"
    r"(postgres|postgis|mysql|mariadb|mongo|redis|valkey|memcached|localstack|minio|"
    r"grafana|prometheus|alertmanager|pushgateway|node-exporter|cadvisor|loki|promtail|"
    r"jaeger|all-in-one|otel/opentelemetry-collector\S*|opentelemetry-collector\S*|"
    r"adminer|pgadmin4?|dpage/pgadmin4|elasticsearch|kibana|opensearch\S*|zookeeper|kafka|"
    r"rabbitmq|nats|mlflow|redpanda\S*|kafka-ui|provectuslabs/kafka-ui|mongo-express)"
    r"(?::[\w.-]+)?(?:@sha256:\w+)?$",
    re.I,
)
# images whose server is a platform service only when that is what they are told to run
SERVER_IMAGE = re.compile(r"(^|/)(prefect|prefecthq/prefect)(:|$)", re.I)
# commands starting a platform server (the tracking server, Prefect's API server)
PLATFORM_COMMAND = re.compile(
    r"\bmlflow\W+(server|ui)\b|\bprefect\W+(server|orion)\W+start\b|"
    r"\bzenml\W+(up|server)\b|\baim\W+(up|server)\b",
    re.I,
)

# a model server started in a platform's image
SERVES = re.compile(r"\bmodels\W+serve\b|\bserve\b", re.I)


def _words(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


def runs_platform(command: str) -> bool:
    """The command starts only a platform server (`mlflow server ...`)."""
    return bool(PLATFORM_COMMAND.search(command))


def compose_detail(body: dict, path: str) -> dict[str, Any]:
    """What a compose service runs, for the rules: `platform` when it is a platform service,
    and the Dockerfile it builds (from the repository root) when it builds one."""
    image = _words(body.get("image")).strip()
    command = " ".join(_words(body.get(k)) for k in ("command", "entrypoint"))
    detail: dict[str, Any] = {}
    if SERVES.search(command):
        pass  # a model server (`mlflow models serve`) of the mlflow image serves the model
    elif PLATFORM_IMAGE.match(image) or (
        (SERVER_IMAGE.search(image) or "build" in body) and runs_platform(command)
    ):
        detail["platform"] = True
    build = body.get("build")
    if build is not None:
        if isinstance(build, dict):
            context = _words(build.get("context") or ".")
            dockerfile = _words(build.get("dockerfile") or "Dockerfile")
        else:
            context, dockerfile = _words(build), "Dockerfile"
        if "$" not in context + dockerfile and "://" not in context:
            base = posixpath.dirname(path)
            built = posixpath.normpath(posixpath.join(base, context, dockerfile))
            if not built.startswith(".."):
                detail["dockerfile"] = built
    return detail
