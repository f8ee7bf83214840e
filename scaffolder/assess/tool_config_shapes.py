"""YAML documents under a config folder that configure a platform tool, by their shape: how a
metrics exporter renames what it scrapes (StatsD exporter mappings, JMX exporter rules) or how
a cloud client connects (OpenStack's clouds.yaml), or how a ZenML pipeline runs (caching, Docker
settings, the model's metadata). They set no parameter of the project's run."""

from __future__ import annotations

from typing import Any


def _items_with(value: Any, key: str) -> bool:
    """A non-empty list whose every item is a mapping holding `key`."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and key in item for item in value)
    )


def is_statsd_mapping(doc: dict) -> bool:
    """`mappings: [{match: "airflow.dagrun.duration.*", name: ...}]`: a StatsD exporter's
    translation of StatsD names into Prometheus metrics."""
    return _items_with(doc.get("mappings"), "match")


def is_jmx_exporter(doc: dict) -> bool:
    """`rules: [{pattern: "kafka.server<type=...>", name: ...}]`: a JMX exporter's rules for
    turning a JVM's MBeans (Kafka, Spark) into Prometheus metrics."""
    return _items_with(doc.get("rules"), "pattern")


def is_cloud_client(doc: dict) -> bool:
    """`clouds: {name: {auth: {...}, region_name: ...}}`: OpenStack's clouds.yaml, how the
    client reaches each cloud."""
    clouds = doc.get("clouds")
    return (
        isinstance(clouds, dict)
        and bool(clouds)
        and all(
            isinstance(c, dict) and ("auth" in c or "region_name" in c) for c in clouds.values()
        )
    )


# the top-level keys of a ZenML pipeline run configuration (`pipeline.with_options(config_path=)`)
ZENML_RUN_KEYS = {
    "enable_cache",
    "enable_artifact_metadata",
    "enable_artifact_visualization",
    "enable_step_logs",
    "settings",
    "model",
    "extra",
    "run_name",
    "schedule",
    "build",
    "steps",
    "parameters",
}
ZENML_SWITCHES = {k for k in ZENML_RUN_KEYS if k.startswith("enable_")}


def is_zenml_run_settings(doc: dict) -> bool:
    """A ZenML run configuration (`enable_cache`, `settings.docker`, `model:` metadata) that
    passes no parameter: none at the pipeline level (`parameters:`) nor to a step
    (`steps.<name>.parameters`). With parameters it is the run's config file."""
    keys = {str(k) for k in doc}
    settings = doc.get("settings")
    marked = bool(keys & ZENML_SWITCHES) or (isinstance(settings, dict) and "docker" in settings)
    if not marked or not keys <= ZENML_RUN_KEYS or doc.get("parameters"):
        return False
    steps = doc.get("steps")
    return not (
        isinstance(steps, dict)
        and any(isinstance(s, dict) and s.get("parameters") for s in steps.values())
    )


def configures_a_tool(doc: dict) -> bool:
    return (
        is_statsd_mapping(doc)
        or is_jmx_exporter(doc)
        or is_cloud_client(doc)
        or is_zenml_run_settings(doc)
    )
