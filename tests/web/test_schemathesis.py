"""Property-based API tests from the app's own OpenAPI document (schemathesis): the GET
endpoints and ``POST /api/optimize`` with generated households (JSON and uploads) never
answer 5xx, and every answer conforms to what the document declares."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from assetloc.web.app import create_app

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(token=None))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schema.include(path_regex="^/api/(presets|schema|optimize)$").parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_and_never_fails(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


#: generated options reach a million simulated paths or 2,000 frontier points (a minute
#: each): those routes are checked on the examples (tests/web/test_documents.py,
#: test_files_jobs.py), not generated here
_REST = r"^/api/(?!presets$|schema$|optimize$|simulate$|frontier$|report$|jobs/\{task\}$).*"


def _with_db() -> schemathesis.BaseSchema:
    import tempfile
    from pathlib import Path

    db = Path(tempfile.mkdtemp(prefix="assetloc-st-")) / "st.db"
    return schemathesis.openapi.from_asgi(
        "/openapi.json", create_app(token=None, db=f"sqlite:///{db}")
    )


rest = _with_db()


@rest.include(path_regex=_REST).parametrize()
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_other_route_conforms_and_never_fails(case: schemathesis.Case) -> None:
    """frontier, compare, taxes, tax-year, rebalance, harvest, the files and jobs routes and
    the saved households with their ledger."""
    case.call_and_validate(checks=CHECKS)
