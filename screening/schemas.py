"""The published JSON Schemas, generated from the models."""

from __future__ import annotations

from typing import Any

SCHEMA_BASE = "https://screening.example.org/schemas/"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def questionnaire_schema() -> dict[str, Any]:
    """The JSON Schema of the questionnaire format."""
    from screening.model import Questionnaire

    body = Questionnaire.model_json_schema(by_alias=True)
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_BASE + "questionnaire.schema.json",
        **body,
        "title": "screening questionnaire",
    }
