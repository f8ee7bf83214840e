"""What deployment's rules read of where things run: containers of the platform around the
project, which run none of the project's code."""

from __future__ import annotations

from scaffolder.assess.models import Facts


def platform_only(f: Facts) -> list:
    """Containers of the platform around the project (a database, object storage, the tracking
    or Prefect server, dashboards): compose services of such images or commands, and
    Dockerfiles that only those services build or that only start such a server. They run
    none of the project's training or serving code (platform_services)."""
    services = f.of("compose.service")
    platform = [x for x in services if x.detail.get("platform")]
    built_by: dict[str, list] = {}
    for x in services:
        if x.detail.get("dockerfile"):
            built_by.setdefault(str(x.detail["dockerfile"]), []).append(x)
    for x in f.of("docker.image"):
        builders = built_by.get(x.path, [])
        if x.detail.get("platform") or (
            builders and all(b.detail.get("platform") for b in builders)
        ):
            platform.append(x)
    return platform
