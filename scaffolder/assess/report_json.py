"""The JSON report: the `Report` model, `schema_version` bumped on any incompatible change."""

from __future__ import annotations

import json

from scaffolder.assess.models import Report


def render_json(report: Report) -> str:
    return report.model_dump_json(indent=2) + "\n"


def json_schema() -> str:
    """The JSON Schema of the report, for dashboards that validate what they ingest."""
    return json.dumps(Report.model_json_schema(), indent=2) + "\n"
