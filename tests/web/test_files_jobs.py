"""The page's routes beyond the commands' JSON, each against the CLI run as a user runs it:
the household TOML read in and written back (a round trip), the orders CSV (the bytes of
``rebalance --orders``), a holdings CSV (``import-holdings --json``), the HTML report, and
jobs: a simulation run as a job equals ``simulate --json`` and reports its progress; a bad
household's job fails with the CLI's message."""

from __future__ import annotations

import json
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from support.paths import EXAMPLES
from support.web import assetloc, untimed

ROUND_TRIP = ("three_accounts", "kaplan_net_worth", "rebalance", "four_accounts", "retired_couple")


def _upload(path: Path) -> dict[str, Any]:
    return {"file": (path.name, path.read_bytes(), "application/toml")}


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_toml_round_trip_keeps_every_field(client: TestClient, name: str) -> None:
    """parse(upload) -> JSON -> TOML -> tomllib: the file's own tables, dates as strings."""
    file = EXAMPLES / f"{name}.toml"
    parsed = client.post("/api/household/parse", files=_upload(file))
    assert parsed.status_code == 200, parsed.text
    raw = parsed.json()
    want = json.loads(json.dumps(tomllib.loads(file.read_text()), default=str))
    assert raw == want
    written = client.post("/api/household/toml", json=raw)
    assert written.status_code == 200
    assert written.headers["content-disposition"].startswith("attachment; filename=")
    again = json.loads(json.dumps(tomllib.loads(written.text), default=str))
    assert again == want
    assert "not tax advice" in written.text.splitlines()[1]


def test_toml_leaves_nulls_out(client: TestClient) -> None:
    body = {"name": "n", "investor": {"ordinary_rate": 0.24, "age": None}, "accounts": []}
    got = tomllib.loads(client.post("/api/household/toml", json=body).text)
    assert got == {"name": "n", "investor": {"ordinary_rate": 0.24}, "accounts": []}


def test_parse_reports_bad_toml_with_the_file_name(client: TestClient) -> None:
    r = client.post("/api/household/parse", files={"file": ("mine.toml", b"x = \n")})
    assert r.status_code == 422
    assert r.json()["error"].startswith("mine.toml")


def test_orders_csv_is_the_cli_file(client: TestClient, tmp_path: Path) -> None:
    file = EXAMPLES / "rebalance.toml"
    r = client.post("/api/rebalance/orders.csv", files=_upload(file))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    out = tmp_path / "orders.csv"
    run = assetloc("rebalance", str(file), "--orders", str(out))
    assert run.returncode == 0, run.stderr
    assert r.content == out.read_bytes()
    assert r.content.count(b"\n") > 1


def test_orders_csv_of_a_household_without_positions_is_the_cli_message(
    client: TestClient,
) -> None:
    file = EXAMPLES / "three_accounts.toml"
    r = client.post("/api/rebalance/orders.csv", files=_upload(file))
    run = assetloc("rebalance", str(file), "--orders", "/dev/null")
    assert run.returncode == 2
    assert r.status_code == 422
    assert f"error: {r.json()['error']}" == run.stderr.strip().splitlines()[-1]


def test_import_holdings_equals_the_cli(client: TestClient, tmp_path: Path) -> None:
    csv = tmp_path / "holdings.csv"
    csv.write_text(
        "account,type,symbol,shares,price,acquired,cost_basis\n"
        "brokerage,taxable,CASH,5000,,,\n"
        "brokerage,taxable,VTI,60,250.00,2020-01-15,9000.00\n"
        "brokerage,taxable,VTI,40,250.00,2025-03-02,11800.00\n"
        "ira,traditional,BND,300,72.50,,\n"
    )
    r = client.post("/api/import-holdings", files={"file": ("holdings.csv", csv.read_bytes())})
    run = assetloc("import-holdings", str(csv), "--json")
    assert run.returncode == 0, run.stderr
    assert r.status_code == 200
    assert r.json() == json.loads(run.stdout)
    bad = client.post("/api/import-holdings", files={"file": ("h.csv", b"account,symbol\nx,VTI\n")})
    assert bad.status_code == 422 and bad.json()["error"].startswith("h.csv")


def test_report_is_the_html_report(client: TestClient) -> None:
    file = EXAMPLES / "three_accounts.toml"
    r = client.post("/api/report?points=10", files=_upload(file))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert r.text.lstrip().lower().startswith("<!doctype html")
    assert "not tax advice" in r.text and "$200,000" in r.text


def _wait(client: TestClient, job_id: str) -> dict[str, Any]:
    seen: list[dict[str, Any]] = []
    for _ in range(600):
        v = client.get(f"/api/jobs/{job_id}").json()
        seen.append(v)
        if v["status"] != "running":
            return v
        time.sleep(0.05)
    raise AssertionError(f"job still running: {seen[-1]}")


def test_simulate_job_equals_the_cli(client: TestClient) -> None:
    file = EXAMPLES / "three_accounts.toml"
    start = client.post("/api/jobs/simulate?paths=200&years=5&seed=1", files=_upload(file))
    assert start.status_code == 202
    assert start.json()["status"] == "running"
    done = _wait(client, start.json()["id"])
    assert done["status"] == "done", done
    assert done["done"] == done["total"] > 0  # one step per strategy
    run = assetloc("simulate", str(file), "--paths", "200", "--years", "5", "--seed", "1", "--json")
    assert untimed("simulate", done["result"]) == untimed("simulate", json.loads(run.stdout))


def test_failed_job_reports_the_cli_message(client: TestClient) -> None:
    file = EXAMPLES / "three_accounts.toml"
    body = json.loads(json.dumps(tomllib.loads(file.read_text()), default=str))
    body["accounts"][1]["balance"] = -5
    done = _wait(client, client.post("/api/jobs/optimize", json=body).json()["id"])
    assert done["status"] == "error"
    assert (
        done["error"]["error"] == "accounts[1].balance: input should be greater than or equal to 0"
    )
    assert done["error"]["exit_code"] == 2


def test_unknown_job_and_task(client: TestClient) -> None:
    r = client.get("/api/jobs/nope")
    assert r.status_code == 404 and r.json()["field"] == "id"
    assert client.post("/api/jobs/dance", json={}).status_code == 422


def test_page_and_its_files(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for src in ("/static/app.js", "/static/app.css", "/static/vendor/plotly.min.js"):
        assert client.get(src).status_code == 200, src
        assert src in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # nothing from elsewhere
    assert client.get("/static/../pyproject.toml").status_code == 404
