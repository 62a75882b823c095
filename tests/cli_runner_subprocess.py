"""Run ``assetloc COMMAND ... --json`` as a real subprocess and parse its stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def run_json(*args: str) -> Any:
    """The parsed JSON of ``assetloc ARGS --json``; stdout must be one JSON document."""
    out = subprocess.run(
        [sys.executable, "-m", "assetloc", *args, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)
