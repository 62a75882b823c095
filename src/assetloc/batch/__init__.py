"""Many households in one run: ``assetloc batch`` and :func:`run_batch`.

INPUT (a folder of TOML files or a JSON Lines file) → chunks → a process pool running one
task per household → JSON Lines rows appended per chunk, in input order."""

from __future__ import annotations

from assetloc.batch.engine import Summary, run_batch

__all__ = ["Summary", "run_batch"]
