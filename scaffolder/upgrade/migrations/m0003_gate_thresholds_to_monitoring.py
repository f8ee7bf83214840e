"""Level 2 -> 3: the team's tuned quality gate becomes the live-performance (decay) threshold.

Level 3 adds `config/monitoring.yaml`, whose `decay` section says when the model's live metric
on labelled feedback is too low (k of the last n windows under `threshold` triggers a retrain).
The template ships 0.70 on roc_auc, the level-2 default gate. A team that tuned its gate in
`config/pipeline.yaml` (`quality_gate.primary_metric` and its threshold) expects production to be
held to the same bar, so this migration copies the tuned metric and threshold into the new file;
comments and the rest of the file stay as the template wrote them.
"""

from __future__ import annotations

from pathlib import Path

from scaffolder.state import ProjectState
from scaffolder.upgrade.migrations import Migration, yaml_files

PIPELINE = Path("config/pipeline.yaml")
MONITORING = Path("config/monitoring.yaml")
DECAY_METRICS = ("roc_auc", "accuracy")  # the metrics the decay check can compute live


def paths(state: ProjectState) -> list[str]:
    return [str(PIPELINE), str(MONITORING)]


def _gate(pipeline: object) -> tuple[str, float] | None:
    """The gate's primary metric and its threshold, when the decay check can follow them."""
    if not isinstance(pipeline, dict) or not isinstance(pipeline.get("quality_gate"), dict):
        return None
    gate = pipeline["quality_gate"]
    metric = str(gate.get("primary_metric") or "roc_auc")
    thresholds = gate.get("thresholds")
    if metric not in DECAY_METRICS or not isinstance(thresholds, dict):
        return None
    try:
        return metric, float(thresholds[metric])
    except (KeyError, TypeError, ValueError):
        return None


def is_applied(tree: Path, state: ProjectState) -> bool:
    gate = _gate(yaml_files.load(tree / PIPELINE))
    monitoring = yaml_files.load(tree / MONITORING)
    if gate is None or not isinstance(monitoring, dict):
        return True  # nothing to carry over, or a file we cannot rewrite safely
    decay = monitoring.get("decay")
    if not isinstance(decay, dict):
        return True
    return decay.get("metric") == gate[0] and decay.get("threshold") == gate[1]


def apply(tree: Path, state: ProjectState) -> None:
    if is_applied(tree, state):
        return
    metric, threshold = _gate(yaml_files.load(tree / PIPELINE))
    monitoring = yaml_files.load(tree / MONITORING)
    monitoring["decay"]["metric"] = metric
    monitoring["decay"]["threshold"] = threshold
    yaml_files.dump(tree / MONITORING, monitoring)


MIGRATION = Migration(
    id="0003-gate-thresholds-to-monitoring",
    from_level=2,
    stage="post",
    summary="hold live performance to the tuned quality gate: its metric and threshold "
    "become the decay threshold in config/monitoring.yaml",
    paths=paths,
    is_applied=is_applied,
    apply=apply,
)
