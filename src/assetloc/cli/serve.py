"""`assetloc serve`: the local web app's JSON API on uvicorn, in ``--workers`` processes
(thin shell over :func:`assetloc.web.app.app_from_environment`, configured through
:data:`assetloc.web.app.CONFIG_ENV`; needs the ``web`` extra)."""

from __future__ import annotations

from typing import Annotated

import typer

#: hosts that only this machine reaches: no token needed
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an IP address) is this machine only."""
    import ipaddress

    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def default_db() -> str:
    """The server's database when ``--db`` is not given: SQLite in the user's data folder
    (``$XDG_DATA_HOME/assetloc/assetloc.db``, else ``~/.local/share/assetloc/assetloc.db``;
    the folder is created)."""
    import os
    from pathlib import Path

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    folder = Path(base) / "assetloc"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'assetloc.db'}"


def _serve(
    host: Annotated[str, typer.Option("--host", help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port")] = 8000,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="the server's database (SQLAlchemy URL): saved households, and the ledger "
            "of every household with a \\[ledger] table (default: sqlite in "
            "~/.local/share/assetloc/assetloc.db)",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="ASSETLOC_TOKEN",
            help="every /api request needs 'Authorization: Bearer TOKEN' (needed off loopback)",
        ),
    ] = None,
    max_body: Annotated[
        int, typer.Option("--max-body", min=1, help="largest request body, bytes")
    ] = 1_000_000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="uvicorn worker processes (each runs the app; jobs are kept in --db, so any "
            "worker answers for any job). One worker is CPU-bound in one Python process; 2 on "
            "a 2-core machine roughly doubles the throughput",
        ),
    ] = 1,
) -> None:
    """Serve the JSON API (the --json of every command) on HOST:PORT until Ctrl-C."""
    import os
    import tempfile

    from assetloc.errors import InputError

    if not token:
        token = None
    if token is None and not is_loopback(host):
        raise InputError(
            f"--host {host}",
            "another host requires --token T (or ASSETLOC_TOKEN): the API would be open "
            "to the network without one",
        )
    try:
        import fastapi  # noqa: F401
        import multipart  # noqa: F401
        import uvicorn
    except ImportError as err:
        raise InputError(
            "serve", f"needs the web extra ({err.name} is missing): install assetloc[web]"
        ) from None
    from assetloc.ledger.store import open_store
    from assetloc.web.app import CONFIG_ENV, FACTORY, peers_table, serve_config

    # without a token only loopback names are served: a page re-pointed here by DNS
    # rebinding sends its own name as the Host
    hosts = LOOPBACK_NAMES | {host.strip("[]").lower()} if token is None else None
    if db is None:
        try:
            db = default_db()
        except OSError as err:
            message = f"cannot create the default database's folder: {err}"
            raise InputError("--db", message) from None
    # opened (and migrated) here, once: a bad --db is one line before any worker starts,
    # and the workers never race to migrate it
    open_store(db, create=True).dispose()
    # the workers read their configuration from the environment: the token stays off
    # every command line (uvicorn starts each worker by the factory's import string)
    with tempfile.TemporaryDirectory(prefix="assetloc-serve-") as folder:
        # with several workers, they count their connections in a shared table to even
        # them out (assetloc.web.keepalive)
        peers = peers_table(folder) if workers > 1 else None
        os.environ[CONFIG_ENV] = serve_config(
            token=token, max_body=max_body, db=db, hosts=hosts, peers=peers, workers=workers
        )
        shown = f"[{host}]" if ":" in host else host
        page = f"http://{shown}:{port}/" + ("?token=YOUR_TOKEN" if token else "")
        say = f"assetloc serve: the page at {page}, the API under /api (Ctrl-C stops)"
        typer.echo(say, err=True)
        typer.echo(f"assetloc serve: saved households and ledgers in {_shown_url(db)}", err=True)
        uvicorn.run(
            FACTORY, factory=True, host=host, port=port, workers=workers, log_level="warning"
        )


def _shown_url(url: str) -> str:
    """``url`` with any password hidden."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a malformed URL is reported by create_app's database open
        return url


def register(app: typer.Typer) -> None:
    """Attach ``serve`` to ``app``."""
    app.command("serve")(_serve)
