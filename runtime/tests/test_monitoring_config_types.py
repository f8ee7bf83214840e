"""A monitoring config value of the wrong kind is refused in one line naming it, before the job
runs (it was a TypeError deep in the drift job: `make monitor` printed a traceback)."""

from __future__ import annotations

import pytest
from mlops_runtime.monitoring.config import MonitoringConfig


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"drift": {"window_hours": "nope"}}, "drift.window_hours must be a number, not 'nope'"),
        ({"drift": {"min_samples": 2.5}}, "drift.min_samples must be a whole number, not 2.5"),
        ({"drift": {"min_samples": True}}, "drift.min_samples must be a whole number, not True"),
        ({"prediction_log": {"enabled": "yes"}}, "prediction_log.enabled must be true or false"),
        ({"decay": {"metric": 3}}, "decay.metric must be text, not 3"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused(raw, message):
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        MonitoringConfig.from_dict(raw)


def test_whole_numbers_serve_where_numbers_are_asked():
    config = MonitoringConfig.from_dict({"drift": {"window_hours": 6, "psi_threshold": 1}})
    assert (config.drift.window_hours, config.drift.psi_threshold) == (6, 1)
