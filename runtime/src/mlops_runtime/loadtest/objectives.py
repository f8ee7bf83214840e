"""The serving SLO a load test checks (`config/slo.yaml`) and the verdict on a measurement.

    objectives:          # what the service promises; null: not checked
      p95_ms: 250        # 95% of /predict answers within 250 ms
      p99_ms: 500        # the p99 of the MLServingLatencyHigh alert
      error_rate: 0.01   # at most 1% of requests fail (non-2xx, timeout, connection error)
      rps: 20            # sustained: at least 20 successful answers per second
    load:                # how the test offers traffic
      duration_seconds: 30
      rps: null          # offered rate; null: 10% above objectives.rps
      concurrency: 8     # connections at once
      rows_per_request: 1
      timeout_seconds: 5

Standard library and PyYAML only (CD runs this with the runtime installed `--no-deps`, plus
PyYAML).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

# Offered load above the throughput objective when `load.rps` is null: a server that keeps up
# then meets the objective, one that cannot falls to its own capacity.
HEADROOM = 1.10


class SLOError(Exception):
    """The SLO file is missing or says something impossible; the message names the key."""


@dataclass(frozen=True)
class Objectives:
    """Limits on a load test's measurement; None: not checked."""

    p95_ms: float | None = 250.0
    p99_ms: float | None = 500.0
    error_rate: float | None = 0.01
    rps: float | None = 20.0


@dataclass(frozen=True)
class LoadPlan:
    """The traffic a load test offers: `rps` requests per second for `duration_seconds`, from
    `concurrency` connections, `rows_per_request` rows each."""

    duration_seconds: float = 30.0
    rps: float = 22.0
    concurrency: int = 8
    rows_per_request: int = 1
    timeout_seconds: float = 5.0


@dataclass(frozen=True)
class SLO:
    """The objectives and the load that tests them."""

    objectives: Objectives = field(default_factory=Objectives)
    load: LoadPlan = field(default_factory=LoadPlan)


@dataclass(frozen=True)
class Verdict:
    """One objective against its measurement: `measured <= limit` (or `>=` for rps)."""

    name: str
    limit: float
    measured: float
    passed: bool

    @property
    def comparison(self) -> str:
        """The relation the measurement must have to the limit."""
        return ">=" if self.name == "rps" else "<="


def _number(section: dict, key: str, where: str, *, minimum: float, maximum: float = math.inf,
            default: float | None) -> float | None:  # fmt: skip
    value = section.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SLOError(f"{where}: {key} must be a number, not {value!r}")
    if not minimum <= value <= maximum:
        bounds = f"between {minimum:g} and {maximum:g}" if maximum < math.inf else f">= {minimum:g}"
        raise SLOError(f"{where}: {key} must be {bounds}, not {value!r}")
    return float(value)


def parse_slo(data: object, where: str = "config/slo.yaml") -> SLO:
    """An `SLO` from the parsed YAML; `SLOError` names the first wrong key."""
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise SLOError(f"{where}: expected a mapping with objectives and load")
    unknown = sorted(set(data) - {"objectives", "load"})
    if unknown:
        raise SLOError(
            f"{where}: unknown section {unknown[0]!r}; the sections are objectives, load"
        )
    sections = {}
    for name, allowed in (("objectives", Objectives), ("load", LoadPlan)):
        section = data.get(name) or {}
        if not isinstance(section, dict):
            raise SLOError(f"{where}: {name} must be a mapping")
        keys = set(allowed.__dataclass_fields__)
        extra = sorted(set(section) - keys)
        if extra:
            raise SLOError(
                f"{where}: unknown key {name}.{extra[0]}; known: {', '.join(sorted(keys))}"
            )
        sections[name] = section
    o, load = sections["objectives"], sections["load"]
    defaults = Objectives()
    objectives = Objectives(
        p95_ms=_number(o, "p95_ms", where, minimum=0.001, default=defaults.p95_ms),
        p99_ms=_number(o, "p99_ms", where, minimum=0.001, default=defaults.p99_ms),
        error_rate=_number(
            o, "error_rate", where, minimum=0, maximum=1, default=defaults.error_rate
        ),
        rps=_number(o, "rps", where, minimum=0.001, default=defaults.rps),
    )
    offered = _number(load, "rps", where, minimum=0.1, default=None)
    if offered is None:
        offered = (objectives.rps or LoadPlan().rps / HEADROOM) * HEADROOM
    concurrency = _number(load, "concurrency", where, minimum=1, maximum=1000, default=8)
    rows = _number(load, "rows_per_request", where, minimum=1, maximum=1000, default=1)
    for key, value in (("concurrency", concurrency), ("rows_per_request", rows)):
        if value != int(value):
            raise SLOError(f"{where}: load.{key} must be a whole number, not {value:g}")
    plan = LoadPlan(
        duration_seconds=_number(
            load, "duration_seconds", where, minimum=0.5, maximum=3600, default=30.0
        ),  # fmt: skip
        rps=offered,
        concurrency=int(concurrency),
        rows_per_request=int(rows),
        timeout_seconds=_number(
            load, "timeout_seconds", where, minimum=0.1, maximum=300, default=5.0
        ),  # fmt: skip
    )
    return SLO(objectives=objectives, load=plan)


def load_slo(path: Path) -> SLO:
    """The SLO of the YAML file at `path`; `SLOError` when it is missing or wrong."""
    import yaml  # the runtime's core dependency; imported here so the CD path stays light

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SLOError(
            f"{path} does not exist; write it (objectives, load) or pass --config"
        ) from None
    except OSError as exc:
        raise SLOError(f"{path} cannot be read: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise SLOError(f"{path} is not valid YAML{line}") from None
    return parse_slo(data, str(path))


def with_overrides(slo: SLO, *, duration: float | None = None, rps: float | None = None) -> SLO:
    """The SLO with a shorter or longer run, or another offered rate (a stress test)."""
    load = slo.load
    if duration is not None:
        load = replace(load, duration_seconds=duration)
    if rps is not None:
        load = replace(load, rps=rps)
    return replace(slo, load=load)


def judge(objectives: Objectives, measured: dict[str, float | None]) -> list[Verdict]:
    """A verdict per objective that is set. A measurement that could not be made (no successful
    request, so no latency) fails its objective."""
    verdicts = []
    for name in ("p95_ms", "p99_ms", "error_rate", "rps"):
        limit = getattr(objectives, name)
        if limit is None:
            continue
        value = measured.get(name)
        if value is None:
            verdicts.append(Verdict(name, limit, math.nan, False))
            continue
        passed = value >= limit if name == "rps" else value <= limit
        verdicts.append(Verdict(name, limit, value, passed))
    return verdicts
