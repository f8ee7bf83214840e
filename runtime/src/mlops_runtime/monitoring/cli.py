"""Monitoring from the command line (what `make monitor` and `make retrain` run), bound to a
project by its thin entry point (`<package>/monitoring/__main__.py`: `main(PROJECT)`).

    python -m <package>.monitoring monitor [--json]         drift and decay job, prints the decision
    python -m <package>.monitoring retrain [--reason R] [--trigger T] [--force] [--dry-run]
    python -m <package>.monitoring feedback LABELS.csv      columns request_id, label (row optional)
    python -m <package>.monitoring guards [status|release|reset [--all]]
    python -m <package>.monitoring review [--hours 24] [--output FILE]   flagged predictions

Exit codes: 0 done; 1 failed or refused (one line on stderr says why).
"""

from __future__ import annotations

import argparse
import json
import sys

from ..console import quiet_third_party_output
from ..project import Project, ProjectError


def _monitor(project: Project, args) -> int:
    from .job import run_monitoring

    report = run_monitoring(project)
    if args.json:
        print(json.dumps(report, indent=1, default=str))
        return 0
    decision, drift = report["decision"], report["drift"]
    print(f"decision: {decision['action']}")
    for reason in decision["reasons"]:
        print(f"  reason: {reason}")
    for blocker in decision["blocked_by"]:
        print(f"  blocked: {blocker}")
    if not drift["enough_data"]:
        print(f"  {drift['rows']} rows in the window: too few to judge drift")
    if report.get("kpi"):
        from .report import kpi_summary

        print(f"business KPI: {kpi_summary(report['kpi'])}")
    print(f"report: {report['files']['markdown']}")
    return 0


def _retrain(project: Project, args) -> int:
    from .retrain import retrain

    outcome = retrain(project, args.trigger, args.reason, force=args.force, dry_run=args.dry_run)
    if outcome.status in ("succeeded", "would run"):
        print(f"retrain {outcome.status}: {outcome.detail}")
        return 0
    print(f"error: retrain {outcome.status}: {outcome.detail}", file=sys.stderr)
    return 1


def _feedback(project: Project, args) -> int:
    import pandas as pd

    from ..settings import load_settings
    from .prediction_log import write_feedback

    read = pd.read_parquet if args.file.endswith(".parquet") else pd.read_csv
    labels = read(args.file)
    written = write_feedback(labels, load_settings(project).feedback_uri)
    print(f"recorded {len(labels)} labels in {len(written)} file(s)")
    return 0


def _guards(project: Project, args) -> int:
    from ..settings import load_settings
    from .config import load_monitoring_config
    from .guards import open_guards
    from .metrics import write_retrain_metrics

    settings = load_settings(project)
    cfg = load_monitoring_config(settings.monitoring_config).guards
    with open_guards(settings.state_uri, cfg, project.name) as guards:
        if args.action == "release":
            released = guards.release()
            print(
                f"released the single-flight lease of retrain {released['id']}; it is recorded "
                "as failed"
                if released
                else "no retrain holds the single-flight lease; nothing to release",
                file=sys.stderr,
            )
        elif args.action == "reset" and args.all:
            guards.reset(everything=True)
            print("guards reset: lease released, history, failures, breaker and totals forgotten",
                  file=sys.stderr)  # fmt: skip
        elif args.action == "reset":
            guards.reset()
            print("circuit breaker closed; failure count reset", file=sys.stderr)
        status = guards.status()
    write_retrain_metrics(status, settings.monitoring_metrics_dir, project.name)
    legacy = settings.monitoring_state_dir / "retrain_state.json"
    if legacy.is_file():
        status["note"] = (
            f"{legacy} is no longer read (the guards' state is in MLOPS_STATE_URI); delete it"
        )
    print(json.dumps(status, indent=1, default=str))
    return 0


def _review(project: Project, args) -> int:
    from .review import write_review

    path, flagged = write_review(project, args.hours, args.output)
    print(f"{flagged} flagged prediction(s) in the last {args.hours:g} hours; report: {path}")
    return 0


def main(project: Project, argv: list[str] | None = None) -> int:
    """Run one monitoring command for `project`; the exit code (0 done, 1 failed or refused)."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {project.package}.monitoring",
        description="Model monitoring and guarded retraining.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    monitor = commands.add_parser("monitor", help="run the drift and decay job once")
    monitor.add_argument("--json", action="store_true", help="print the whole report as JSON")
    retrain = commands.add_parser("retrain", help="retrain behind the storm guards")
    retrain.add_argument(
        "--trigger",
        default="manual",
        help="manual (default) or schedule skip the cool-down; drift, decay and alerts do not",
    )
    retrain.add_argument("--reason", action="append", default=[], help="a reason (repeatable)")
    retrain.add_argument(
        "--force", action="store_true", help="skip cool-down, rate limit and same-data checks"
    )
    retrain.add_argument("--dry-run", action="store_true", help="only say whether it would run")
    feedback = commands.add_parser("feedback", help="record labels for logged predictions")
    feedback.add_argument("file", help="CSV or Parquet with request_id, label (and row)")
    guards = commands.add_parser(
        "guards", help="show the storm guards; release a stuck lease; reset the breaker"
    )
    guards.add_argument(
        "action",
        nargs="?",
        choices=["status", "release", "reset"],
        default="status",
        help="status (default); release: free the single-flight lease of a stuck retrain (it "
        "is recorded as failed); reset: close the circuit breaker",
    )
    guards.add_argument(
        "--all",
        action="store_true",
        help="with reset: also release the lease and forget the history (cool-down, rate "
        "window, same-data) and the totals",
    )
    review = commands.add_parser(
        "review", help="list the logged predictions flagged out of range or low confidence"
    )
    review.add_argument("--hours", type=float, default=24.0, help="window (default 24)")
    review.add_argument(
        "--output", default="reports/limits_review.md", help="Markdown report to write"
    )
    args = parser.parse_args(argv)
    quiet_third_party_output()
    handlers = {"monitor": _monitor, "retrain": _retrain, "feedback": _feedback, "guards": _guards,
                "review": _review}  # fmt: skip
    try:
        return handlers[args.command](project, args)
    except (FileNotFoundError, ValueError, LookupError, ProjectError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
