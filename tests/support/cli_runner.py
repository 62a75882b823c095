"""Run the CLI in-process and capture what a user would see."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import pytest

from assetloc.cli.app import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``assetloc ARGS``."""
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(*args: str) -> dict[str, Any]:
    """The JSON document of ``assetloc ARGS --json``, run in-process without pytest's
    capture (for module-scoped fixtures); a non-zero exit fails the test."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main([*args, "--json"])
        except SystemExit as exc:
            assert not exc.code, out.getvalue()
    doc: dict[str, Any] = json.loads(out.getvalue())
    return doc
