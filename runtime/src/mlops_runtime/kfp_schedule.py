"""Schedules a project's monitoring pipeline on a Kubeflow Pipelines server as a recurring run.

    python scripts/kfp_recurring_run.py [--host URL] [--cron "0 0 * * * *"] [--disabled]

Compiles the project's pipeline (its `compile_pipeline`) and creates, in the project's
experiment (made if missing), a recurring run: hourly by default (KFP cron has six fields,
seconds first), one run at a time, no catch-up of missed runs. The server is `--host`, else
KFP_HOST. `kfp` (extra `kfp`) is imported only to reach a server.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

DEFAULT_CRON = "0 0 * * * *"
DEFAULT_PARAMS = {"config_path": "config/pipeline.yaml"}


def check_cron(cron: str) -> str:
    """KFP wants six fields (seconds first); refuse a five-field Unix cron with a clear message."""
    fields = cron.split()
    if len(fields) != 6:
        raise ValueError(
            f"KFP cron expressions have 6 fields (seconds first), got {len(fields)}: {cron!r}"
        )
    return cron


def schedule(
    client: Any,
    package: Path,
    *,
    experiment: str,
    job_name: str,
    cron: str = DEFAULT_CRON,
    enabled: bool = True,
    params: Mapping[str, Any] = DEFAULT_PARAMS,
) -> Any:
    """Create the recurring run of `package` with `client` (a kfp.Client) in `experiment`;
    what the server answered."""
    try:
        found = client.get_experiment(experiment_name=experiment)
    except Exception:  # kfp raises ValueError or an API error when it does not exist
        found = client.create_experiment(name=experiment)
    return client.create_recurring_run(
        experiment_id=found.experiment_id,
        job_name=job_name,
        description="Drift and decay job; retrains through the training pipeline when due.",
        cron_expression=check_cron(cron),
        max_concurrency=1,
        no_catchup=True,
        pipeline_package_path=str(package),
        params=dict(params),
        enabled=enabled,
    )


def main(
    compile_pipeline: Callable[[Path], Path],
    *,
    experiment: str,
    job_name: str,
    argv: list[str] | None = None,
    client_factory: Callable[[str], Any] | None = None,
) -> int:
    """`scripts/kfp_recurring_run.py`: 0 created, 1 refused (no server, a bad cron)."""
    parser = argparse.ArgumentParser(description="Create the monitoring recurring run on KFP.")
    parser.add_argument("--host", default=os.environ.get("KFP_HOST"), help="default: KFP_HOST")
    parser.add_argument("--cron", default=DEFAULT_CRON, help=f"default {DEFAULT_CRON!r}")
    parser.add_argument("--disabled", action="store_true", help="create it paused")
    args = parser.parse_args(argv)
    if not args.host:
        print("error: no KFP server; pass --host or set KFP_HOST", file=sys.stderr)
        return 1
    if client_factory is None:
        import kfp

        client_factory = kfp.Client
    with tempfile.TemporaryDirectory() as tmp:
        package = compile_pipeline(Path(tmp) / "monitoring.yaml")
        try:
            client = client_factory(host=args.host)
            run = schedule(client, package, experiment=experiment, job_name=job_name,
                           cron=args.cron, enabled=not args.disabled)  # fmt: skip
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print(f"recurring run {getattr(run, 'recurring_run_id', run)} created ({args.cron})")
    return 0
