"""Simulated traffic for a level-3 project: normal or shifted rows, sent to `/predict` or logged as
if served in the past (the clock), and the feedback labels that arrive for them.

Rows come from the project's own data generator (the `generate_data` hook), so normal traffic is
the training distribution; the true label of each row comes with it (`target_column`). Shifted
traffic adds the amounts of `Scenario.shift` to their columns (what the project's binding says a
shift of its world looks like, kept inside the data contract). `flip` turns that share of the
labels around: the world's answers changed while its inputs did not (concept drift), which is
what performance decay measures.

Sending goes through the serving app like any client (the app logs the rows and makes the
request ids the labels are keyed on). The clock (`replay(..., at=...)`) scores rows in this
process with the version the app would serve and writes them to the prediction log stamped `at`,
so days of history exist in a minute; nothing a client sends can set the server's timestamps.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..project import Project
from ..settings import load_settings

# score(model, features) -> (probabilities, labels): the serving app's own scoring function.
Scorer = Callable[[Any, Any], tuple[Any, Any]]


class SimulatorError(RuntimeError):
    """The serving app refused or could not be reached (one sentence, what to do)."""


@dataclass(frozen=True)
class Scenario:
    """What a project's binding tells the walkthrough about its model.

    `app`: the serving app for uvicorn (`package.serving.app:app`); `shift`: column -> amount
    added to it in shifted traffic; `score`: the serving app's scoring function (used by the
    clock's replay); `rows`: rows per traffic phase; `decay_flip`: share of labels turned around
    in the simulated days that show decay; `seed`: the first random seed."""

    app: str
    shift: Mapping[str, float]
    score: Scorer | None = None
    rows: int = 400
    decay_flip: float = 0.5
    seed: int = 2026


@dataclass
class Traffic:
    """Feature rows (a DataFrame of the raw input columns) and their true labels."""

    features: Any
    labels: Any


@dataclass
class Sent:
    """What one phase of traffic left behind: the label of each (request id, row), and how many
    rows each model version answered."""

    labels: Any  # DataFrame request_id, row, label
    versions: Counter = field(default_factory=Counter)

    @property
    def rows(self) -> int:
        """Rows sent."""
        return len(self.labels)


def make_traffic(
    project: Project,
    rows: int,
    seed: int,
    shift: Mapping[str, float] | None = None,
    flip: float = 0.0,
) -> Traffic:
    """`rows` rows of the project's generator (seeded), `shift` added to its columns and a `flip`
    share of the labels turned around."""
    import numpy as np

    frame = project.call("generate_data", n_rows=rows, seed=seed)
    target = str(project.hook("target_column"))
    labels = frame.pop(target).to_numpy().astype("int64")
    for column, amount in (shift or {}).items():
        if column not in frame.columns:
            raise ValueError(
                f"the walkthrough shifts column {column!r}, which the data has not; the "
                f"columns are {', '.join(map(str, frame.columns))}"
            )
        frame[column] = frame[column] + amount
    if flip > 0:
        turned = np.random.default_rng(seed + 1).random(rows) < flip
        labels = np.where(turned, 1 - labels, labels)
    return Traffic(frame, labels)


def json_rows(frame: Any) -> list[dict[str, Any]]:
    """The rows of a DataFrame as plain JSON values (numpy scalars converted)."""
    return json.loads(frame.to_json(orient="records"))  # numpy scalars as plain JSON


def post_json(url: str, body: Any, timeout: float = 30.0) -> tuple[dict[str, Any], Any]:
    """POST `body` as JSON; (the answer's JSON, its headers). SimulatorError on refusal."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read()), response.headers
    except urllib.error.HTTPError as error:
        detail = error.read()[:300].decode("utf-8", "replace")
        raise SimulatorError(f"{url} answered {error.code}: {detail}") from None
    except (urllib.error.URLError, OSError) as error:
        raise SimulatorError(
            f"cannot reach {url} ({getattr(error, 'reason', error)}); start the app (make serve)"
        ) from None


def send(base_url: str, traffic: Traffic, batch: int = 50, timeout: float = 30.0) -> Sent:
    """POST the rows to `base_url`/predict in batches; the labels keyed by the request ids the
    server made (`X-Request-ID`) and the version that answered each batch."""
    import pandas as pd

    records = json_rows(traffic.features)
    keys: list[dict[str, Any]] = []
    versions: Counter = Counter()
    for start in range(0, len(records), batch):
        chunk = records[start : start + batch]
        answer, headers = post_json(f"{base_url.rstrip('/')}/predict", {"rows": chunk}, timeout)
        request_id = headers.get("X-Request-ID")
        if not request_id:
            raise SimulatorError(f"{base_url}/predict gave no X-Request-ID header")
        versions[str(answer["model_version"])] += len(chunk)
        keys.extend(
            {"request_id": request_id, "row": row, "label": int(traffic.labels[start + row])}
            for row in range(len(chunk))
        )
    return Sent(pd.DataFrame(keys, columns=["request_id", "row", "label"]), versions)


def replay(project: Project, traffic: Traffic, at: float, score: Scorer) -> Sent:
    """The clock: score the rows in this process with the version the app would serve now and
    write them to the prediction log stamped `at` (epoch seconds), as the app would have."""
    import pandas as pd

    from ..monitoring.prediction_log import PredictionBatch, write_partitioned
    from ..serving.loader import load_model

    loaded = load_model(project)
    probabilities, predicted = score(loaded.model, traffic.features)
    request_id = f"sim-{uuid.uuid4().hex[:16]}"
    batch = PredictionBatch(
        request_id=request_id,
        features=traffic.features.reset_index(drop=True),
        probabilities=probabilities,
        predictions=predicted,
        model_name=loaded.name,
        model_version=loaded.version,
        model_alias=loaded.alias,
        source="simulator",
        timestamp=at,
    )
    write_partitioned(batch.to_frame(), load_settings(project).prediction_log_uri)
    rows = len(traffic.features)
    labels = pd.DataFrame(
        {"request_id": [request_id] * rows, "row": range(rows), "label": traffic.labels}
    )
    return Sent(labels, Counter({loaded.version: rows}))


def record_labels(project: Project, sent: Sent, at: float | None = None) -> int:
    """Record the labels of `sent` as feedback (arriving at `at`, default now); how many."""
    from ..monitoring.prediction_log import write_feedback

    write_feedback(sent.labels, load_settings(project).feedback_uri, now=at)
    return sent.rows
