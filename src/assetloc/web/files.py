"""Files in and out of the page: a household TOML read into the form's JSON and written
back, the HTML report, a rebalance's orders CSV, a holdings CSV read as accounts.

TOML has no null: a ``null`` in the JSON (a field left to its default) is left out of the
TOML file, which means the same thing to assetloc. TOML dates come back as
``YYYY-MM-DD`` strings, which every date field accepts."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path, PurePath
from typing import Any

from assetloc.errors import InputError

#: the multipart field holding an uploaded file
FIELD = "file"


def jsonable(value: Any) -> Any:
    """TOML's values as JSON's: dates and times as ISO strings, the rest unchanged."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return value


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]
    return value


def household_toml(raw: dict[str, Any]) -> str:
    """The household's tables as a TOML file (nulls left out; see the module doc)."""
    import tomli_w

    from assetloc.notice import NOTICE

    try:
        body = tomli_w.dumps(_without_nulls(raw))
    except (TypeError, ValueError) as err:
        raise InputError("household", f"cannot be written as TOML: {err}") from None
    head = "# Written by assetloc's page; all amounts US dollars, rates decimals.\n"
    return f"{head}# {NOTICE}\n\n{body}"


def download_name(raw: dict[str, Any], suffix: str) -> str:
    """A safe file name from the household's name (``household`` when it has none)."""
    name = raw.get("name")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") if isinstance(name, str) else ""
    return f"{stem or 'household'}{suffix}"


def holdings_accounts(data: bytes, filename: str) -> dict[str, Any]:
    """``assetloc import-holdings CSV --json`` of an uploaded CSV: ``{"accounts": [...]}``;
    its errors name the file by the name it was uploaded under."""
    from assetloc.rebalance.csv_import import read_holdings_csv, to_json

    name = PurePath(filename).name or "holdings.csv"
    with tempfile.TemporaryDirectory(prefix="assetloc-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return {"accounts": to_json(read_holdings_csv(path))}
