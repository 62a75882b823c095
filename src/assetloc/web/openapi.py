"""What the OpenAPI document declares: the request body (the household schema as JSON, or
a TOML upload), the 200 documents (generic JSON) and the :class:`Error` responses."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from assetloc.web.errors import Error

_REF = "#/components/schemas/{model}"

#: the error responses every route declares
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Error, "description": "a token is set and the request lacks it"},
    403: {"model": Error, "description": "a write from another origin"},
    413: {"model": Error, "description": "the body is over the size limit"},
    422: {"model": Error, "description": "bad input: the CLI's one-line message"},
    500: {"model": Error, "description": "a bug (no traceback)"},
}


def ok(kind: str) -> dict[int | str, dict[str, Any]]:
    """The 200 response: a JSON ``kind`` (``object`` or ``array``), the CLI's ``--json``."""
    schema = {"type": kind}
    return {
        200: {
            "description": "the CLI's --json",
            "content": {"application/json": {"schema": schema}},
        }
    }


#: a household to try (examples/three_accounts.toml): /docs shows it, schemathesis posts it
EXAMPLE: dict[str, Any] = {
    "name": "Three accounts, 60/40",
    "investor": {"ordinary_rate": 0.24, "capital_gains_rate": 0.15, "retirement_rate": 0.24},
    "accounts": [
        {"id": "brokerage", "type": "taxable", "balance": 200000},
        {"id": "ira", "type": "traditional", "balance": 150000},
        {"id": "roth", "type": "roth", "balance": 50000},
    ],
    "assumptions": {"preset": "horizon-2025"},
    "objective": {
        "kind": "fixed_mix",
        "mix": {"us_equity_large_cap": 0.6, "us_corp_bonds_core": 0.4},
        "risk_aversion": 3.74,
    },
}


def body_spec() -> dict[str, Any]:
    """``openapi_extra`` of a POST: the household as JSON or a multipart TOML upload."""
    upload = {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary"}},
        "required": ["file"],
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": _REF.format(model="Household")},
                    "example": EXAMPLE,
                },
                "multipart/form-data": {"schema": upload},
            },
        }
    }


def install_schema(app: FastAPI) -> None:
    """Make ``app.openapi()`` carry the household schema (and its parts) as components."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        from assetloc.inputs.household import Household

        doc = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        household = Household.model_json_schema(ref_template=_REF)
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        schemas.update(household.pop("$defs", {}))
        schemas["Household"] = household
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
