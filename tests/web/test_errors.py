"""Bad input is a 422 with the CLI's one-line message, its field and exit code (never a 500
or a traceback); malformed JSON or TOML and FastAPI's own validation take the same shape
(``field`` and ``exit_code`` left out when there is none); a bug is a 500 naming the
exception, no traceback."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assetloc.present import documents

from support.paths import EXAMPLES
from support.web import assetloc, cli_error

THREE = (EXAMPLES / "three_accounts.toml").read_text()
REBALANCE = (EXAMPLES / "rebalance.toml").read_text()
#: bad households (as tests/batch has them): name -> (task, TOML text, the field named)
BAD = {
    "wrong_type": ("optimize", '[investor]\nordinary_rate = "high"\n', "investor.ordinary_rate"),
    "unknown_key": ("optimize", THREE.replace("[investor]", "[investor]\nordinary = 0.3"), None),
    "negative_balance": ("taxes", THREE.replace("balance = 150000", "balance = -1"), None),
    "bad_lot": ("harvest", REBALANCE.replace("cost_basis = 7900.0", "cost_basis = -1"), None),
    "bad_plan": ("simulate", THREE + "\n[plan]\npaths = 0\n", "plan.paths"),
    "no_holdings": ("rebalance", THREE, "accounts[0].balance"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_household_is_422_with_the_cli_message(
    client: TestClient, tmp_path: Path, name: str
) -> None:
    task, text, field = BAD[name]
    (tmp_path / "bad.toml").write_text(text)
    message, code = cli_error(assetloc(task, "bad.toml", "--json", cwd=tmp_path))
    body = json.loads(json.dumps(tomllib.loads(text), default=str))
    for r in (
        client.post(f"/api/{task}", json=body),
        client.post(f"/api/{task}", files={"file": ("bad.toml", text.encode())}),
    ):
        assert r.status_code == 422, r.text
        got = r.json()
        assert got["error"] == message
        assert got["exit_code"] == code == 2
        assert got["field"] == message.split(": ")[0]
        if field is not None:
            assert got["field"] == field


def test_malformed_toml_is_the_cli_message(client: TestClient, tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text("x = \n")
    message, code = cli_error(assetloc("optimize", "broken.toml", "--json", cwd=tmp_path))
    r = client.post("/api/optimize", files={"file": ("broken.toml", b"x = \n")})
    assert r.status_code == 422
    assert r.json() == {"error": message, "field": "broken.toml", "exit_code": code}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "household: not JSON: "),
        (b"[1, 2]", "household: must be a JSON object"),
        (b"", "household: not JSON: "),
        (b"\xff\xfe\x00", "household: not JSON: "),
        (b"[" * 100_000, "household: not JSON: "),
    ],
)
def test_malformed_json_is_422(client: TestClient, body: bytes, says: str) -> None:
    r = client.post("/api/optimize", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"].startswith(says)
    assert r.json()["exit_code"] == 2


def test_bad_uploads_are_422(client: TestClient) -> None:
    no_file = client.post("/api/optimize", files={"other": ("x.toml", b"")})
    assert no_file.status_code == 422 and no_file.json()["field"] == "file"
    binary = client.post("/api/optimize", files={"file": ("x.toml", b"\xff\xfe\xfa")})
    assert binary.status_code == 422
    assert binary.json()["error"] == (
        "x.toml: is not UTF-8 text: byte 0xff at line 1, byte 1 of the line "
        "(save the file as UTF-8)"
    )
    path = client.post("/api/optimize", files={"file": ("../../etc/x.toml", b"x = \n")})
    assert path.json()["field"] == "x.toml"  # the upload's name only, no folders
    other = client.post("/api/optimize", content=b"a=1", headers={"content-type": "text/plain"})
    assert other.status_code == 422 and other.json()["field"] == "content-type"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/frontier?points=1", "points"),
        ("/api/frontier?points=many", "points"),
        ("/api/simulate?paths=0", "paths"),
        ("/api/simulate?years=101", "years"),
        ("/api/simulate?seed=-1", "seed"),
        ("/api/simulate?returns=lucky", "returns"),
    ],
)
def test_bad_query_options_are_422_in_the_same_shape(
    client: TestClient, url: str, field: str
) -> None:
    r = client.post(url, json=tomllib.loads(THREE))
    assert r.status_code == 422
    got = r.json()
    assert set(got) == {"error", "field", "exit_code"}
    assert got["field"] == field and got["exit_code"] == 2
    assert got["error"].startswith(f"{field}: ") and "\n" not in got["error"]


def test_a_bug_is_500_without_a_traceback(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(loaded: object) -> dict[str, object]:
        raise KeyError("oops")

    monkeypatch.setattr(documents, "taxes_document", broken)
    r = client.post("/api/taxes", json=tomllib.loads(THREE))
    assert r.status_code == 500
    assert r.json() == {"error": "internal error: KeyError: 'oops'", "exit_code": 1}
    assert "Traceback" not in r.text


def test_script_in_an_account_id_survives_as_json(client: TestClient) -> None:
    evil = "<script>alert('x')</script>"
    text = THREE.replace('id = "roth"', f'id = "{evil}"')
    r = client.post("/api/optimize", files={"file": ("h.toml", text.encode())})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert [a["id"] for a in r.json()["accounts"]][-1] == evil
    bad = client.post("/api/optimize", json={"name": 1, evil: 2})
    assert bad.status_code == 422
    assert evil in bad.json()["error"]  # a JSON string: the client decides how to show it


def test_unknown_path_and_method_keep_the_shape(client: TestClient) -> None:
    assert client.get("/api/nothing").json()["error"] == "Not Found"
    r = client.get("/api/optimize")
    assert r.status_code == 405 and set(r.json()) == {"error"}  # no field, no CLI exit code
