"""Canary analysis as code: the queries of a project's k8s/base/analysis-template.yaml, derived
and judged. A project's `python -m <package>.canary` calls `main(project, argv)`:

    python -m <package>.canary rules [--output FILE | --check]
    python -m <package>.canary check --prometheus URL \
        --arg canary-hash=H --arg stable-hash=H --arg namespace=NS

The AnalysisTemplate (the project's) is the one place the PromQL lives. `rules` derives recording
rules from it (monitoring/prometheus/canary_rules.yml, with the args of RULE_ARGS), which
`promtool test rules` then evaluates on synthetic series; `check` runs each query against a
Prometheus and judges the result with the metric's successCondition and failureCondition the
way Argo Rollouts does (Successful, Failed, Inconclusive or Error). A project's tests check its
manifests with `manifest_problems` and its rules test with `rules_test_problems`. Standard
library and PyYAML only.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import re
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .project import Project

TEMPLATE = Path("k8s/base/analysis-template.yaml")
RULES = Path("monitoring/prometheus/canary_rules.yml")
RULES_GROUP = "canary-analysis"
# The args the recording rules are derived with; canary_rules_test.yml's series carry them.
RULE_ARGS = {"namespace": "canary-test", "canary-hash": "canary", "stable-hash": "stable"}
_ARG = re.compile(r"\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}")
PHASES = ("Successful", "Failed", "Inconclusive", "Error")


class CanaryError(ValueError):
    """The template, an argument, a condition or a query could not be used."""


@dataclass(frozen=True)
class Metric:
    name: str
    query: str
    success: str
    failure: str


@dataclass(frozen=True)
class AnalysisTemplate:
    name: str
    args: dict[str, str | None]  # declared args and their default values
    metrics: list[Metric]

    def resolved_args(self, given: dict[str, str]) -> dict[str, str]:
        """Defaults overlaid with `given`; CanaryError naming every arg left without a value."""
        unknown = sorted(set(given) - set(self.args))
        if unknown:
            raise CanaryError(f"{self.name} declares no args {', '.join(unknown)}")
        values = {k: v for k, v in self.args.items() if v is not None} | given
        missing = sorted(set(self.args) - set(values))
        if missing:
            raise CanaryError(f"no value for args {', '.join(missing)} of {self.name}")
        return values


def load_template(path: str | Path) -> AnalysisTemplate:
    """The AnalysisTemplate in the YAML file at `path`."""
    path = Path(path)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or doc.get("kind") != "AnalysisTemplate":
        raise CanaryError(f"{path} is not an AnalysisTemplate")
    spec = doc["spec"]
    metrics = [
        Metric(
            name=m["name"],
            query=m["provider"]["prometheus"]["query"].strip(),
            success=m.get("successCondition", ""),
            failure=m.get("failureCondition", ""),
        )
        for m in spec["metrics"]
        if "prometheus" in m.get("provider", {})
    ]
    args = {a["name"]: a.get("value") for a in spec.get("args", [])}
    return AnalysisTemplate(doc["metadata"]["name"], args, metrics)


def resolve(text: str, args: dict[str, str]) -> str:
    """`text` with every `{{args.NAME}}` replaced, as Argo Rollouts does; CanaryError if one
    has no value."""
    missing = sorted({name for name in _ARG.findall(text) if name not in args})
    if missing:
        raise CanaryError(f"failed to resolve {', '.join('{{args.' + m + '}}' for m in missing)}")
    return _ARG.sub(lambda match: args[match.group(1)], text)


def record_name(metric: Metric) -> str:
    """The recording rule's name for a metric: `canary:<name with underscores>`."""
    return "canary:" + metric.name.replace("-", "_")


def recording_rules(template: AnalysisTemplate, args: dict[str, str] | None = None) -> dict:
    """Recording rules holding the template's queries, resolved with `args` (RULE_ARGS)."""
    values = template.resolved_args(args or RULE_ARGS)
    rules = [{"record": record_name(m), "expr": resolve(m.query, values)} for m in template.metrics]
    return {"groups": [{"name": RULES_GROUP, "rules": rules}]}


def rules_text(template: AnalysisTemplate) -> str:
    """The recording-rules file a project keeps in monitoring/prometheus/canary_rules.yml."""
    header = (
        "# Derived from k8s/base/analysis-template.yaml by `make canary-rules`; do not edit.\n"
        "# The canary analysis queries with the args of canary_rules_test.yml's series, so\n"
        "# `promtool test rules monitoring/prometheus/canary_rules_test.yml` proves them.\n"
    )
    return header + yaml.dump(
        recording_rules(template), Dumper=_BlockDumper, sort_keys=False, width=4096
    )


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings (the queries) as `|` blocks, as they are in the template."""


_BlockDumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None
    ),
)


# --- conditions: the subset of Argo Rollouts' expression language the templates use ---------

_FUNCTIONS = {
    "len": len,
    "isNaN": math.isnan,
    "isInf": math.isinf,
    "asFloat": float,
    "asInt": int,
}
_COMPARE = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}


def _to_python(condition: str) -> str:
    text = condition.replace("&&", " and ").replace("||", " or ")
    return re.sub(r"!(?!=)", " not ", text).strip()


def _eval(node: ast.AST, result: list[float]) -> Any:
    if isinstance(node, ast.Expression):
        return _eval(node.body, result)
    if isinstance(node, ast.BoolOp):
        values = (_eval(v, result) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _eval(node.operand, result)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand, result)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, result)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, result)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id not in _FUNCTIONS or len(node.args) != 1:
            raise CanaryError(f"unsupported function {node.func.id}")
        return _FUNCTIONS[node.func.id](_eval(node.args[0], result))
    if isinstance(node, ast.Subscript):
        values = _eval(node.value, result)
        index = _eval(node.slice, result)
        if not isinstance(index, int) or not -len(values) <= index < len(values):
            raise CanaryError(f"index {index} out of range of the result {values}")
        return values[index]
    if isinstance(node, ast.Name) and node.id == "result":
        return result
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    raise CanaryError(f"unsupported expression {ast.dump(node)}")


def evaluate(condition: str, result: list[float]) -> bool:
    """The value of an Argo Rollouts condition (`result[0] <= 0.05`, `&&`, `||`, `len`, `isNaN`)
    on a Prometheus result (the vector's values)."""
    try:
        tree = ast.parse(_to_python(condition), mode="eval")
    except SyntaxError as exc:
        raise CanaryError(f"cannot parse condition {condition!r}") from exc
    value = _eval(tree, result)
    if not isinstance(value, bool):
        raise CanaryError(f"condition {condition!r} gave {value!r}, not a boolean")
    return value


def phase(metric: Metric, result: list[float], args: dict[str, str]) -> str:
    """Argo Rollouts' verdict on one measurement (its EvaluateResult)."""
    try:
        success = bool(metric.success) and evaluate(resolve(metric.success, args), result)
        failure = bool(metric.failure) and evaluate(resolve(metric.failure, args), result)
    except CanaryError:
        return "Error"
    if not metric.success and not metric.failure:
        return "Successful"
    if metric.success and not metric.failure:
        failure = not success
    if metric.failure and not metric.success:
        success = not failure
    if failure:
        return "Failed"
    return "Successful" if success else "Inconclusive"


# --- checking a project's manifests and rules test -----------------------------------------


def rules_test_problems(template: AnalysisTemplate, rules_test: str | Path) -> list[str]:
    """The first two cases of a promtool rules test (canary_rules_test.yml: a healthy canary,
    then a faulty one) judged by the template's own conditions: one line per metric that is not
    Successful on the first or not Failed on the second, and per recording rule a case leaves
    untested or tests without being the template's. promtool proves the queries give those
    values; this proves the conditions judge them as meant."""
    tests = (yaml.safe_load(Path(rules_test).read_text(encoding="utf-8")) or {}).get("tests")
    if not isinstance(tests, list) or len(tests) < 2:
        return [f"{rules_test}: expected a healthy and a faulty case"]
    args, problems = template.resolved_args(RULE_ARGS), []
    names = {record_name(m) for m in template.metrics}
    for case, verdict in ((tests[0], "Successful"), (tests[1], "Failed")):
        values = {
            c["expr"]: [float(sample["value"]) for sample in c.get("exp_samples", [])]
            for c in case.get("promql_expr_test", [])
        }
        problems += [f"{verdict} case: {n} is not a metric of {template.name}"
                     for n in sorted(set(values) - names)]  # fmt: skip
        for metric in template.metrics:
            name = record_name(metric)
            if name not in values:
                problems.append(f"{verdict} case: {name} not tested")
            elif (got := phase(metric, values[name], args)) != verdict:
                problems.append(f"{verdict} case: {metric.name} judged {got}")
    return problems


def manifest_problems(base: str | Path, template: AnalysisTemplate) -> list[str]:
    """How a project's Argo Rollouts manifests in `base` fit together, one line per problem:
    every `{{args.NAME}}` of analysis-template.yaml is declared; rollout.yaml's canary and
    stable services are Services of `base`; its canary has analysis steps, each naming
    `template` and giving every arg without a default and no undeclared one."""
    base = Path(base)
    problems = []
    used = set(_ARG.findall((base / TEMPLATE.name).read_text(encoding="utf-8")))
    if not used:
        problems.append(f"{TEMPLATE.name}: uses no args")
    problems += [f"{TEMPLATE.name}: {{{{args.{n}}}}} is not declared"
                 for n in sorted(used - set(template.args))]  # fmt: skip
    services = {
        doc["metadata"]["name"]
        for path in sorted(base.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and doc.get("kind") == "Service"
    }
    rollout = yaml.safe_load((base / "rollout.yaml").read_text(encoding="utf-8"))
    canary = rollout["spec"]["strategy"]["canary"]
    for role in ("canaryService", "stableService"):
        if canary.get(role) not in services:
            problems.append(f"rollout.yaml: {role} {canary.get(role)!r} is not a Service here")
    analyses = [step["analysis"] for step in canary.get("steps", []) if "analysis" in step]
    if not analyses:
        problems.append("rollout.yaml: no analysis step")
    required = {name for name, default in template.args.items() if default is None}
    for number, analysis in enumerate(analyses, 1):
        named = [t.get("templateName") for t in analysis.get("templates", [])]
        given = {a["name"] for a in analysis.get("args", [])}
        if named != [template.name]:
            problems.append(f"rollout.yaml: analysis {number} runs {named}, not {template.name}")
        if required - given:
            problems.append(f"rollout.yaml: analysis {number} gives no "
                            f"{', '.join(sorted(required - given))}")  # fmt: skip
        if given - set(template.args):
            problems.append(f"rollout.yaml: analysis {number} gives undeclared "
                            f"{', '.join(sorted(given - set(template.args)))}")  # fmt: skip
    return problems


# --- running the analysis against a Prometheus ---------------------------------------------


def query(prometheus: str, promql: str, timeout: float = 10.0) -> list[float]:
    """The values of an instant query (a vector's samples, or a scalar as one value)."""
    url = prometheus.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(url, timeout=timeout) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise CanaryError(f"Prometheus refused the query: {body.get('error')}")
    data = body["data"]
    if data["resultType"] == "scalar":
        return [float(data["result"][1])]
    if data["resultType"] != "vector":
        raise CanaryError(f"unsupported result type {data['resultType']}")
    return [float(sample["value"][1]) for sample in data["result"]]


def run_analysis(
    prometheus: str, given: dict[str, str], template: AnalysisTemplate
) -> list[tuple[str, list[float], str]]:
    """One measurement of every metric: (name, result, phase)."""
    args = template.resolved_args(given)
    outcomes = []
    for metric in template.metrics:
        result = query(prometheus, resolve(metric.query, args))
        outcomes.append((metric.name, result, phase(metric, result, args)))
    return outcomes


def main(project: Project, argv: list[str] | None = None) -> int:
    """`python -m <package>.canary rules|check ...`: 0 done (or every metric Successful), 1
    failed or refused, 2 the rules file is out of date (`--check`)."""
    parser = argparse.ArgumentParser(description="Canary analysis: recording rules and checks.")
    commands = parser.add_subparsers(dest="command", required=True)
    rules = commands.add_parser("rules", help="derive the recording rules from the template")
    rules.add_argument("--output", default=str(RULES))
    rules.add_argument("--check", action="store_true", help="exit 2 if the file is out of date")
    check = commands.add_parser("check", help="run the analysis once against a Prometheus")
    check.add_argument("--prometheus", required=True, help="e.g. http://127.0.0.1:9090")
    check.add_argument("--arg", action="append", default=[], help="NAME=VALUE, repeatable")
    args = parser.parse_args(argv)
    try:
        template = load_template(project.path(TEMPLATE))
        if args.command == "rules":
            output = project.path(args.output)
            text = rules_text(template)
            if args.check:
                current = output.read_text(encoding="utf-8") if output.is_file() else ""
                if current != text:
                    print(f"{output} is out of date; run make canary-rules", file=sys.stderr)
                    return 2
                return 0
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
            print(f"wrote {output}")
            return 0
        given = dict(pair.split("=", 1) for pair in args.arg if "=" in pair)
        outcomes = run_analysis(args.prometheus, given, template)
    except (CanaryError, OSError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name, result, verdict in outcomes:
        print(f"{name}: {verdict} (result {result})")
    return 0 if all(verdict == "Successful" for _, _, verdict in outcomes) else 1
