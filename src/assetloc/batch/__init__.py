"""Many households in one run: ``assetloc batch`` and :func:`run_batch`.

INPUT (a folder of TOML files, a JSON Lines or a Parquet file) → chunks → a process pool
running one task per household → JSON Lines rows appended per chunk, in input order (for a
Parquet OUTPUT, to a journal that becomes the Parquet file at the end)."""

from __future__ import annotations

from assetloc.batch.engine import Summary, run_batch
from assetloc.errors import BatchStopped

__all__ = ["BatchStopped", "Summary", "run_batch"]
