"""Governance from the command line (what `make rollback`, `make policy-check` and CD run).

A project's entry point (`src/<package>/governance.py`) calls `main(PROJECT)`:

    python -m <package>.governance check --version 7 [--alias champion]
    python -m <package>.governance promote (--version 7 | --from candidate) [--alias champion] \
        --reason TEXT
    python -m <package>.governance approve --version 7 --by NAME [--note TEXT]
    python -m <package>.governance rollback [--alias champion] --reason TEXT
    python -m <package>.governance lineage [--version 7 | --alias champion]
    python -m <package>.governance audit [--verify]

Exit codes: 0 done, 1 refused (the policy's reasons on stderr) or failed.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..console import quiet_third_party_output
from ..project import Project
from . import aliases
from .audit import AuditLog, read_anchor
from .lineage import lineage_of
from .policy import PolicyError


def _parser(project: Project) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {project.package}.governance",
        description="Promotion policy, alias moves, approvals, rollback and the audit log.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="list what keeps a version from an alias")
    check.add_argument("--version", required=True)
    check.add_argument("--alias", default="champion")
    promote = commands.add_parser("promote", help="move an alias through the policy")
    source = promote.add_mutually_exclusive_group(required=True)
    source.add_argument("--version")
    source.add_argument("--from", dest="from_alias", help="the version behind this alias")
    promote.add_argument("--alias", default="champion")
    promote.add_argument("--reason", required=True)
    approve = commands.add_parser("approve", help="record an approval of a version")
    approve.add_argument("--version", required=True)
    approve.add_argument("--by", required=True, help="who approves (user, team or environment)")
    approve.add_argument("--note", default="")
    rollback = commands.add_parser("rollback", help="back to the previous approved version")
    rollback.add_argument("--alias", default="champion")
    rollback.add_argument("--reason", required=True)
    lineage = commands.add_parser("lineage", help="show a version's lineage tags")
    which = lineage.add_mutually_exclusive_group()
    which.add_argument("--version")
    which.add_argument("--alias", default="champion")
    audit = commands.add_parser("audit", help="print the audit log")
    audit.add_argument("--verify", action="store_true", help="check the log's hash chain")
    return parser


def _run(project: Project, args: argparse.Namespace) -> int:
    cfg = project.call("load_config")
    name = cfg.registry.model_name
    if args.command == "check":
        problems = aliases.check(project, args.version, args.alias, config=cfg)
        for problem in problems:
            print(f"- {problem}", file=sys.stderr)
        verdict = "refused" if problems else "allowed"
        print(f"{name} version {args.version} -> {args.alias}: {verdict}")
        return 1 if problems else 0
    if args.command == "promote":
        version = args.version
        if version is None:
            version = aliases.alias_version(aliases._client(project), name, args.from_alias)
            if version is None:
                raise aliases.GovernanceError(f"no version of {name} has alias {args.from_alias}")
        move = aliases.move_alias(project, args.alias, version, reason=args.reason, config=cfg)
        print(f"{args.alias}: {move.from_version or 'none'} -> {move.to_version}"
              + ("" if move.changed else " (unchanged)"))  # fmt: skip
    elif args.command == "approve":
        aliases.approve(project, args.version, args.by, args.note, config=cfg)
        print(f"{name} version {args.version} approved by {args.by}")
    elif args.command == "rollback":
        move = aliases.rollback(project, args.alias, reason=args.reason, config=cfg)
        print(f"{args.alias}: rolled back {move.from_version} -> {move.to_version}")
    elif args.command == "lineage":
        client = aliases._client(project)
        version = args.version or aliases.alias_version(client, name, args.alias)
        if version is None:
            raise aliases.GovernanceError(f"no version of {name} has alias {args.alias}")
        facts = aliases.version_facts(client, name, version)
        print(json.dumps({"version": version, **lineage_of(facts.tags)}, indent=2))
    elif args.command == "audit":
        log = AuditLog.of(project)
        try:
            return _audit(project, log, args.verify)
        finally:
            log.close()
    return 0


def _audit(project: Project, log: AuditLog, verify: bool) -> int:
    """Print the log's entries, or (`verify`) check its chain, signatures and anchor."""
    if verify:
        anchor = read_anchor(project)
        problems = log.verify(anchor)
        if anchor is None and log.entries():
            problems.append("no anchored chain head in MLflow (deleted, or never written)")
        if log.key is None:
            print("note: no audit key set (GOVERNANCE_AUDIT_KEY_FILE): signatures not "
                  "checked", file=sys.stderr)  # fmt: skip
        for problem in problems:
            print(f"- {problem}", file=sys.stderr)
        print(f"{log.where}: {'damaged' if problems else 'intact'}")
        return 1 if problems else 0
    for entry in log.entries():
        print(json.dumps(entry, sort_keys=True))
    return 0


def main(project: Project, argv: list[str] | None = None) -> int:
    """Run one governance command for `project`; the exit code (0 done, 1 refused or failed)."""
    args = _parser(project).parse_args(argv)
    quiet_third_party_output()
    try:
        return _run(project, args)
    except aliases.PolicyViolation as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (aliases.GovernanceError, PolicyError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
