"""Loads `config/monitoring.yaml` (or `$MONITORING_CONFIG`) into a typed object."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class PredictionLogConfig:
    enabled: bool = True
    queue_size: int = 10000
    batch_rows: int = 1000
    flush_seconds: float = 5.0
    retention_days: int = 30


@dataclass(frozen=True)
class DriftConfig:
    window_hours: float = 24.0
    min_samples: int = 200
    psi_threshold: float = 0.25
    psi_warning: float = 0.10
    alpha: float = 0.05
    correction: str = "holm"
    min_statistic: float = 0.10
    min_drifted_features: int = 1
    include_prediction: bool = True


@dataclass(frozen=True)
class DecayConfig:
    metric: str = "roc_auc"
    threshold: float = 0.70
    window_hours: float = 24.0
    windows: int = 5
    violations: int = 3
    min_labels: int = 50


KPI_MEASURES = ("recall", "precision", "accuracy", "f1", "roc_auc")


@dataclass(frozen=True)
class KpiConfig:
    # The business KPI (kpi.py): a measure of the positive class on labelled feedback
    name: str = "positives_caught"
    measure: str = "recall"
    threshold: float = 0.5
    window_hours: float = 168.0
    min_labels: int = 50


@dataclass(frozen=True)
class GuardConfig:
    cooldown_hours: float = 24.0
    max_retrains: int = 3
    per_hours: float = 168.0
    failure_threshold: int = 3
    breaker_reset_hours: float = 24.0
    lock_timeout_hours: float = 6.0
    lease_ttl_minutes: float = 10.0


@dataclass(frozen=True)
class RetrainConfig:
    # labelled feedback from this many hours back joins the training data of a retrain
    feedback_window_hours: float = 168.0


@dataclass(frozen=True)
class MonitoringConfig:
    prediction_log: PredictionLogConfig = field(default_factory=PredictionLogConfig)
    drift: DriftConfig = field(default_factory=DriftConfig)
    decay: DecayConfig = field(default_factory=DecayConfig)
    kpi: KpiConfig = field(default_factory=KpiConfig)
    guards: GuardConfig = field(default_factory=GuardConfig)
    retrain: RetrainConfig = field(default_factory=RetrainConfig)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> MonitoringConfig:
        sections = {f.name: f.type for f in fields(cls)}
        unknown = set(raw) - set(sections)
        if unknown:
            raise ValueError(f"unknown monitoring config sections: {', '.join(sorted(unknown))}")
        built = {}
        for section, kind in _SECTIONS.items():
            try:
                built[section] = kind(**(raw.get(section) or {}))
            except TypeError as exc:
                raise ValueError(f"monitoring config section {section!r}: {exc}") from exc
            _check_types(section, built[section])
        config = cls(**built)
        config.check()
        return config

    def check(self) -> None:
        """Raise ValueError on settings that cannot work together."""
        if self.drift.correction not in ("holm", "bonferroni", "none"):
            raise ValueError(
                f"drift.correction must be holm, bonferroni or none, not {self.drift.correction!r}"
            )
        if not 0 < self.decay.violations <= self.decay.windows:
            raise ValueError("decay.violations must be between 1 and decay.windows")
        if self.decay.metric not in ("roc_auc", "accuracy"):
            raise ValueError(f"decay.metric must be roc_auc or accuracy, not {self.decay.metric!r}")
        if self.kpi.measure not in KPI_MEASURES:
            raise ValueError(
                f"kpi.measure must be one of {', '.join(KPI_MEASURES)}, not {self.kpi.measure!r}"
            )
        if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", str(self.kpi.name)):
            raise ValueError(f"kpi.name must be a word (letters, digits, _), not {self.kpi.name!r}")
        if self.kpi.window_hours <= 0 or self.kpi.min_labels < 1:
            raise ValueError("kpi.window_hours and kpi.min_labels must be positive")
        if self.retrain.feedback_window_hours < 0:
            raise ValueError("retrain.feedback_window_hours must not be negative")
        if self.prediction_log.queue_size < 1 or self.prediction_log.batch_rows < 1:
            raise ValueError("prediction_log.queue_size and batch_rows must be positive")


def _check_types(section: str, values: Any) -> None:
    """A value of the wrong kind (`window_hours: nope`) is one line, not a TypeError later."""
    for item in fields(values):
        value, default = getattr(values, item.name), item.default
        if isinstance(default, bool):
            ok, kind = isinstance(value, bool), "true or false"
        elif isinstance(default, int):
            ok, kind = isinstance(value, int) and not isinstance(value, bool), "a whole number"
        elif isinstance(default, float):
            ok, kind = isinstance(value, int | float) and not isinstance(value, bool), "a number"
        else:
            ok, kind = isinstance(value, str), "text"
        if not ok:
            raise ValueError(
                f"monitoring config {section}.{item.name} must be {kind}, not {value!r}"
            )


_SECTIONS = {
    "prediction_log": PredictionLogConfig,
    "drift": DriftConfig,
    "decay": DecayConfig,
    "kpi": KpiConfig,
    "guards": GuardConfig,
    "retrain": RetrainConfig,
}


def load_monitoring_config(path: str | Path) -> MonitoringConfig:
    """Read the monitoring config at `path` (the settings' `monitoring_config`)."""
    resolved = Path(path)
    if not resolved.is_file():
        raise FileNotFoundError(f"monitoring config not found: {resolved} (set MONITORING_CONFIG)")
    raw = yaml.safe_load(resolved.read_text(encoding="utf-8")) or {}
    return MonitoringConfig.from_dict(raw)
