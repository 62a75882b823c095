"""``create_app(db=URL)`` (``assetloc serve --db URL``): the server's database is the
ledger of a household with a ``[ledger]`` table (its answers equal the CLI's on the file
whose own ledger is that database) and holds ``/api/households``; a household without
``[ledger]`` answers as with no database."""

from __future__ import annotations

import json
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assetloc.web.app import create_app

from support.paths import EXAMPLES
from support.web import assetloc, untimed


@pytest.fixture(scope="module")
def ledger_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ledger example in a folder, its transactions imported into ``household.db``."""
    folder = tmp_path_factory.mktemp("ledger")
    for name in ("household.toml", "transactions.csv"):
        shutil.copy(EXAMPLES / "ledger" / name, folder / name)
    run = assetloc("ledger", "import", "household.toml", "transactions.csv", cwd=folder)
    assert run.returncode == 0, run.stderr
    return folder


@pytest.fixture(scope="module")
def served(ledger_dir: Path) -> Iterator[TestClient]:
    """A client of an app whose database is the ledger example's."""
    app = create_app(token=None, db=f"sqlite:///{ledger_dir / 'household.db'}")
    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize("task", ["optimize", "taxes", "rebalance", "harvest"])
def test_a_ledger_household_reads_the_server_database(
    served: TestClient, ledger_dir: Path, task: str
) -> None:
    text = (ledger_dir / "household.toml").read_text()
    # its own url names a database that is not there: the server's is used instead
    text = text.replace('url = "sqlite:///household.db"', 'url = "sqlite:///elsewhere.db"')
    body = json.loads(json.dumps(tomllib.loads(text), default=str))
    r = served.post(f"/api/{task}", json=body)
    assert r.status_code == 200, r.text
    cli = assetloc(task, "household.toml", "--json", cwd=ledger_dir)
    assert cli.returncode == 0, cli.stderr
    assert untimed(task, r.json()) == untimed(task, json.loads(cli.stdout))


def test_a_household_without_a_ledger_ignores_the_database(
    served: TestClient, client: TestClient
) -> None:
    body = tomllib.loads((EXAMPLES / "three_accounts.toml").read_text())
    with_db = served.post("/api/optimize", json=body)
    assert with_db.status_code == 200
    assert with_db.text == client.post("/api/optimize", json=body).text


def test_saved_households_are_served_with_a_database(
    served: TestClient, client: TestClient
) -> None:
    assert served.get("/api/households").status_code == 200
    assert client.get("/api/households").status_code == 404  # no database: no such routes
