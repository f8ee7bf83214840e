"""Features by entity id from a feature store's HTTP server (Feast's `feast serve`).

A project with a feature store serves `/predict` by entity id as well as by rows: the request
names the entities (`{"customer_ids": [5, 6]}`), the app reads their online features from the
feature server over HTTP and scores them like rows sent in the request. The server runs as its
own process in the feature store's own environment, so neither the project's environment nor
the serving image carries Feast or its pins; this module uses the standard library only.

`FeatureServer(entity, feature_service)` is the client (`rows(ids)`, one dict per id, in the
order asked); `EntityNotFound` names the ids without an online row (the app answers 404),
`FeatureServerDown` says why the server gave no usable answer (the app answers 503).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

URL_ENV = "FEAST_FEATURE_SERVER_URL"
DEFAULT_URL = "http://127.0.0.1:6566"
MAX_ANSWER_BYTES = 10_000_000


class OnlineFeaturesError(LookupError):
    """The feature server has no row for an entity, or gave no usable answer."""


class EntityNotFound(OnlineFeaturesError):
    """Some entities have no row in the online store (`ids`: which, in the order asked)."""

    def __init__(self, entity: str, ids: list[Any], hint: str = "") -> None:
        self.entity, self.ids = entity, ids
        shown = ", ".join(map(str, ids[:20]))
        if len(ids) > 20:
            shown += f" and {len(ids) - 20} more"
        super().__init__(f"no online features for {entity} {shown}" + (f"; {hint}" if hint else ""))


class FeatureServerDown(OnlineFeaturesError):
    """The feature server did not answer, or answered with an error or an unreadable body."""


def _one_line(text: object) -> str:
    return " ".join(str(text).split())[:300]


@dataclass(frozen=True)
class FeatureServer:
    """A client of Feast's feature server (`POST /get-online-features`).

    `entity`: the join key (`customer_id`); `feature_service`: what to read; `url`: the server
    (default `$FEAST_FEATURE_SERVER_URL`, else http://127.0.0.1:6566); `hint`: what to do about
    a missing entity, appended to `EntityNotFound`'s message; `start_hint`: how to start the
    server, appended to `FeatureServerDown`'s; `id_type`: the join key's type (int or str).
    """

    entity: str
    feature_service: str
    url: str | None = None
    timeout: float = 10.0
    id_type: type = int
    hint: str = ""
    start_hint: str = ""

    @property
    def ids_field(self) -> str:
        """The request field naming the entities: the join key in the plural (`customer_ids`)."""
        return f"{self.entity}s"

    def base_url(self) -> str:
        """The server's address: `url`, else `$FEAST_FEATURE_SERVER_URL`, else the default."""
        return (self.url or os.environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")

    def _answer(self, ids: list[Any]) -> dict[str, Any]:
        base = self.base_url()
        body = {"feature_service": self.feature_service, "entities": {self.entity: list(ids)}}
        request = urllib.request.Request(
            f"{base}/get-online-features",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        start = f"; {self.start_hint}" if self.start_hint else ""
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read(MAX_ANSWER_BYTES))
        except urllib.error.HTTPError as exc:
            detail = _one_line(exc.read(2000).decode(errors="replace")) if exc.fp else ""
            raise FeatureServerDown(
                f"the feature server at {base} answered {exc.code}"
                + (f": {detail}" if detail else "")
            ) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FeatureServerDown(
                f"no answer from the feature server at {base} ({_one_line(reason)}){start}"
            ) from exc
        except ValueError as exc:  # not JSON
            raise FeatureServerDown(f"the feature server at {base} sent no JSON") from exc

    def rows(self, ids: list[Any]) -> list[dict[str, Any]]:
        """One dict per id, in the order asked: the join key and every feature the service
        returns. Raises `EntityNotFound` naming the ids any feature is missing for."""
        answer = self._answer(ids)
        try:
            names = answer["metadata"]["feature_names"]
            columns = dict(zip(names, answer["results"], strict=True))
            statuses = {
                name: column["statuses"] for name, column in columns.items() if name != self.entity
            }
            values = {name: column["values"] for name, column in columns.items()}
            if any(len(v) != len(ids) for v in values.values()):
                raise ValueError("a column's length differs from the ids asked")
        except (KeyError, TypeError, ValueError) as exc:
            raise FeatureServerDown(
                f"the feature server at {self.base_url()} sent an answer of another shape "
                f"({_one_line(exc)})"
            ) from exc
        missing = [
            entity_id
            for i, entity_id in enumerate(ids)
            if any(status[i] != "PRESENT" for status in statuses.values())
        ]
        if missing:
            raise EntityNotFound(self.entity, list(dict.fromkeys(missing)), self.hint)
        return [
            {self.entity: entity_id, **{name: values[name][i] for name in statuses}}
            for i, entity_id in enumerate(ids)
        ]
