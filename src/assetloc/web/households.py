"""``/api/households``: saved households (:mod:`assetloc.ledger.saved`) and their ledgers.

The router works on one database, the server's (``households_router(url)``): it holds the
saved households and their ledgers, each filed under the household's ``name`` as
``assetloc ledger ... --db URL`` files it, so the CLI on a file of that name sees the same
ledger. A saved household's own ``[ledger] url`` is not used. The ledger endpoints answer
exactly what the CLI's ``--json`` prints (``ledger form8949``: the bytes of its ``-o`` file).

Errors (:mod:`assetloc.web.errors`): an unknown id 404, a taken name or stale revision 409,
any other bad input 422, each with the CLI's one-line message and the field it names.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path, PureWindowsPath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from assetloc.errors import AssetlocError, ConflictError, InputError
from assetloc.ledger import saved
from assetloc.ledger.store import open_store
from assetloc.present import jsonout
from assetloc.web.body import parse_json as _body
from assetloc.web.errors import Error, from_error

JSON = "application/json"
TRUE = ("true", "1", "yes", "on")
FALSE = ("false", "0", "no", "off", "")


class Summary(BaseModel):
    """A saved household in the list (``updated_at``: ISO 8601, UTC)."""

    id: str
    name: str
    updated_at: str
    revision: int


class Record(BaseModel):
    """A saved household: ``household`` is its document exactly as given (times UTC)."""

    id: str
    name: str
    revision: int
    created_at: str
    updated_at: str
    household: dict[str, Any]


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": Error, "description": "no saved household has this id"},
    409: {"model": Error, "description": "the name is taken or the revision is stale"},
    422: {"model": Error, "description": "bad input: the CLI's one-line message"},
}
_HOUSEHOLD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            JSON: {
                "schema": {
                    "type": "object",
                    "description": "the household as JSON (the TOML file's tables); on PUT "
                    "also {household, revision}",
                }
            }
        },
    }
}


def _answer(work: Callable[[], Response]) -> Response:
    """``work()``, its assetloc errors as JSON: unknown id 404, conflict 409, else 422."""
    try:
        return work()
    except saved.NotFoundError as err:
        return from_error(404, err, exit_code=False)
    except ConflictError as err:
        return from_error(409, err)
    except AssetlocError as err:
        return from_error(422, err)


def _json(doc: Any, status: int = 200) -> Response:
    """``doc`` as the CLI's ``--json`` prints it (numbers rounded by jsonout)."""
    return Response(jsonout.dumps(doc), status_code=status, media_type=JSON)


def _plain(doc: Any, status: int = 200) -> Response:
    """``doc`` as JSON, numbers untouched (a household document comes back as given)."""
    text = json.dumps(doc, ensure_ascii=False, allow_nan=False)
    return Response(text, status_code=status, media_type=JSON)


def _envelope(body: Any) -> tuple[Any, int | None]:
    """A PUT body: ``{household, revision}`` or the bare household (no revision check)."""
    if isinstance(body, dict) and isinstance(body.get("household"), dict):
        extra = sorted(set(body) - {"household", "revision"})
        if extra:
            raise InputError(extra[0], "unknown field (allowed here: household, revision)")
        revision = body.get("revision")
        if revision is not None and (isinstance(revision, bool) or not isinstance(revision, int)):
            raise InputError("revision", f"must be a whole number (got {revision!r})")
        return body["household"], revision
    return body, None


def _date(field: str, text: str | None) -> dt.date | None:
    from assetloc.inputs.dates import parse_date

    return None if text is None or not text.strip() else parse_date(field, text)


def _year(text: str | None) -> int:
    if text is None or not text.strip():
        raise InputError("year", "is required (a tax year, e.g. 2026)")
    try:
        return int(text.strip())
    except ValueError:
        raise InputError("year", f"not a whole number: {text!r}") from None


def _flag(field: str, text: str | None) -> bool:
    value = (text or "").strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise InputError(field, f"must be true or false (got {text!r})")


def _upload_name(upload: UploadFile) -> str:
    """The uploaded file's own name, without any folder (the import's ``source``)."""
    name = PureWindowsPath(upload.filename or "").name
    return name if name not in ("", ".", "..") else "upload.csv"


def households_router(url: str) -> APIRouter:
    """The ``/api/households`` endpoints on the database at ``url`` (opened, and migrated,
    once here: created when missing)."""
    engine = open_store(url, create=True)
    router = APIRouter(prefix="/api/households", tags=["households"])

    def household_of(hid: str) -> Any:
        return saved.get_household(engine, hid).household()

    @router.get("", response_model=list[Summary], responses={422: _ERRORS[422]})
    def list_saved() -> Response:
        """Every saved household (id, name, updated_at, revision), by name."""
        return _answer(lambda: _plain([s.summary() for s in saved.list_households(engine)]))

    @router.post(
        "", status_code=201, response_model=Record, responses=_ERRORS, openapi_extra=_HOUSEHOLD_BODY
    )
    async def create(request: Request) -> Response:
        """Save a household (checked as the CLI checks a file; ``name`` required, unique)."""
        data = await request.body()

        def work() -> Response:
            body = _body(data)
            return _plain(saved.create_household(engine, body).to_dict(), 201)

        return await run_in_threadpool(_answer, work)

    @router.get("/{hid}", response_model=Record, responses=_ERRORS)
    def get(hid: str) -> Response:
        """One saved household: its record, the document as it was given."""
        return _answer(lambda: _plain(saved.get_household(engine, hid).to_dict()))

    @router.put("/{hid}", response_model=Record, responses=_ERRORS, openapi_extra=_HOUSEHOLD_BODY)
    async def replace(hid: str, request: Request) -> Response:
        """Replace a saved household's document: body ``{household, revision}`` (409 when
        ``revision`` is not the stored one) or the bare household."""
        data = await request.body()

        def work() -> Response:
            raw, revision = _envelope(_body(data))
            return _plain(saved.replace_household(engine, hid, raw, revision).to_dict())

        return await run_in_threadpool(_answer, work)

    @router.delete("/{hid}", status_code=204, response_class=Response, responses=_ERRORS)
    def remove(hid: str, purge_ledger: str | None = None) -> Response:
        """Delete a saved household; its ledger stays unless ``purge_ledger=true``."""

        def work() -> Response:
            saved.delete_household(engine, hid, _flag("purge_ledger", purge_ledger))
            return Response(status_code=204)

        return _answer(work)

    @router.post("/{hid}/ledger/import", response_model=dict[str, Any], responses=_ERRORS)
    def ledger_import(
        hid: str,
        file: Annotated[UploadFile | None, File(description="ledger, orders, positions")] = None,
        fmt: Annotated[str, Form(alias="format")] = "auto",
        as_of: Annotated[str | None, Form()] = None,
        account: Annotated[str | None, Form()] = None,
        acquired: Annotated[str | None, Form()] = None,
        basis_unknown: Annotated[str | None, Form()] = None,
    ) -> Response:
        """Import a file into the household's ledger: ``assetloc ledger import --json``."""
        from assetloc.ledger.api import import_file
        from assetloc.notice import NOTICE

        def work() -> Response:
            h = household_of(hid)
            if file is None:
                raise InputError("file", "is required (a multipart upload field `file`)")
            day, acq = _date("as_of", as_of), _date("acquired", acquired)
            unknown = _flag("basis_unknown", basis_unknown)
            with tempfile.TemporaryDirectory(prefix="assetloc-import-") as tmp:
                path = Path(tmp) / _upload_name(file)
                with path.open("wb") as out:
                    shutil.copyfileobj(file.file, out)
                result = import_file(
                    h, None, path, url, fmt.lower(), as_of=day, account=account or None,
                    acquired=acq, basis_unknown=unknown,
                )  # fmt: skip
            return _json({**result.to_dict(), "notice": NOTICE})

        return _answer(work)

    @router.get("/{hid}/ledger/lots", response_model=dict[str, Any], responses=_ERRORS)
    def ledger_lots(hid: str, as_of: str | None = None) -> Response:
        """Open lots at the end of ``as_of`` (default today): ``assetloc ledger lots --json``."""
        from assetloc.ledger.api import open_lots

        def work() -> Response:
            h = household_of(hid)
            return _json(open_lots(h, None, _date("as_of", as_of), url).to_dict())

        return _answer(work)

    @router.get("/{hid}/ledger/realized", response_model=dict[str, Any], responses=_ERRORS)
    def ledger_realized(hid: str, year: str | None = None) -> Response:
        """The year's sales and totals: ``assetloc ledger realized --json``."""
        from assetloc.ledger.api import realized

        def work() -> Response:
            h = household_of(hid)
            return _json(realized(h, None, _year(year), url).to_dict())

        return _answer(work)

    @router.get(
        "/{hid}/ledger/form8949.csv",
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}, "description": "Form 8949 CSV"}, **_ERRORS},
    )
    def ledger_form8949(
        hid: str, year: str | None = None, box_short: str = "A", box_long: str | None = None
    ) -> Response:
        """The year's Form 8949 rows: the file ``assetloc ledger form8949 -o`` writes."""
        from assetloc.ledger.api import write_form8949

        def work() -> Response:
            h = household_of(hid)
            tax_year = _year(year)
            long_box = box_long.upper() if box_long else None
            with tempfile.TemporaryDirectory(prefix="assetloc-8949-") as tmp:
                out = Path(tmp) / "form8949.csv"
                write_form8949(h, None, tax_year, out, box_short.upper(), long_box, url)
                data = out.read_bytes()
            disposition = f'attachment; filename="form8949-{tax_year}.csv"'
            return Response(
                data, media_type="text/csv", headers={"Content-Disposition": disposition}
            )

        return _answer(work)

    return router


__all__ = ["Record", "Summary", "households_router"]
