"""Rows of a model served by its signature, checked against the served version's columns."""

from typing import Any

from .loader import LoadedModel
from .schemas import row_model


class SignatureRows:
    """Rows checked against the served version's signature columns (`LoadedModel.features`),
    with one pydantic row model per version; a version without a signature takes rows as sent."""

    def __init__(self) -> None:
        self.models: dict[tuple[str, str], Any] = {}

    def check(self, loaded: LoadedModel, records: list[dict]) -> tuple[list[dict], list[dict]]:
        """The rows with the signature's types, and the errors (field and rule, never the value
        sent) of those that do not fit it."""
        if not loaded.features:
            return records, []
        from pydantic import ValidationError

        key = (loaded.name, loaded.version)
        if key not in self.models:
            self.models[key] = row_model(list(loaded.features))
        model, checked, errors = self.models[key], [], []
        for number, record in enumerate(records):
            try:
                checked.append(model.model_validate(record).model_dump())
            except ValidationError as exc:
                errors += [
                    {"loc": ["body", "rows", number, *e.get("loc", ())], "type": e.get("type"),
                     "msg": e.get("msg")}
                    for e in exc.errors()
                ]  # fmt: skip
        return checked, errors[:20]

    @staticmethod
    def columns(loaded: LoadedModel, records: list[dict]) -> list[str]:
        """The frame's columns: the signature's, else those of the rows as sent, in order."""
        if loaded.features:
            return [spec.name for spec in loaded.features]
        return list(dict.fromkeys(name for record in records for name in record))
