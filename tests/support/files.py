"""Household files written for a test (into its own temporary directory)."""

from __future__ import annotations

from pathlib import Path


def write_file(directory: Path, text: str, name: str = "household.toml") -> str:
    """Write ``text`` to ``directory/name`` (UTF-8) and return the path as a string."""
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return str(path)
