"""Hydrosphere (hydrosdk): the calls `detect_python` reads. A model released to a Hydrosphere
cluster is served by an application built from it (`sdk.Application.singular(name, model)
.apply(uri)`, `ApplicationBuilder`); a monitoring model attached to it (`sdk.Monitoring(...)`,
`MetricSpec`) watches the traffic the application serves."""

from __future__ import annotations

TRIGGER_WORDS = ["hydrosdk"]

# qualified call (exact or suffix after a dot) -> (kind, tool), merged into detect_python.CALLS
CALLS: list[tuple[str, str, str]] = [
    ("hydrosdk.sdk.Application.singular", "serving.app", "Hydrosphere"),
    ("hydrosdk.sdk.Application.pipeline", "serving.app", "Hydrosphere"),
    ("hydrosdk.application.ApplicationBuilder", "serving.app", "Hydrosphere"),
    ("hydrosdk.sdk.Monitoring", "serving.monitor", "Hydrosphere"),
    ("hydrosdk.monitoring.MetricSpec.create", "serving.monitor", "Hydrosphere"),
]
