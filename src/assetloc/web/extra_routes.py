"""The page's routes beyond the commands' JSON: files (:mod:`.files`) and jobs
(:mod:`.jobs`) with their progress."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from assetloc.errors import AssetlocError, InputError
from assetloc.web.body import Source, parse, read_source
from assetloc.web.errors import assetloc_error, error_body, error_response, internal_error
from assetloc.web.job_store import JobStore
from assetloc.web.jobs import Jobs
from assetloc.web.openapi import ERRORS, body_spec, ok

#: loads a request's household as the CLI does: (source, history) -> WithLedger
Load = Callable[[Source, bool], Any]


def _attachment(text: str, media: str, name: str) -> Response:
    return Response(
        text, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


async def _upload(request: Request) -> tuple[bytes, str]:
    """The bytes and file name of the multipart field ``file``."""
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise InputError("file", "upload the file as multipart/form-data in the field 'file'")
    async with request.form() as form:
        value = form.get("file")
        if isinstance(value, UploadFile):
            return await value.read(), PurePath(value.filename or "upload").name
    raise InputError("file", "is required: upload it as the form field 'file'")


async def _answer(request: Request, build: Callable[[Source], Response]) -> Response:
    """Read the request's household, then ``build`` its answer in the thread pool; an
    error either way is the API's one-line error."""
    try:
        source = await read_source(request)
    except AssetlocError as err:
        return assetloc_error(err)
    return await run_in_threadpool(_guarded, lambda: build(source))


def _guarded(fn: Callable[[], Response]) -> Response:
    try:
        return fn()
    except AssetlocError as err:
        return assetloc_error(err)
    except Exception as err:  # a bug: one line, no traceback
        return internal_error(err)


def install_files(app: FastAPI, load: Load) -> None:
    """``/api/household/parse``, ``/api/household/toml``, ``/api/report``,
    ``/api/rebalance/orders.csv`` and ``/api/import-holdings``."""
    spec: dict[str, Any] = {"responses": ok("object") | ERRORS, "openapi_extra": body_spec()}

    def file_ok(media: str) -> dict[int | str, dict[str, Any]]:
        return {200: {"description": "a file to download", "content": {media: {}}}} | ERRORS

    @app.post("/api/household/parse", **spec)
    async def parse_household(request: Request) -> Response:
        """A household TOML (upload) or JSON as the form's JSON: read, not checked; every
        number exactly as given (not rounded as the documents are)."""
        import json

        from assetloc.web.files import jsonable

        return await _answer(
            request, lambda src: _json(json.dumps(jsonable(parse(src)), ensure_ascii=False))
        )

    @app.post(
        "/api/household/toml", responses=file_ok("application/toml"), openapi_extra=body_spec()
    )
    async def household_toml(request: Request) -> Response:
        """The household (JSON) as a TOML file to download."""
        from assetloc.web.files import download_name
        from assetloc.web.files import household_toml as to_toml

        def build(source: Source) -> Response:
            raw = parse(source)
            return _attachment(to_toml(raw), "application/toml", download_name(raw, ".toml"))

        return await _answer(request, build)

    @app.post("/api/report", responses=file_ok("text/html"), openapi_extra=body_spec())
    async def report(
        request: Request, points: Annotated[int, Query(ge=2, le=2000)] = 60
    ) -> Response:
        """The offline HTML report of ``assetloc report`` (one self-contained file)."""
        from assetloc.present.html import render_html
        from assetloc.present.report_data import report_data
        from assetloc.web.files import download_name

        def build(source: Source) -> Response:
            loaded = load(source, False)
            html = render_html(report_data(loaded.household, points))
            return _attachment(html, "text/html", download_name(parse(source), ".html"))

        return await _answer(request, build)

    @app.post("/api/rebalance/orders.csv", responses=file_ok("text/csv"), openapi_extra=body_spec())
    async def orders(request: Request) -> Response:
        """The orders CSV of ``assetloc rebalance --orders`` (the file's [rebalance])."""
        from assetloc.present.documents import rebalance_result
        from assetloc.web.files import download_name

        def build(source: Source) -> Response:
            text = rebalance_result(load(source, True)).orders_csv()
            return _attachment(text, "text/csv", download_name(parse(source), "-orders.csv"))

        return await _answer(request, build)

    @app.post("/api/import-holdings", responses=ok("object") | ERRORS)
    async def import_holdings(request: Request) -> Response:
        """A holdings CSV (upload) as accounts (``assetloc import-holdings --json``)."""
        from assetloc.present import jsonout
        from assetloc.web.files import holdings_accounts

        try:
            data, name = await _upload(request)
        except AssetlocError as err:
            return assetloc_error(err)
        return await run_in_threadpool(
            _guarded, lambda: _json(jsonout.line(holdings_accounts(data, name)))
        )


def _json(text: str) -> Response:
    return Response(text, media_type="application/json")


def _classify(err: BaseException) -> tuple[int, dict[str, Any]] | None:
    """An assetloc error as (422, the API's error body); anything else is a bug."""
    if not isinstance(err, AssetlocError):
        return None
    return 422, error_body(err)


#: the tasks a job runs: name -> (document builder taking (loaded, options, progress), history)
def _builders() -> dict[str, tuple[Callable[..., dict[str, Any]], bool]]:
    from assetloc.present import documents as d

    return {
        "optimize": (lambda h, o, p: d.optimize_document(h), False),
        "frontier": (lambda h, o, p: d.frontier_document(h, o.get("points") or 50), False),
        "compare": (lambda h, o, p: d.compare_document(h), False),
        "taxes": (lambda h, o, p: d.taxes_document(h), False),
        "tax-year": (lambda h, o, p: d.tax_year_document(h), False),
        "rebalance": (lambda h, o, p: d.rebalance_document(h), True),
        "harvest": (lambda h, o, p: d.harvest_document(h), True),
        "simulate": (
            lambda h, o, p: d.simulate_document(
                h,
                paths=o.get("paths"),
                years=o.get("years"),
                seed=o.get("seed"),
                returns=o.get("returns"),
                progress=p,
            ),
            False,
        ),
    }


Task = Literal[
    "optimize", "frontier", "compare", "taxes", "tax-year", "rebalance", "harvest", "simulate"
]


def install_jobs(app: FastAPI, load: Load, store: JobStore | None = None) -> Jobs:
    """``POST /api/jobs/{task}`` (202: the job) and ``GET /api/jobs/{id}`` (its progress;
    once done, ``result`` is the command's ``--json``, or ``error`` the API's 422 body);
    the jobs kept in ``store`` (None: this process's memory)."""
    jobs = Jobs(_classify, store)
    builders = _builders()

    @app.post(
        "/api/jobs/{task}",
        status_code=202,
        responses=ok("object") | ERRORS,
        openapi_extra=body_spec(),
    )
    async def start_job(
        task: Task,
        request: Request,
        paths: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
        years: Annotated[int | None, Query(ge=1, le=100)] = None,
        seed: Annotated[int | None, Query(ge=0)] = None,
        returns: Literal["montecarlo", "bootstrap", "deterministic"] | None = None,
        points: Annotated[int | None, Query(ge=2, le=2000)] = None,
    ) -> Response:
        """Start a command as a job; poll ``GET /api/jobs/{id}`` for its progress."""
        import json

        try:
            source = await read_source(request)
        except AssetlocError as err:
            return assetloc_error(err)
        build, history = builders[task]
        options = {"paths": paths, "years": years, "seed": seed, "returns": returns,
                   "points": points}  # fmt: skip

        def work(progress: Callable[[int, int, str], None]) -> dict[str, Any]:
            from assetloc.present import jsonout

            doc = build(load(source, history), options, progress)
            parsed: dict[str, Any] = json.loads(jsonout.line(doc))
            return parsed  # the numbers exactly as --json prints them

        job = await run_in_threadpool(jobs.start, task, work)  # a database write
        return Response(json.dumps(job.view()), status_code=202, media_type="application/json")

    @app.get("/api/jobs/{job_id}", responses=ok("object") | ERRORS | {404: ERRORS[422]})
    def job_status(job_id: str) -> Response:
        """A job's status (``running``, ``done``, ``error``), progress and outcome."""
        import json

        job = jobs.get(job_id)
        if job is None:
            message = f"id: no job {job_id!r} (a finished job is kept 15 minutes)"
            return error_response(404, message, "id")
        # the result is already the --json's numbers (rounded once, in the job)
        return Response(json.dumps(job.view(), ensure_ascii=False), media_type="application/json")

    return jobs
