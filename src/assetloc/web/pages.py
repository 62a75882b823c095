"""The page at ``/`` and its static files, Plotly's bundle included (served from the
installed ``plotly`` package: no CDN, no request leaves the machine)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, Response

#: what the page may load: only this server; Plotly sets inline styles on its charts
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
_STATIC = {"app.js": "text/javascript", "app.css": "text/css"}


def _here(*parts: str) -> Path:
    return Path(str(resources.files("assetloc.web").joinpath(*parts)))


def plotly_bundle() -> Path | None:
    """The minified plotly.js of the installed ``plotly`` package, or ``None``."""
    try:
        import plotly
    except ImportError:
        return None
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


def pages_router() -> APIRouter:
    """``GET /`` (the page) and ``GET /static/...`` (its script, style and Plotly)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    def index() -> Response:
        html = _here("page", "index.html").read_text(encoding="utf-8")
        return HTMLResponse(html, headers={"Content-Security-Policy": CSP})

    @router.get("/static/vendor/plotly.min.js")
    def plotly_js() -> Response:
        path = plotly_bundle()
        if path is None:
            raise HTTPException(404, "plotly is not installed: pip install 'assetloc[web]'")
        return FileResponse(
            path, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"}
        )

    @router.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in _STATIC:
            raise HTTPException(404, "no such file")
        return FileResponse(_here("static", name), media_type=_STATIC[name])

    return router
