"""Champion/challenger comparison on live metrics: promote or reject the challenger.

A project's `python -m <package>.serving.ab_compare --prometheus URL [--dry-run]` calls `main`.
It reads each variant's successes and trials from Prometheus (the queries in the project's
config/ab_test.yaml, `comparison`), applies a two-proportion z-test once both variants reached
`min_samples`, and then: the challenger significantly better by more than `min_lift` -> it
becomes `champion` through the promotion policy and the audit log
(`mlops_runtime.governance.aliases.move_alias`); significantly worse -> alias `challenger` is
retired (audited); otherwise the experiment goes on. Exit codes: 0 decided or still running,
1 refused or failed.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from .canary import CanaryError, query
from .project import Project
from .serving.variants import CHALLENGER, CHAMPION, CONFIG_FILE


@dataclass(frozen=True)
class Comparison:
    """One decision: both variants' counts, the test's z and p, the lift, and why."""

    champion: tuple[float, float]  # (successes, trials)
    challenger: tuple[float, float]
    z: float
    p_value: float
    lift: float  # challenger rate - champion rate
    decision: str  # promote, reject or continue
    reason: str


def two_proportion_test(s1: float, n1: float, s2: float, n2: float) -> tuple[float, float]:
    """z and the two-sided p-value of H0: both rates are equal (pooled standard error)."""
    pooled = (s1 + s2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (s2 / n2 - s1 / n1) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def compare(
    champion: tuple[float, float],
    challenger: tuple[float, float],
    min_samples: int,
    alpha: float,
    min_lift: float = 0.0,
) -> Comparison:
    """The decision on one snapshot of both variants' counts."""
    (s1, n1), (s2, n2) = champion, challenger
    if min(n1, n2) < min_samples:
        reason = f"{int(n1)} and {int(n2)} trials; both need {min_samples}"
        return Comparison(champion, challenger, 0.0, 1.0, 0.0, "continue", reason)
    z, p = two_proportion_test(s1, n1, s2, n2)
    lift = s2 / n2 - s1 / n1
    stats = f"rates {s1 / n1:.4f} vs {s2 / n2:.4f}, z={z:.2f}, p={p:.4g}"
    if p < alpha and lift > min_lift:
        decision, reason = "promote", f"challenger better: {stats}"
    elif p < alpha and lift < 0:
        decision, reason = "reject", f"challenger worse: {stats}"
    else:
        decision, reason = "continue", f"no decision yet: {stats}"
    return Comparison(champion, challenger, z, p, lift, decision, reason)


def live_counts(prometheus: str, comparison: dict) -> dict[str, tuple[float, float]]:
    """(successes, trials) of each variant from Prometheus."""
    counts = {}
    for variant in (CHAMPION, CHALLENGER):
        values = []
        for key in ("successes", "trials"):
            result = query(prometheus, comparison[key].replace("VARIANT", variant))
            values.append(result[0] if result and not math.isnan(result[0]) else 0.0)
        counts[variant] = (values[0], values[1])
    return counts


Promote = Callable[[str, str], object]  # (challenger's version, reason): it becomes champion
Retire = Callable[[str], object]  # (reason): alias challenger is removed


def _governed(project: Project) -> tuple[Promote, Retire]:
    from .governance.aliases import move_alias, retire_alias

    def promote(version: str, reason: str) -> object:
        return move_alias(project, CHAMPION, version, reason=reason, context="ab")

    def retire(reason: str) -> object:
        return retire_alias(project, CHALLENGER, reason=reason)

    return promote, retire


def run(
    project: Project,
    prometheus: str,
    dry_run: bool = False,
    promote: Promote | None = None,
    retire: Retire | None = None,
) -> Comparison:
    """Compare once and act on the decision (nothing moves with `dry_run` or `continue`);
    `promote` and `retire` default to the governed alias moves."""
    path = project.path(CONFIG_FILE)
    settings = (yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})["comparison"]
    counts = live_counts(prometheus, settings)
    result = compare(
        counts[CHAMPION],
        counts[CHALLENGER],
        int(settings.get("min_samples", 1000)),
        float(settings.get("alpha", 0.05)),
        float(settings.get("min_lift", 0.0)),
    )
    if dry_run or result.decision == "continue":
        return result
    if promote is None or retire is None:
        governed = _governed(project)
        promote, retire = promote or governed[0], retire or governed[1]
    if result.decision == "promote":
        version = project.call("champion_info", CHALLENGER).version
        promote(version, f"A/B test: {result.reason}")
        retire(f"promoted to champion: {result.reason}")
    else:
        retire(f"A/B test: {result.reason}")
    return result


def main(
    project: Project,
    argv: list[str] | None = None,
    promote: Promote | None = None,
    retire: Retire | None = None,
) -> int:
    """`python -m <package>.serving.ab_compare --prometheus URL [--dry-run]`."""
    from .governance.aliases import GovernanceError, PolicyViolation

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prometheus", required=True, help="e.g. http://127.0.0.1:9090")
    parser.add_argument("--dry-run", action="store_true", help="decide, but move no alias")
    args = parser.parse_args(argv)
    try:
        result = run(project, args.prometheus, args.dry_run, promote, retire)
    except PolicyViolation as exc:
        print(f"error: the promotion policy refused the challenger: {exc}", file=sys.stderr)
        return 1
    except (CanaryError, GovernanceError, OSError, KeyError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{result.decision}: {result.reason}")
    return 0
