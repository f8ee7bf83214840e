"""JSON documents in a config folder that set no parameter of the project's run, by their shape:
what another tool was given (a SageMaker Clarify analysis config) or what serving keeps as
state (a canary/champion traffic-routing file)."""

from __future__ import annotations

import re

CLARIFY_METHODS = {"shap", "pdp", "report", "pre_training_bias", "post_training_bias"}


def is_clarify_analysis(data: dict) -> bool:
    methods = data.get("methods")
    return (
        isinstance(methods, dict)
        and bool(set(methods) & CLARIFY_METHODS)
        and "dataset_type" in data
        and ("label" in data or "headers" in data)
    )


# a key of a traffic-routing file: shares of traffic and the model versions they go to
ROUTING_KEY = re.compile(
    r"traffic|routing|canary|champion|challenger|shadow|model_uris?$|weights?$|_enabled$|^enabled$",
    re.I,
)


def is_traffic_routing(data: dict) -> bool:
    """`{"canary_traffic_pct": 5, "champion_model_uris": [...], "canary_enabled": true}`: how
    serving splits traffic between model versions (what a canary rollout writes), not run
    parameters; every key routes, and one names the traffic or the routing."""
    keys = [str(k) for k in data]
    return (
        bool(keys)
        and all(ROUTING_KEY.search(k) for k in keys)
        and any(re.search(r"traffic|routing", k, re.I) for k in keys)
    )


def holds_no_parameters(data: dict) -> bool:
    return is_clarify_analysis(data) or is_traffic_routing(data)
