"""Paths of the repository the tests read: its root, the examples, the bundled data."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DATA = ROOT / "src" / "assetloc" / "data"
README = ROOT / "README.md"
