"""Level 3: watch the model in production and retrain it when the world moves.

The machinery is the platform's (`mlops_runtime.monitoring`: prediction log, reference profiles,
drift and decay, storm guards, guarded retraining on fresh labelled data); this module binds it
to this project (`platform.PROJECT`), so the DAGs, the Kubeflow pipelines and `python -m` call
it with the project's settings. Thresholds and windows are in config/monitoring.yaml.
"""

from __future__ import annotations

from functools import partial

from mlops_runtime.monitoring import job as _job
from mlops_runtime.monitoring import retrain as _retrain
from mlops_runtime.monitoring.guards import RetrainRefused

from ..platform import PROJECT

run_monitoring = partial(_job.run_monitoring, PROJECT)
begin_retrain = partial(_retrain.begin_retrain, PROJECT)
finish_retrain = partial(_retrain.finish_retrain, PROJECT)
keep_alive = partial(_retrain.keep_alive, PROJECT)
retrain = partial(_retrain.retrain, PROJECT)

__all__ = [
    "RetrainRefused",
    "begin_retrain",
    "finish_retrain",
    "keep_alive",
    "retrain",
    "run_monitoring",
]
