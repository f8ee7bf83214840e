"""`/predict` by entity id, the app's side: online rows checked against the data contract, and
the answer naming each prediction's entity (the client is `serving.entities`)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel


class OnlineRows:
    """The contract's feature columns of the rows a feature server returned, each checked like a
    row sent in a request; a value the contract refuses is the store's fault, not the
    caller's, so the app answers 502 with the errors (entity id, field and rule, never the
    value)."""

    def __init__(self, columns: list[str], row: type[BaseModel]) -> None:
        self.columns, self.row = columns, row

    def __call__(
        self, entity: str, ids: list[Any], records: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The checked rows (contract columns, in order) and the errors."""
        from pydantic import ValidationError

        absent = [column for column in self.columns if records and column not in records[0]]
        if absent:
            message = f"the feature service returns no column {', '.join(absent)}"
            return [], [{"loc": ["online_features"], "type": "missing_feature", "msg": message}]
        checked, errors = [], []
        for entity_id, record in zip(ids, records, strict=True):
            try:
                row = self.row.model_validate({c: record[c] for c in self.columns})
                checked.append(row.model_dump())
            except ValidationError as exc:
                errors += [
                    {"loc": ["online_features", f"{entity}={entity_id}", *e.get("loc", ())],
                     "type": e.get("type"), "msg": e.get("msg")}
                    for e in exc.errors()
                ]  # fmt: skip
        return checked, errors[:20]


def without_entity(entity: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows without the join key (a model served by its signature never saw it)."""
    return [{k: v for k, v in record.items() if k != entity} for record in records]


def with_ids(result: BaseModel | JSONResponse, entity: str, ids: list[Any]) -> JSONResponse:
    """The answer with each prediction naming its entity (`"customer_id": 5`), in the order
    the ids were asked."""
    if isinstance(result, JSONResponse):
        body = json.loads(bytes(result.body))
    else:
        body = result.model_dump(mode="json")
    for prediction, entity_id in zip(body["predictions"], ids, strict=True):
        prediction[entity] = entity_id
    return JSONResponse(body, status_code=getattr(result, "status_code", 200))
