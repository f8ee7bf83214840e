"""Load tests against latency objectives (questionnaire 3.2.5): the serving API is load- and
stress-tested regularly against its latency requirements.

Evidence of a load test: Locust or Molotov in the project's code, a k6 script (JavaScript
importing `k6`), an Artillery scenario, a JMeter plan (`.jmx`), the runtime's
`mlops_runtime.loadtest`, a Makefile target (`load-test`, `stress-test`, `perf-test`) or a CI step
running one of these, or a Python script named for load (`load_test.py`, `benchmark_throughput.py`,
`stress.py`...) that sends requests concurrently (a thread or process pool, asyncio.gather) to an
HTTP or model endpoint and times them (a script posting one request is no load test). Evidence
of the objective it is held to: an SLO file (`slo.yaml`, an
`objectives:`/`slo:` map with latency keys such as `p95_ms`), k6 `thresholds`, Artillery
`ensure`, OpenSLO or Sloth documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from scaffolder.assess.models import Fact, Zone

SCRIPT = "loadtest.script"
OBJECTIVE = "loadtest.objective"

IMPORTS = [
    ("locust", SCRIPT, "Locust"),
    ("molotov", SCRIPT, "Molotov"),
    ("mlops_runtime.loadtest", SCRIPT, "mlops-scaffold-runtime loadtest"),
]
TRIGGER_WORDS = ["locust", "molotov"]
CI_STEP = re.compile(
    r"\blocust\b|\bk6\s+(run|cloud)\b|grafana/(run-)?k6-action|\bartillery\s+run\b|"
    r"\bvegeta\s+attack\b|\bjmeter\b[^\n]*\s-n\b|mlops_runtime\.loadtest|"
    r"\bmake\s+(load[-_]?test|stress[-_]?test|perf[-_]?test)\b",
    re.I,
)
MAKE_TARGET = re.compile(r"^(load|stress|perf(ormance)?)[-_]?tests?$", re.I)
K6_IMPORT = re.compile(r"""(from\s+|require\()\s*['"]k6(/|['"])""")
K6_THRESHOLD = re.compile(r"thresholds\s*:\s*\{[^}]*p\(\s*9\d", re.S)
SCRIPT_PATH = re.compile(r"k6|load|perf|stress|bench|smoke|soak", re.I)
# a hand-written load generator: named for load, concurrent, calling an endpoint, timed
PY_LOAD_PATH = re.compile(r"(^|[/_.-])(load|stress|bench|perf|soak|throughput|latency)", re.I)
PY_CONCURRENT = re.compile(
    r"ThreadPool|ProcessPool|concurrent\.futures|asyncio\.gather|threading\.Thread|\bThread\("
)
PY_CALLS_ENDPOINT = re.compile(
    r"requests\.(post|get)\(|httpx\.|aiohttp|\.(post|get)\(\s*f?[\"']https?:|invoke_endpoint\(|"
    r"urlopen\(|\.predict\(\s*(endpoint|instances)"
)
PY_TIMED = re.compile(r"perf_counter|time\.time\(\)|monotonic\(|datetime\.now\(\)")
LATENCY_KEY = re.compile(r"^(p\d{2}(_ms|_latency|_seconds|_s)?|latency\w*|\w*_latency\w*)$", re.I)


def file_facts(parts: tuple[str, ...], zone: Zone, read: Callable[[], str | None]) -> list[Fact]:
    name, path = parts[-1], "/".join(parts)
    lowered = name.lower()
    if lowered.endswith(".jmx"):
        return [Fact(kind=SCRIPT, path=path, zone=zone, detail={"tool": "JMeter"})]
    if lowered.endswith((".js", ".ts")) and SCRIPT_PATH.search(path):
        text = read()
        if not text or not K6_IMPORT.search(text):
            return []
        facts = [Fact(kind=SCRIPT, path=path, zone=zone, detail={"tool": "k6"})]
        threshold = K6_THRESHOLD.search(text)
        if threshold:
            line = text.count("\n", 0, threshold.start()) + 1
            facts.append(
                Fact(kind=OBJECTIVE, path=path, line=line, zone=zone, detail={"tool": "k6"})
            )
        return facts
    if lowered.endswith(".py") and PY_LOAD_PATH.search(path):
        text = read()
        if (
            text
            and PY_CONCURRENT.search(text)
            and PY_CALLS_ENDPOINT.search(text)
            and PY_TIMED.search(text)
        ):
            tool = (
                "a concurrent HTTP client"
                if "invoke_endpoint" not in text
                else "concurrent endpoint calls"
            )
            return [Fact(kind=SCRIPT, path=path, zone=zone, detail={"tool": tool})]
    return []


def _latency_keys(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    return any(LATENCY_KEY.match(str(k)) for k in node) or any(
        _latency_keys(v) for v in node.values() if isinstance(v, dict)
    )


def yaml_facts(doc: Any, path: str, zone: Zone) -> list[Fact]:
    from scaffolder.assess.parse_yaml import YMap

    if not isinstance(doc, YMap):
        return []
    facts: list[Fact] = []
    config = doc.get("config")
    if isinstance(config, dict) and "target" in config and isinstance(doc.get("scenarios"), list):
        facts.append(
            Fact(kind=SCRIPT, path=path, line=doc.line, zone=zone, detail={"tool": "Artillery"})
        )
        plugins = config.get("plugins") if isinstance(config.get("plugins"), dict) else {}
        if "ensure" in config or "ensure" in plugins:
            facts.append(
                Fact(
                    kind=OBJECTIVE,
                    path=path,
                    line=doc.line_of("config"),
                    zone=zone,
                    detail={"tool": "Artillery ensure"},
                )
            )
    api = str(doc.get("apiVersion") or "")
    if api.startswith(("openslo/", "sloth.slok.dev/")) or api == "sloth/v1":
        facts.append(
            Fact(kind=OBJECTIVE, path=path, line=doc.line, zone=zone, detail={"tool": api})
        )
    name = path.rsplit("/", 1)[-1].lower()
    for key in ("objectives", "slo", "slos", "service_level_objectives"):
        body = doc.get(key)
        if _latency_keys(body) or (key == "objectives" and name.startswith("slo") and body):
            facts.append(
                Fact(
                    kind=OBJECTIVE,
                    path=path,
                    line=doc.line_of(key),
                    zone=zone,
                    detail={"tool": "SLO config", "key": key},
                )
            )
            break
    return facts
