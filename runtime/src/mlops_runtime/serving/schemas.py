"""Request and response schema of `/predict`.

The row schema is built from the project's data contract (its feature columns):
types, inclusive ranges and allowed values become pydantic constraints, so a row the training
data could not hold is refused with a 422 before it reaches the model, and editing the contract
changes the API with it. A project without a contract (adopted around a team's package) is
served by its model's MLflow signature instead (`serving.signature`): each row is checked
against the served version's columns and types, and a prediction's label is whatever the model
predicts (`SignaturePrediction`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from ..contract import ColumnSpec

MAX_ROWS = 1000
_TYPES: dict[str, type] = {"integer": int, "number": float, "string": str, "boolean": bool}


def _example(spec: ColumnSpec) -> Any:
    if spec.allowed_values:
        return spec.allowed_values[0]
    if spec.minimum is not None and spec.maximum is not None:
        middle = (spec.minimum + spec.maximum) / 2
        return int(middle) if spec.type == "integer" else float(middle)
    return {"integer": 1, "number": 1.0, "string": "text", "boolean": True}[spec.type]


def row_model(features: list[ColumnSpec]) -> type[BaseModel]:
    """The pydantic model of one input row: one field per contract feature column."""
    fields: dict[str, Any] = {}
    for spec in features:
        annotation: Any = (
            Literal[tuple(spec.allowed_values)] if spec.allowed_values else _TYPES[spec.type]
        )
        if spec.nullable:
            annotation = annotation | None
        fields[spec.name] = (
            annotation,
            Field(
                default=None if spec.nullable else ...,
                ge=spec.minimum,
                le=spec.maximum,
                description=spec.description or None,
            ),
        )
    config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{spec.name: _example(spec) for spec in features}]},
    )
    return create_model("Row", __config__=config, **fields)


def request_model(row: type[BaseModel], max_rows: int = MAX_ROWS) -> type[BaseModel]:
    """A batch of rows, scored together."""
    return create_model(
        "PredictRequest",
        __config__=ConfigDict(extra="forbid"),
        rows=(list[row], Field(min_length=1, max_length=max_rows)),
    )


def entity_request_model(
    row: type[BaseModel], ids_field: str, id_type: type, max_rows: int = MAX_ROWS
) -> type[BaseModel]:
    """A batch of rows, or of entity ids whose features the app reads from the feature store
    (`{ids_field: [...]}`, e.g. `customer_ids`): exactly one of the two."""

    def one_of(request: Any) -> Any:
        given = [name for name in ("rows", ids_field) if getattr(request, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give either rows or {ids_field}, not both or neither")
        return request

    batch = {"min_length": 1, "max_length": max_rows}
    fields: dict[str, Any] = {
        "rows": (Annotated[list[row], Field(**batch)] | None, None),
        ids_field: (Annotated[list[id_type], Field(**batch)] | None, None),
    }
    return create_model(
        "PredictRequest",
        __config__=ConfigDict(extra="forbid"),
        __validators__={"one_of": model_validator(mode="after")(one_of)},
        **fields,
    )


class Prediction(BaseModel):
    """One row's answer."""

    probability: float = Field(ge=0.0, le=1.0, description="probability of the positive class")
    label: Literal[0, 1] = Field(description="1 when probability >= the decision threshold")
    confidence: float | None = Field(
        default=None, description="probability of the predicted class (limits policy flag)"
    )
    ood_score: float | None = Field(
        default=None,
        description="how far the row lies outside the training range, in range widths (0 inside)",
    )
    flags: list[str] | None = Field(
        default=None, description="out_of_range, low_confidence; empty: within the limits"
    )


class PredictResponse(BaseModel):
    """The answers and the version that gave them."""

    model_name: str
    model_version: str
    model_alias: str | None = Field(description="the alias served; null for a pinned version")
    predictions: list[Prediction]


Value = float | int | str | bool | None


def free_request_model(max_rows: int = MAX_ROWS) -> type[BaseModel]:
    """A batch of rows of any columns: what a model served by its signature takes (the served
    version's columns and types are checked per request, `row_model` of its signature)."""
    return request_model(free_row_model(), max_rows)


def free_row_model() -> type[BaseModel]:
    """A row of any columns (checked per request against the served version's signature)."""
    return create_model("Row", __config__=ConfigDict(extra="allow"))


class SignaturePrediction(BaseModel):
    """One row's answer from a model served by its signature."""

    label: Value = Field(description="the model's prediction")
    probability: float | None = Field(
        default=None, description="probability of the positive class (binary classifiers)"
    )
    confidence: float | None = Prediction.model_fields["confidence"]
    ood_score: float | None = Prediction.model_fields["ood_score"]
    flags: list[str] | None = Prediction.model_fields["flags"]


class SignatureResponse(PredictResponse):
    """The answers of a model served by its signature."""

    predictions: list[SignaturePrediction]


class Contribution(BaseModel):
    """One feature's part in one prediction (`explain=true`)."""

    feature: str
    value: Any = Field(description="the row's value")
    baseline: Any = Field(description="the reference value it was compared with")
    contribution: float = Field(
        description="probability (a regressor: predicted value) minus the same with the feature "
        "at its baseline value; positive pushed it up"
    )


class ExplainedPrediction(Prediction):
    """One row's answer with the features that moved it most."""

    contributions: list[Contribution]


class ExplainedSignaturePrediction(SignaturePrediction):
    """The same for a model served by its signature."""

    contributions: list[Contribution]


class ExplainedResponse(BaseModel):
    """`/predict?explain=true`: the answers, each with its top contributions, and how they were
    computed."""

    model_name: str
    model_version: str
    model_alias: str | None
    explanation: dict[str, str] = Field(description="method and where the baseline came from")
    predictions: list[ExplainedPrediction] | list[ExplainedSignaturePrediction]


class Readiness(BaseModel):
    """`/ready`: ready or not, the version loaded, or why not."""

    status: Literal["ready", "not ready"]
    model_name: str | None = None
    model_version: str | None = None
    model_alias: str | None = None
    reason: str | None = None
