"""`screening schema`: print the JSON Schemas of the questionnaire format and the export."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from screening.cli.environment import echo


class SchemaName(StrEnum):
    """The published schemas."""

    QUESTIONNAIRE = "questionnaire"
    REFERRAL = "referral"


def schema_document(name: SchemaName) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) named ``name``."""
    if name is SchemaName.QUESTIONNAIRE:
        from screening.schemas import questionnaire_schema

        return questionnaire_schema()
    from screening.schemas import referral_schema

    return referral_schema()


def schema(
    name: Annotated[SchemaName, typer.Argument(help="questionnaire or referral")],
) -> None:
    """Print a JSON Schema (draft 2020-12) to stdout.

    `questionnaire` describes the YAML format (point your editor at it); `referral` describes
    the exported referral JSON that case systems take in.

    Example: screening schema referral > referral.schema.json
    """
    import json

    echo(json.dumps(schema_document(name), ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command()(schema)
