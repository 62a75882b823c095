"""The household a request carries: a JSON body (the TOML file's tables) or a
``multipart/form-data`` upload field ``file`` holding TOML. Read on the event loop
(:func:`read_source`), parsed in the threadpool (:func:`parse`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from assetloc.errors import InputError

#: the name a household without a file name is reported under (as the CLI names a file)
DEFAULT_NAME = "household.toml"
#: the multipart field holding the TOML file
FIELD = "file"


@dataclass(frozen=True)
class Source:
    """The bytes of a household and how to read them: ``toml`` (an upload named ``name``)
    or JSON."""

    data: bytes
    toml: bool
    name: str = DEFAULT_NAME


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_source(request: Request) -> Source:
    """The household's bytes: the ``file`` field of a multipart form, else the JSON body;
    another content type is an :class:`InputError`."""
    media = _media_type(request)
    if media == "multipart/form-data":
        async with request.form() as form:
            value = form.get(FIELD)
            if isinstance(value, UploadFile):
                name = PurePath(value.filename or DEFAULT_NAME).name or DEFAULT_NAME
                return Source(await value.read(), True, name)
            if isinstance(value, str):
                return Source(value.encode(), True)
        raise InputError(FIELD, "is required: upload the household TOML as the form field 'file'")
    if media in ("", "application/json") or media.endswith("+json"):
        return Source(await request.body(), False)
    raise InputError(
        "content-type",
        f"{media}: send the household as application/json or as multipart/form-data "
        f"with the TOML file in the field '{FIELD}'",
    )


def parse(source: Source) -> dict[str, Any]:
    """The household's fields: TOML as ``assetloc TASK FILE`` reads a file, or a JSON
    object; malformed text is an :class:`InputError` naming the file (or ``household``)."""
    from assetloc.inputs.household import not_utf8, parse_toml

    if source.toml:
        try:
            text = source.data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise InputError(source.name, not_utf8(err)) from None
        return parse_toml(text, source.name)
    raw = parse_json(source.data)
    if not isinstance(raw, dict):
        raise InputError("household", "must be a JSON object (the TOML file's tables)")
    return raw


def _no_constant(name: str) -> Any:
    raise InputError("household", f"not JSON: {name} is not a number JSON allows")


def parse_json(data: bytes) -> Any:
    """A request's JSON (UTF-8, a BOM allowed; no NaN or Infinity): :class:`InputError`
    on ``household`` when it is not JSON."""
    try:
        return json.loads(data.decode("utf-8-sig"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise InputError("household", "not JSON: the body is not UTF-8") from None
    except json.JSONDecodeError as err:
        raise InputError("household", f"not JSON: {err}") from None
    except RecursionError:
        raise InputError("household", "not JSON: values nested too deeply") from None
