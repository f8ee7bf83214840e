"""Compare a project's own copy of a module with the runtime's: what a team's edits changed.

Projects made before the runtime library held copies of its modules. `mlops-scaffold upgrade`
removes the copies a team never edited and keeps an edited one beside its old path as
`<file>.team-edit`, naming this command:

    python -m mlops_runtime.compare src/churn/monitoring/drift.py.team-edit

prints a unified diff from the runtime's module (the installed version) to the team's copy, so
the team can see what it changed and carry it over (a hook in `platform.py`, a setting in
config/, or a change proposed to the platform).
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import sys
from pathlib import Path

# Where a module of a project made before runtime 1.0 lives now, by its path inside the package
# (`src/<package>/...`). Tests of these modules moved to the runtime's own suite.
MOVED_MODULES: dict[str, str] = {
    "settings.py": "mlops_runtime.settings",
    "pipeline/records.py": "mlops_runtime.records",
    "pipeline/metrics.py": "mlops_runtime.pipeline_metrics",
    **{
        f"monitoring/{name}.py": f"mlops_runtime.monitoring.{name}"
        for name in (
            "config",
            "drift",
            "decay",
            "profile",
            "prediction_log",
            "report",
            "metrics",
            "guards",
            "job",
            "retrain",
        )
    },  # fmt: skip
    **{
        f"{name}.py": f"mlops_runtime.{name}"
        for name in ("contract", "validation", "model_checks", "model_card", "registry", "canary")
    },
    **{
        f"serving/{name}.py": f"mlops_runtime.serving.{name}"
        for name in ("app", "loader", "metrics", "schemas", "variants", "hooks")
    },
    "serving/ab_compare.py": "mlops_runtime.ab",
    "monitoring/__main__.py": "mlops_runtime.monitoring.cli",
    "monitoring/__init__.py": "mlops_runtime.monitoring",
    **{
        f"governance/{name}.py": f"mlops_runtime.governance.{name}"
        for name in ("aliases", "audit", "lineage", "policy")
    },
    "governance/__main__.py": "mlops_runtime.governance.cli",
    "governance/__init__.py": "mlops_runtime.governance",
    **{
        f"remediation/{name}.py": f"mlops_runtime.remediation.{name}"
        for name in ("actions", "policy", "receiver")
    },
    "remediation/__main__.py": "mlops_runtime.remediation.cli",
    "remediation/__init__.py": "mlops_runtime.remediation",
    # CD scripts (runtime 1.1): the project keeps thin bindings at the same paths
    "scripts/promote_model.py": "mlops_runtime.cd.promote",
    "scripts/deploy.py": "mlops_runtime.cd.deploy",
    "scripts/smoke_test.py": "mlops_runtime.cd.smoke",
    "scoring.py": "mlops_runtime.scoring",
    "mlops/metrics.py": "mlops_runtime.pipeline_metrics",  # an adopted package's copy
    "scripts/kfp_recurring_run.py": "mlops_runtime.kfp_schedule",
    "pipeline/stages.py": "mlops_runtime.dvc_stages",  # runtime 1.2: a binding stays
    "mlops/serving.py": "mlops_runtime.serving.app",  # an adopted package's app (1.2)
}


def runtime_module(path: str | Path) -> str | None:
    """The runtime module that replaced the project file at `path` (`.team-edit` allowed)."""
    parts = Path(str(path).removesuffix(".team-edit")).parts
    for size in range(min(len(parts), 3), 0, -1):
        key = "/".join(parts[-size:])
        if key in MOVED_MODULES:
            return MOVED_MODULES[key]
    return None


def compare(path: str | Path) -> str:
    """A unified diff from the runtime's module to the team's copy at `path`."""
    module = runtime_module(path)
    if module is None:
        raise LookupError(f"{path} is not a copy of a runtime module")
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise LookupError(f"{module} is not installed")
    theirs = Path(spec.origin).read_text(encoding="utf-8").splitlines(keepends=True)
    ours = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(difflib.unified_diff(theirs, ours, f"{module} (runtime)", str(path)))


def main(argv: list[str] | None = None) -> int:
    """`python -m mlops_runtime.compare FILE`: print the diff; 0 done, 1 refused."""
    parser = argparse.ArgumentParser(
        prog="python -m mlops_runtime.compare",
        description="Show how a project's own copy of a module differs from the runtime's.",
    )
    parser.add_argument("file", help="the team's copy, e.g. src/pkg/monitoring/drift.py.team-edit")
    args = parser.parse_args(argv)
    try:
        diff = compare(args.file)
    except (LookupError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(diff or f"{args.file} is the same as the runtime's module")
    return 0


if __name__ == "__main__":
    sys.exit(main())
