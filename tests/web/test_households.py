"""``/api/households`` (assetloc.web.households) on a FastAPI app with TestClient: saved
households round-trip exactly, their ledgers answer what the CLI prints on the household
file with ``--db`` the same database, and errors are 404/409/422 JSON with the CLI's
message. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("multipart")

from fastapi import FastAPI
from fastapi.testclient import TestClient

from assetloc.web.households import households_router

from support.ledger_db import BACKENDS, database_url
from support.paths import ROOT
from support.saved_households import (
    BAD,
    LEDGER_CSV,
    LEDGER_HOUSEHOLD,
    bad,
    document,
    minimal,
)

CliResult = tuple[int, str, str]
API = "/api/households"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(households_router(db_url))
    with TestClient(app) as c:
        yield c


def run(*args: str) -> CliResult:
    """``python -m assetloc ARGS`` in a subprocess: (exit code, stdout, stderr)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    p = subprocess.run(
        [sys.executable, "-m", "assetloc", *args], capture_output=True, text=True, env=env,
        cwd=ROOT, check=False,
    )  # fmt: skip
    return p.returncode, p.stdout, p.stderr


def cli_doc(*args: str) -> Any:
    code, out, err = run(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def post(client: TestClient, doc: Any) -> Any:
    r = client.post(API, content=json.dumps(doc), headers={"content-type": "application/json"})
    assert r.status_code == 201, r.text
    return r.json()


def test_crud_round_trip_returns_the_json_given(client: TestClient) -> None:
    doc = document()
    doc["investor"]["state_rate"] = 0.1 + 0.2  # not rounded as --json numbers are
    body = json.dumps(doc)
    r = client.post(API, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 201 and r.headers["content-type"] == "application/json"
    rec = r.json()
    assert list(rec) == ["id", "name", "revision", "created_at", "updated_at", "household"]
    assert json.dumps(rec["household"]) == body  # every key, in order, every digit
    assert rec["name"] == "ledger-example" and rec["revision"] == 1
    hid = rec["id"]

    got = client.get(f"{API}/{hid}")
    assert got.status_code == 200 and got.json() == rec
    assert json.dumps(got.json()["household"]) == body
    listed = client.get(API)
    assert listed.status_code == 200
    assert listed.json() == [
        {"id": hid, "name": "ledger-example", "updated_at": rec["updated_at"], "revision": 1}
    ]

    doc2 = {**doc, "accounts": doc["accounts"][:2]}
    put = client.put(f"{API}/{hid}", json={"household": doc2, "revision": 1})
    assert put.status_code == 200, put.text
    assert put.json()["revision"] == 2 and put.json()["household"] == doc2
    assert put.json()["created_at"] == rec["created_at"]
    bare = client.put(f"{API}/{hid}", content=body, headers={"content-type": "application/json"})
    assert bare.status_code == 200 and bare.json()["revision"] == 3
    assert json.dumps(bare.json()["household"]) == body

    gone = client.delete(f"{API}/{hid}")
    assert gone.status_code == 204 and gone.content == b""
    assert client.get(API).json() == []


def test_markup_in_a_name_round_trips_as_data(client: TestClient) -> None:
    name = '<script>alert("x")</script>\''
    rec = post(client, minimal(name))
    assert rec["name"] == name and rec["household"]["name"] == name
    assert rec["id"].startswith("script-alert-x-script-")
    got = client.get(f"{API}/{rec['id']}")
    assert got.headers["content-type"] == "application/json"
    assert got.json()["name"] == name
    assert client.get(API).json()[0]["name"] == name


def test_unknown_id_is_404(client: TestClient) -> None:
    for method, path in [
        ("GET", "/nope"),
        ("PUT", "/nope"),
        ("DELETE", "/nope"),
        ("GET", "/nope/ledger/lots"),
        ("GET", "/nope/ledger/realized?year=2026"),
        ("GET", "/nope/ledger/form8949.csv?year=2026"),
    ]:
        r = client.request(method, API + path, json=minimal())
        assert r.status_code == 404, (method, path, r.text)
        assert r.json() == {"error": "id: no saved household 'nope'", "field": "id"}
    r = client.post(f"{API}/nope/ledger/import", files={"file": ("t.csv", b"x")})
    assert r.status_code == 404 and r.json()["field"] == "id"


def test_duplicate_name_and_stale_revision_are_409(client: TestClient) -> None:
    first = post(client, minimal("smith"))
    r = client.post(API, json=minimal("smith"))
    assert r.status_code == 409
    assert r.json() == {
        "error": f"name: a saved household is named 'smith' already (id {first['id']})",
        "field": "name",
        "exit_code": 2,
    }
    post(client, minimal("jones"))
    client.put(f"{API}/{first['id']}", json={"household": minimal("smith"), "revision": 1})
    stale = client.put(f"{API}/{first['id']}", json={"household": minimal("x"), "revision": 1})
    assert stale.status_code == 409
    assert stale.json() == {
        "error": "revision: is 1, the saved household is at 2: reload it",
        "field": "revision",
        "exit_code": 2,
    }
    taken = client.put(f"{API}/{first['id']}", json={"household": minimal("jones")})
    assert taken.status_code == 409 and taken.json()["field"] == "name"
    assert client.get(f"{API}/{first['id']}").json()["revision"] == 2


@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_bad_household_is_422_with_the_clis_message(
    kind: str,
    client: TestClient,
    household_file: Callable[..., str],
    cli: Callable[..., CliResult],
) -> None:
    toml_text, raw = bad(kind)
    code, _, err = cli("ledger", "lots", household_file(toml_text), "--db", "sqlite://")
    assert code == 2 and err.startswith("error: ")
    r = client.post(API, json=raw)
    assert r.status_code == 422
    doc = r.json()
    assert doc["error"] == err.removeprefix("error: ").rstrip("\n")
    assert doc["exit_code"] == 2 and doc["error"].startswith(doc["field"] + ": ")
    assert client.get(API).json() == []


@pytest.mark.parametrize(
    ("body", "field", "start"),
    [
        (b"{not json", "household", "household: not JSON: "),
        (b"[1, 2]", "household", "household: must be a JSON object"),
        (b'{"name": NaN}', "household", "household: not JSON: NaN"),
        (b"\xff", "household", "household: not JSON: the body is not UTF-8"),
        (json.dumps({k: v for k, v in minimal().items() if k != "name"}).encode(), "name", ""),
    ],
)
def test_a_body_that_is_not_a_household_is_422(
    client: TestClient, body: bytes, field: str, start: str
) -> None:
    r = client.post(API, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["field"] == field and r.json()["error"].startswith(start)
    assert r.json()["exit_code"] == 2


def test_put_envelope_is_checked(client: TestClient) -> None:
    hid = post(client, minimal())["id"]
    for body, field in [
        ({"household": minimal(), "revision": "1"}, "revision"),
        ({"household": minimal(), "revision": True}, "revision"),
        ({"household": minimal(), "rev": 1}, "rev"),
    ]:
        r = client.put(f"{API}/{hid}", json=body)
        assert r.status_code == 422 and r.json()["field"] == field, r.text


def test_the_ledger_answers_what_the_cli_prints(
    client: TestClient, db_url: str, tmp_path: Path
) -> None:
    """Import through the API, then the CLI on the TOML with --db the same URL agrees."""
    hid = post(client, document())["id"]
    base = f"{API}/{hid}/ledger"
    empty = client.get(f"{base}/lots")  # no transactions yet: the CLI's error
    code, _, err = run("ledger", "lots", str(LEDGER_HOUSEHOLD), "--db", db_url)
    assert empty.status_code == 422 and code == 2
    assert empty.json()["error"] == err.removeprefix("error: ").strip()

    with LEDGER_CSV.open("rb") as f:
        r = client.post(f"{base}/import", files={"file": ("transactions.csv", f, "text/csv")})
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["added"] > 0 and first["skipped"] == 0 and first["household"] == "ledger-example"
    assert first["source"] == "transactions.csv"
    again = cli_doc("ledger", "import", str(LEDGER_HOUSEHOLD), str(LEDGER_CSV), "--db", db_url)
    assert again["added"] == 0 and again["skipped"] == first["added"]
    with LEDGER_CSV.open("rb") as f:
        r = client.post(
            f"{base}/import",
            files={"file": ("../x/transactions.csv", f)},
            data={"format": "LEDGER"},
        )
    assert r.status_code == 200 and r.json() == again  # same document as the CLI's

    for as_of in ("2026-12-31", "2025-06-30"):
        lots = client.get(f"{base}/lots", params={"as_of": as_of})
        assert lots.status_code == 200
        assert lots.json() == cli_doc(
            "ledger", "lots", str(LEDGER_HOUSEHOLD), "--db", db_url, "--as-of", as_of
        )
    today = client.get(f"{base}/lots").json()
    assert today == cli_doc("ledger", "lots", str(LEDGER_HOUSEHOLD), "--db", db_url)
    for year in (2025, 2026):
        got = client.get(f"{base}/realized", params={"year": year})
        assert got.status_code == 200
        assert got.json() == cli_doc(
            "ledger", "realized", str(LEDGER_HOUSEHOLD), "--db", db_url, "--year", str(year)
        )
    assert got.json()["sales"]  # 2026 has the wash sale

    for boxes in ([], ["--box-short", "b"], ["--box-short", "C", "--box-long", "d"]):
        out = tmp_path / "8949.csv"
        code, _, err = run(
            "ledger", "form8949", str(LEDGER_HOUSEHOLD), "--db", db_url, "--year", "2026",
            "-o", str(out), *boxes,
        )  # fmt: skip
        assert code == 0, err
        params = {"year": "2026", **{k[2:].replace("-", "_"): v for k, v in zip(
            boxes[::2], boxes[1::2], strict=True)}}  # fmt: skip
        csv = client.get(f"{base}/form8949.csv", params=params)
        assert csv.status_code == 200
        assert csv.content == out.read_bytes()
        assert csv.headers["content-type"].startswith("text/csv")
        assert csv.headers["content-disposition"] == 'attachment; filename="form8949-2026.csv"'


def test_ledger_errors_are_422_with_the_clis_message(client: TestClient, db_url: str) -> None:
    hid = post(client, document())["id"]
    base = f"{API}/{hid}/ledger"
    r = client.post(f"{base}/import", data={"format": "ledger"})
    assert r.status_code == 422 and r.json()["field"] == "file"
    bad_row = b"date,account,symbol,action,shares,price\n2024-01-02,brokerage,VTI,buy,1,abc\n"
    r = client.post(f"{base}/import", files={"file": ("bad.csv", bad_row)})
    assert r.status_code == 422
    assert r.json() == {
        "error": "bad.csv row 2, column price: not a number ('abc')",
        "field": "bad.csv row 2, column price",
        "exit_code": 2,
    }
    for path, params, field in [
        ("/realized", {}, "year"),
        ("/realized", {"year": "twenty"}, "year"),
        ("/lots", {"as_of": "June"}, "as_of"),
        ("/form8949.csv", {"year": "2026", "box_short": "Q"}, "--box-short"),
    ]:
        r = client.get(base + path, params=params)
        assert r.status_code == 422 and r.json()["field"] == field, r.text
    r = client.post(f"{base}/import", files={"file": ("t.csv", b"x")}, data={"as_of": "soon"})
    assert r.status_code == 422 and r.json()["field"] == "as_of"
    r = client.post(f"{base}/import", files={"file": ("t.csv", b"x")}, data={"format": "xls"})
    assert r.status_code == 422 and r.json()["field"] == "--format"


def test_delete_keeps_the_ledger_unless_purged(client: TestClient, db_url: str) -> None:
    hid = post(client, document())["id"]
    with LEDGER_CSV.open("rb") as f:
        client.post(f"{API}/{hid}/ledger/import", files={"file": ("transactions.csv", f)})
    assert client.delete(f"{API}/{hid}").status_code == 204
    code, _, err = run(
        "ledger", "realized", str(LEDGER_HOUSEHOLD), "--db", db_url, "--year", "2026"
    )
    assert code == 0, err  # the ledger is still there
    hid = post(client, document())["id"]
    assert client.get(f"{API}/{hid}/ledger/realized", params={"year": 2026}).status_code == 200
    bad_flag = client.delete(f"{API}/{hid}", params={"purge_ledger": "maybe"})
    assert bad_flag.status_code == 422 and bad_flag.json()["field"] == "purge_ledger"
    assert client.delete(f"{API}/{hid}", params={"purge_ledger": "true"}).status_code == 204
    code, _, err = run(
        "ledger", "realized", str(LEDGER_HOUSEHOLD), "--db", db_url, "--year", "2026"
    )
    assert code == 2 and "holds no transactions of household 'ledger-example'" in err


def test_openapi_documents_every_status(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    assert set(paths[API]["post"]["responses"]) == {"201", "404", "409", "422"}
    assert "requestBody" in paths[API]["post"]
    assert set(paths[API]["get"]["responses"]) >= {"200"}
    one = paths[API + "/{hid}"]
    assert set(one["get"]["responses"]) >= {"200", "404"}
    assert set(one["put"]["responses"]) >= {"200", "404", "409", "422"}
    assert set(one["delete"]["responses"]) >= {"204", "404"}
    csv = paths[API + "/{hid}/ledger/form8949.csv"]["get"]["responses"]
    assert "text/csv" in csv["200"]["content"]
    error = spec["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"error", "field", "exit_code"}
    imp = paths[API + "/{hid}/ledger/import"]["post"]
    assert "multipart/form-data" in imp["requestBody"]["content"]
