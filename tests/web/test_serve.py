"""``assetloc serve``: a real server answers ``GET /api/presets`` and stops on SIGTERM; a
host other than loopback without a token is refused (exit 2, one line)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from assetloc.cli.serve import is_loopback

from support.server import OPENER, free_port
from support.server import request as _get
from support.server import wait_listening as _wait
from support.web import ENV, assetloc


def test_serve_without_token_answers_its_loopback_names_only(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in ENV.items() if k != "ASSETLOC_TOKEN"}
    env["XDG_DATA_HOME"] = str(tmp_path)
    cmd = [sys.executable, "-m", "assetloc", "serve", "--port", str(port)]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert _wait(f"http://127.0.0.1:{port}/api/presets", server, None)[0] == 200
        assert _get(f"http://localhost:{port}/api/schema")[0] == 200
        rebound = urllib.request.Request(f"http://127.0.0.1:{port}/api/presets")
        rebound.add_header("Host", f"evil.test:{port}")
        with pytest.raises(urllib.error.HTTPError) as err:
            OPENER.open(rebound, timeout=5)
        assert err.value.code == 403
    finally:
        server.terminate()
        server.communicate(timeout=15)


def test_serve_answers_then_stops(tmp_path: Path) -> None:
    port = free_port()
    # no --db: the default database in the user's data folder (here a temporary one)
    env = {**ENV, "ASSETLOC_TOKEN": "t0ken", "XDG_DATA_HOME": str(tmp_path)}
    cmd = [sys.executable, "-m", "assetloc", "serve", "--port", str(port)]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/api/presets"
        status, body = _wait(url, server, "t0ken")
        assert status == 200
        assert [p["name"] for p in json.loads(body)]
        assert _get(url)[0] == 401  # ASSETLOC_TOKEN is the token
    finally:
        server.terminate()
        out, err = server.communicate(timeout=15)
    assert out == b""
    page = f"http://127.0.0.1:{port}/?token=YOUR_TOKEN"  # the token itself is not printed
    assert err.decode().splitlines()[:2] == [
        f"assetloc serve: the page at {page}, the API under /api (Ctrl-C stops)",
        f"assetloc serve: saved households and ledgers in sqlite:///{tmp_path}/assetloc/assetloc.db",
    ]
    assert (tmp_path / "assetloc" / "assetloc.db").is_file()
    assert b"t0ken" not in err
    assert b"Traceback" not in err


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org", "::"])
def test_another_host_needs_a_token(host: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ASSETLOC_TOKEN"}
    cmd = [sys.executable, "-m", "assetloc", "serve", "--host", host]
    run = subprocess.run(
        cmd,
        env={**env, "PYTHONPATH": ENV["PYTHONPATH"]},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.splitlines() == [run.stderr.strip()]
    assert run.stderr.startswith(f"error: --host {host}: another host requires --token ")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.0.0.2", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("10.0.0.1", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_missing_web_extra_is_exit_2() -> None:
    """Without fastapi importable: one line naming the extra."""
    blocker = (
        "import sys\n"
        "sys.modules['fastapi'] = None\n"
        "from assetloc.cli.app import main\n"
        "main(['serve'])\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", blocker], env=ENV, capture_output=True, text=True, check=False
    )
    assert run.returncode == 2
    assert run.stderr.strip().endswith("install assetloc[web]")
    assert "\n" not in run.stderr.strip()
    assert assetloc("serve", "--help").returncode == 0
