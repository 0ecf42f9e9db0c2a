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


def referral_schema() -> dict[str, Any]:
    """The JSON Schema of the referral export, written for its serialised (JSON) form."""
    from screening.referral import SCHEMA_VERSION, Referral

    body = Referral.model_json_schema(mode="serialization")
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_BASE + f"referral-{SCHEMA_VERSION}.schema.json",
        **body,
        "title": "screening referral",
    }
