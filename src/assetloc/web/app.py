"""``create_app``: the JSON API's routes. Each POST reads the household (:mod:`.body`),
then in the threadpool loads it as the CLI does and builds the command's ``--json``
document (:mod:`assetloc.present.documents`), serialised by :mod:`~assetloc.present.jsonout`.
``assetloc serve`` runs :func:`app_from_environment` in each uvicorn worker process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from assetloc.errors import AssetlocError
from assetloc.web.body import Source, parse, read_source
from assetloc.web.errors import HANDLERS, assetloc_error, internal_error
from assetloc.web.extra_routes import install_files, install_jobs
from assetloc.web.guard import Guard
from assetloc.web.job_store import SqlJobs
from assetloc.web.keepalive import KeepAliveLimit
from assetloc.web.openapi import ERRORS, body_spec, install_schema, ok
from assetloc.web.pages import pages_router
from assetloc.web.peers import Peers

#: builds a document from a loaded household (``present.documents``)
Build = Callable[[Any], Any]


class JSONText(Response):
    """A response whose body is JSON text already serialised (by ``jsonout.dumps``)."""

    media_type = "application/json"


def load_source(source: Source, history: bool, db: str | None) -> Any:
    """The household of a request, loaded and checked as the CLI loads a file
    (:class:`~assetloc.ledger.context.WithLedger`); the server's database is the ledger of
    a household that has one (``[ledger]``); one without is not made to need one (as
    ``--db`` would)."""
    from assetloc.batch.tasks import load_raw

    raw = parse(source)
    ledger = db if "ledger" in raw else None
    return load_raw(raw, Path.cwd() / source.name, history=history, db=ledger)


def _document(source: Source, build: Build, history: bool, db: str | None) -> Response:
    """The document of one household, or its error (422; 500 for a bug, no traceback)."""
    from assetloc.present import jsonout

    try:
        loaded = load_source(source, history, db)
        return JSONText(jsonout.line(build(loaded)))
    except AssetlocError as err:
        return assetloc_error(err)
    except Exception as err:  # a bug: say so in one line, never a traceback
        return internal_error(err)


def create_app(
    *,
    token: str | None,
    max_body: int = 1_000_000,
    db: str | None = None,
    hosts: Collection[str] | None = None,
    peers: str | None = None,
    workers: int = 1,
) -> FastAPI:
    """The API app. ``token``: every ``/api`` request needs ``Authorization: Bearer TOKEN``
    (None: no token); ``max_body``: the largest request body in bytes; ``db``: a ledger
    database URL, the server's: the ledger of every household with a ``[ledger]`` table
    (its own ``url`` is not used, as ``--db`` overrides it) and the saved households of
    ``/api/households``, and the jobs (so every process on it answers for every job; None:
    jobs in this process's memory); ``hosts``: the only names the Host header may give
    (None: any); ``workers``: processes serving the port (more than one: their connections
    are evened out, :mod:`assetloc.web.keepalive`); ``peers``: the file where they count
    their connections (:mod:`assetloc.web.peers`; None: none, only the age rule)."""
    from assetloc._version import __version__
    from assetloc.notice import NOTICE

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.jobs.resume()  # after an earlier lifespan's shutdown, jobs run again
        yield
        app.state.jobs.shutdown()  # running jobs read as stopped at once; the store closed

    app = FastAPI(
        title="assetloc",
        version=__version__,
        description=f"The JSON of `assetloc TASK FILE --json`. {NOTICE}",
        exception_handlers=dict(HANDLERS),  # type: ignore[arg-type]
        lifespan=lifespan,
    )
    app.add_middleware(Guard, token=token, max_body=max_body, hosts=hosts)
    if workers > 1:  # outermost: connections even out across the workers
        app.add_middleware(KeepAliveLimit, peers=_peers(peers))

    async def run(request: Request, build: Build, history: bool, quick: bool = False) -> Response:
        try:
            source = await read_source(request)
        except AssetlocError as err:
            return assetloc_error(err)
        if quick:
            # a few ms of CPU: on the event loop, which a hop to a thread would double
            # (benchmarks/bench_web.py); the long commands go to the thread pool
            return _document(source, build, history, db)
        return await run_in_threadpool(_document, source, build, history, db)

    def load(source: Source, history: bool) -> Any:
        return load_source(source, history, db)

    _reads(app)
    _posts(app, run)
    install_files(app, load)
    app.state.jobs = install_jobs(app, load, None if db is None else SqlJobs.open(db))
    app.include_router(pages_router())
    if db is not None:
        from assetloc.web.households import households_router

        app.include_router(households_router(db))
    install_schema(app)
    return app


def _peers(path: str | None) -> Peers | None:
    """This worker's slot in the table at ``path``; None without one, or when it cannot be
    opened or is full (then only the age rule evens connections out)."""
    if path is None:
        return None
    try:
        return Peers(path)
    except OSError:
        return None


#: the environment variable through which ``assetloc serve`` hands its configuration to the
#: app in every worker process (JSON: :func:`serve_config`); never on a command line
CONFIG_ENV = "ASSETLOC_SERVE_CONFIG"
#: the app factory uvicorn imports in each worker process (``--factory``)
FACTORY = "assetloc.web.app:app_from_environment"


def serve_config(
    *,
    token: str | None,
    max_body: int,
    db: str | None,
    hosts: Collection[str] | None,
    peers: str | None = None,
    workers: int = 1,
) -> str:
    """The JSON text of :func:`create_app`'s arguments, for :data:`CONFIG_ENV`."""
    import json

    listed = None if hosts is None else sorted(hosts)
    config = {
        "token": token,
        "max_body": max_body,
        "db": db,
        "hosts": listed,
        "peers": peers,
        "workers": workers,
    }
    return json.dumps(config)


def peers_table(folder: str) -> str | None:
    """The path of a new, empty table in ``folder`` where the workers of one ``serve``
    count their connections (:mod:`assetloc.web.peers`); None where there is no ``fcntl``
    (Windows)."""
    from assetloc.web.peers import SUPPORTED, create

    if not SUPPORTED:
        return None
    path = str(Path(folder) / "peers")
    try:
        create(path)
    except OSError:  # no room for 1.5 kB: the workers keep only the age rule
        return None
    return path


def app_from_environment() -> FastAPI:
    """:func:`create_app` of the configuration in :data:`CONFIG_ENV` (what ``assetloc serve``
    runs in each uvicorn worker); without it, the defaults (no token, no database). The
    worker's heap is settled once the app and the optimizer are loaded
    (:func:`assetloc.heap.settle`)."""
    import json
    import os

    from assetloc.batch.pool import HOT_PATH
    from assetloc.heap import settle

    config: dict[str, Any] = json.loads(os.environ.get(CONFIG_ENV) or "{}")
    hosts = config.get("hosts")
    app = create_app(
        token=config.get("token"),
        max_body=int(config.get("max_body") or 1_000_000),
        db=config.get("db"),
        hosts=None if hosts is None else frozenset(hosts),
        peers=config.get("peers"),
        workers=int(config.get("workers") or 1),
    )
    settle(HOT_PATH)  # the household's path loaded first, then frozen with the app
    return app


def _reads(app: FastAPI) -> None:
    """``GET /api/presets`` and ``GET /api/schema``."""

    @app.get("/api/presets", response_class=JSONText, responses=ok("array") | ERRORS)
    def presets() -> Response:
        """The bundled capital market assumptions (``assetloc presets --json``)."""
        from assetloc.present import jsonout
        from assetloc.present.documents import presets_document

        return JSONText(jsonout.line(presets_document()))

    @app.get("/api/schema", response_class=JSONText, responses=ok("object") | ERRORS)
    def schema() -> Response:
        """The JSON Schema of the household file (``assetloc schema``)."""
        import json

        from assetloc.inputs.household import household_schema

        return JSONText(json.dumps(household_schema(), separators=(",", ":")))


#: reads a request's household and answers with the document ``build`` makes of it:
#: ``(request, build, history, quick=False)``; ``quick``: on the event loop, not a thread
Run = Callable[..., Awaitable[Response]]


def _posts(app: FastAPI, run: Run) -> None:
    """One POST per command; the body is the household (:mod:`.body`)."""
    from assetloc.present import documents as d

    spec: dict[str, Any] = {
        "response_class": JSONText,
        "responses": ok("object") | ERRORS,
        "openapi_extra": body_spec(),
    }

    @app.post("/api/optimize", **spec)
    async def optimize(request: Request) -> Response:
        """The optimized allocation and location (``assetloc optimize --json``)."""
        return await run(request, d.optimize_document, False, quick=True)

    @app.post("/api/frontier", **spec)
    async def frontier(
        request: Request, points: Annotated[int, Query(ge=2, le=2000)] = 50
    ) -> Response:
        """The after-tax efficient frontier, both views (``assetloc frontier --json``)."""
        return await run(request, lambda h: d.frontier_document(h, points), False)

    @app.post("/api/compare", **spec)
    async def compare(request: Request) -> Response:
        """The optimization beside simpler methods (``assetloc compare --json``)."""
        return await run(request, d.compare_document, False, quick=True)

    @app.post("/api/taxes", **spec)
    async def taxes(request: Request) -> Response:
        """Effective tax rates and after-tax returns per class (``assetloc taxes --json``)."""
        return await run(request, d.taxes_document, False, quick=True)

    @app.post("/api/tax-year", **spec)
    async def tax_year(request: Request) -> Response:
        """The year's federal and state return (``assetloc tax-year --json``)."""
        return await run(request, d.tax_year_document, False, quick=True)

    @app.post("/api/rebalance", **spec)
    async def rebalance(request: Request) -> Response:
        """Trades toward the target at the least tax (``assetloc rebalance --json``)."""
        return await run(request, d.rebalance_document, True)

    @app.post("/api/harvest", **spec)
    async def harvest(request: Request) -> Response:
        """Taxable lots worth selling at a loss today (``assetloc harvest --json``)."""
        return await run(request, d.harvest_document, True)

    @app.post("/api/simulate", **spec)
    async def simulate(
        request: Request,
        paths: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
        years: Annotated[int | None, Query(ge=1, le=100)] = None,
        seed: Annotated[int | None, Query(ge=0)] = None,
        returns: Literal["montecarlo", "bootstrap", "deterministic"] | None = None,
    ) -> Response:
        """The household year by year (``assetloc simulate --json``); the options
        override the household's ``[plan]``."""
        return await run(
            request,
            lambda h: d.simulate_document(h, paths=paths, years=years, seed=seed, returns=returns),
            False,
        )
