"""The `mlops_*` metrics that exist, and a project's dashboards and alert rules checked against
them: a panel or a rule naming a metric nobody exports shows nothing and never fires.

`exported_metrics(*sources)`: the names the runtime's code writes, plus those of a project's
own code. `metric_problems(root, package_dir)`: one line per dashboard or rules file of the
project naming a metric that is not exported, or none at all. A level-3 project's
`tests/test_monitoring_files.py` asserts there is none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

USED = re.compile(r"\bmlops_[a-z_]+")
WRITTEN = re.compile(r"""["'](mlops_[a-z_]+)["']""")
DASHBOARDS = ("monitoring/grafana/model_health.json",)
RULES = ("monitoring/prometheus/monitoring_alerts.yml",)


def exported_metrics(*sources: str | Path) -> set[str]:
    """Metric names written by the runtime's code and by the Python files under `sources` (a
    project's package), with the `_total` name Prometheus gives a counter."""
    runtime = Path(__file__).resolve().parents[1]
    names: set[str] = set()
    for folder in (runtime, *map(Path, sources)):
        for path in folder.rglob("*.py"):
            names |= set(WRITTEN.findall(path.read_text(encoding="utf-8")))
    return names | {name + "_total" for name in names}


def metric_problems(
    root: str | Path,
    package_dir: str | Path,
    dashboards: Iterable[str] = DASHBOARDS,
    rules: Iterable[str] = RULES,
) -> list[str]:
    """One line per Grafana dashboard (JSON, its panels' target expressions) or Prometheus rules
    file (its rules' `expr`) under `root` that names a metric neither the runtime nor the code
    under `package_dir` exports, or names none (a check that would check nothing)."""
    import json

    import yaml

    root = Path(root)
    exported = exported_metrics(package_dir)
    used: dict[str, set[str]] = {}
    for name in dashboards:
        panels = json.loads((root / name).read_text(encoding="utf-8")).get("panels", [])
        exprs = [t.get("expr", "") for p in panels for t in p.get("targets", [])]
        used[name] = {m for expr in exprs for m in USED.findall(expr)}
    for name in rules:
        groups = (yaml.safe_load((root / name).read_text(encoding="utf-8")) or {}).get("groups")
        exprs = [str(r.get("expr", "")) for g in groups or [] for r in g.get("rules", [])]
        used[name] = {m for expr in exprs for m in USED.findall(expr)}
    problems = []
    for name, metrics in used.items():
        if not metrics:
            problems.append(f"{name}: names no mlops_* metric")
        elif metrics - exported:
            problems.append(f"{name}: {', '.join(sorted(metrics - exported))} not exported")
    return problems
