"""Champion/challenger routing for the serving app: sticky split by a stable hash, or shadow.

The app keeps answering with the champion (the version it loaded as before); this module adds
the version behind alias `challenger` and decides, per request, which one answers. Assignment
hashes the caller's key with a salt (SHA-256), so the same key always gets the same variant
and the share of callers on the challenger is the configured one. In shadow mode the
challenger scores every request in a background thread and is measured and logged, but its
answer is never returned (its rows reach the prediction log with alias `challenger-shadow`,
keyed by the same request id). Per-variant metrics: `mlops_serving_variant_requests_total{variant,
mode,outcome}`, `mlops_serving_variant_prediction_probability{variant,mode}`,
`mlops_serving_variant_info{variant,model_version}`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from threading import BoundedSemaphore
from typing import Any

import yaml
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from .hooks import PredictionEvent, ServingHooks
from .loader import LoadedModel
from .metrics import PROBABILITY_BUCKETS

log = logging.getLogger(__name__)

CONFIG_FILE = Path("config/ab_test.yaml")
MODES = ("off", "split", "shadow")
CHAMPION, CHALLENGER = "champion", "challenger"
SHADOW_ALIAS = "challenger-shadow"  # how the prediction log marks the shadow's rows
SHADOW_QUEUE = 100  # shadow scorings waiting; beyond it they are dropped (and counted)


@dataclass(frozen=True)
class VariantConfig:
    mode: str = "off"
    challenger_share: float = 0.1
    key_header: str = "X-Request-Key"
    salt: str = "ab"

    @classmethod
    def load(cls, path: str | Path) -> VariantConfig:
        """A project's config/ab_test.yaml (absent: mode off) with $SERVING_AB_MODE /
        $SERVING_CHALLENGER_SHARE laid over."""
        path = Path(path)
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
        raw = raw or {}
        mode = os.environ.get("SERVING_AB_MODE") or raw.get("mode", "off")
        config = cls(
            mode="off" if mode is False else str(mode),  # YAML 1.1 reads a bare off as false
            challenger_share=float(
                os.environ.get("SERVING_CHALLENGER_SHARE") or raw.get("challenger_share", 0.1)
            ),
            key_header=str(raw.get("key_header", "X-Request-Key")),
            salt=str(raw.get("salt", "ab")),
        )
        if config.mode not in MODES:
            raise ValueError(f"A/B mode {config.mode!r}: use one of {', '.join(MODES)}")
        if not 0.0 <= config.challenger_share <= 1.0:
            raise ValueError(f"challenger_share {config.challenger_share} is not in [0, 1]")
        return config


def bucket(key: str, salt: str) -> float:
    """A stable number in [0, 1) for `key`: the same key and salt, the same number, anywhere."""
    digest = hashlib.sha256(f"{salt}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign(key: str | None, config: VariantConfig) -> str:
    """The variant a caller gets in split mode (champion in any other mode)."""
    if config.mode != "split":
        return CHAMPION
    draw = bucket(key, config.salt) if key else random.random()
    return CHALLENGER if draw < config.challenger_share else CHAMPION


Scorer = Callable[[Any, Any], tuple[list[float], list[int]]]


class VariantMetrics:
    """Per-variant request counts, probabilities, versions and dropped shadow scorings."""

    def __init__(self, registry: CollectorRegistry):
        self.requests = Counter(
            "mlops_serving_variant_requests",
            "Requests scored by each variant (outcome ok or error).",
            ["project", "variant", "mode", "outcome"],
            registry=registry,
        )
        self.probability = Histogram(
            "mlops_serving_variant_prediction_probability",
            "Predicted probability of the positive class, by variant.",
            ["project", "variant", "mode"],
            buckets=PROBABILITY_BUCKETS,
            registry=registry,
        )
        self.info = Gauge(
            "mlops_serving_variant_info",
            "The model version behind each variant (value 1).",
            ["project", "variant", "model_version"],
            registry=registry,
        )
        self.shadow_dropped = Counter(
            "mlops_serving_shadow_dropped",
            "Shadow scorings dropped because the queue was full.",
            ["project"],
            registry=registry,
        )


class VariantRouter:
    """Which variant answers a request, and the challenger's shadow scoring."""

    def __init__(
        self,
        project: str,
        config: VariantConfig,
        registry: CollectorRegistry,
        loader: Callable[[str], LoadedModel],
        scorer: Scorer,
        hooks: ServingHooks | None = None,
    ):
        self.project = project
        self.config = config
        self.loader = loader
        self.scorer = scorer
        self.hooks = hooks
        self.challenger: LoadedModel | None = None
        self.metrics = VariantMetrics(registry)
        self._shadow = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shadow")
        self._slots = BoundedSemaphore(SHADOW_QUEUE)

    def load_challenger(self) -> None:
        """Load `challenger` when a mode needs it; without one every request goes to champion."""
        if self.config.mode == "off":
            return
        try:
            self.challenger = self.loader(CHALLENGER)
        except Exception as exc:  # no challenger yet: serve the champion alone
            log.warning("A/B mode %s without a challenger: %s", self.config.mode, exc)
            return
        self.metrics.info.labels(self.project, CHALLENGER, self.challenger.version).set(1)

    def score(
        self, champion: LoadedModel, frame: Any, key: str | None, request_id: str = ""
    ) -> tuple[LoadedModel, tuple[list[float], list[int]]]:
        """(the version that answers, its (probabilities, labels)); a shadow scoring is queued on
        the side."""
        self.metrics.info.labels(self.project, CHAMPION, champion.version).set(1)
        mode = self.config.mode
        variant = assign(key, self.config) if self.challenger is not None else CHAMPION
        served = self.challenger if variant == CHALLENGER else champion
        scored = self._measured(variant, served, frame)
        if mode == "shadow" and self.challenger is not None:
            self._queue_shadow(frame, scored, key, request_id)
        return served, scored

    def _measured(
        self, variant: str, loaded: LoadedModel, frame: Any
    ) -> tuple[list[float], list[int]]:
        mode = self.config.mode
        try:
            scored = self.scorer(loaded.model, frame)
        except Exception:
            self.metrics.requests.labels(self.project, variant, mode, "error").inc()
            raise
        self.metrics.requests.labels(self.project, variant, mode, "ok").inc()
        for probability in scored[0]:
            self.metrics.probability.labels(self.project, variant, mode).observe(probability)
        return scored

    def _queue_shadow(
        self, frame: Any, answered: tuple[list[float], list[int]], key: str | None, request_id: str
    ) -> None:
        if not self._slots.acquire(blocking=False):
            self.metrics.shadow_dropped.labels(self.project).inc()
            return
        frame = frame.copy()  # the request path keeps its own

        def run() -> None:
            try:
                shadow = self._measured(CHALLENGER, self.challenger, frame)
                log.info(
                    "shadow %s",
                    json.dumps(
                        {
                            "key": hashlib.sha256(key.encode()).hexdigest()[:16] if key else None,
                            "champion": answered[0],
                            "challenger": shadow[0],
                            "challenger_version": self.challenger.version,
                        }
                    ),  # fmt: skip
                )
                if self.hooks is not None:  # the prediction log, marked as the shadow's rows
                    self.hooks.after_predict(
                        PredictionEvent(
                            request_id=request_id,
                            features=frame,
                            probabilities=shadow[0],
                            labels=shadow[1],
                            model_name=self.challenger.name,
                            model_version=self.challenger.version,
                            model_alias=SHADOW_ALIAS,
                        )
                    )
            except Exception as exc:  # a failing challenger never touches the answer
                log.warning("shadow scoring failed: %s", exc)
            finally:
                self._slots.release()

        self._shadow.submit(run)

    def close(self) -> None:
        self._shadow.shutdown(wait=True)
