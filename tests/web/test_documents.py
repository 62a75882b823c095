"""Every POST endpoint answers exactly the JSON that ``assetloc TASK FILE --json`` prints,
for a JSON body and for a TOML upload; an example the command refuses is a 422 with the
command's one-line message and exit code. The GET endpoints equal ``presets`` and ``schema``."""

from __future__ import annotations

import json
import tomllib
from typing import Any

import pytest
from fastapi.testclient import TestClient

from support.paths import EXAMPLES
from support.web import assetloc, cli_error, untimed

EXAMPLE_NAMES = ("three_accounts", "kaplan_net_worth")
#: the example with lots (a TOML date is a JSON string): what rebalance and harvest act on
LOTS = "rebalance"
#: endpoint -> (query string, the same options on the command line)
OPTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "optimize": ("", ()),
    "frontier": ("?points=20", ("--points", "20")),
    "compare": ("", ()),
    "taxes": ("", ()),
    "tax-year": ("", ()),
    "rebalance": ("", ()),
    "harvest": ("", ()),
    "simulate": ("?paths=200&years=5&seed=1", ("--paths", "200", "--years", "5", "--seed", "1")),
}


def _cli(task: str, name: str) -> tuple[int, Any]:
    """(exit code, the parsed document or the (message, code) of the failure)."""
    run = assetloc(task, str(EXAMPLES / f"{name}.toml"), *OPTIONS[task][1], "--json")
    if run.returncode == 0:
        return 0, untimed(task, json.loads(run.stdout))
    return run.returncode, cli_error(run)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
@pytest.mark.parametrize("task", list(OPTIONS))
def test_post_equals_the_cli_json(client: TestClient, task: str, name: str) -> None:
    _check(client, task, name)


@pytest.mark.parametrize("task", ["rebalance", "harvest"])
def test_trades_and_harvests_equal_the_cli_json(client: TestClient, task: str) -> None:
    _check(client, task, LOTS)


def _check(client: TestClient, task: str, name: str) -> None:
    """The JSON body's and the upload's responses equal the CLI's document or failure."""
    file = EXAMPLES / f"{name}.toml"
    url = f"/api/{task}{OPTIONS[task][0]}"
    body = json.loads(json.dumps(tomllib.loads(file.read_text()), default=str))
    as_json = client.post(url, json=body)
    upload = client.post(url, files={"file": (file.name, file.read_bytes(), "application/toml")})
    code, expected = _cli(task, name)
    for r in (as_json, upload):
        assert r.headers["content-type"] == "application/json"
        if code == 0:
            assert r.status_code == 200, r.text
            assert untimed(task, r.json()) == expected
        else:
            assert r.status_code == 422
            message, exit_code = expected
            assert r.json()["error"] == message
            assert r.json()["exit_code"] == exit_code


def test_the_documents_are_jsonout_lines(client: TestClient) -> None:
    """The values ``--json`` prints, keys in its order, written on one line (compact)."""
    file = EXAMPLES / "three_accounts.toml"
    r = client.post("/api/optimize", json=tomllib.loads(file.read_text()))
    cli = json.loads(assetloc("optimize", str(file), "--json").stdout)
    assert "\n" not in r.text
    assert r.json() == cli
    assert list(r.json()) == list(cli)


def test_presets_and_schema_equal_the_cli(client: TestClient) -> None:
    presets = client.get("/api/presets")
    assert presets.status_code == 200
    assert "\n" not in presets.text
    assert presets.json() == json.loads(assetloc("presets", "--json").stdout)
    schema = client.get("/api/schema")
    assert schema.status_code == 200
    assert schema.json() == json.loads(assetloc("schema").stdout)
