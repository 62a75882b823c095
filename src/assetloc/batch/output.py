"""The batch's OUTPUT: JSON Lines appended whole chunks at a time.

A chunk's rows go out in one ``write`` then ``flush`` + ``fsync``, so a killed run leaves
whole rows but for a torn last line (a kill or a power loss inside a large write, which
Linux may stop part way), cut off on ``--resume``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import BinaryIO

from assetloc.batch.tasks import task_of
from assetloc.errors import InputError


def done_ids(out: Path, task: str | None = None, shown: Path | None = None) -> dict[str, int]:
    """Ids already in ``out`` (for ``--resume``) with their rows' exit codes (0: ok), after
    cutting a torn last line; with
    ``task``, an ok row of another task's document is an :class:`InputError` (resuming
    with another ``--task`` would mix two tasks' rows in one OUTPUT); ``shown``: the OUTPUT
    the user named, when ``out`` is its journal."""
    if not out.exists():
        return {}
    data = out.read_bytes()
    whole = data[: data.rfind(b"\n") + 1]
    if len(whole) != len(data):
        with out.open("r+b") as f:
            f.truncate(len(whole))
    ids: dict[str, int] = {}
    for n, line in enumerate(whole.splitlines(), start=1):
        try:
            row = json.loads(line)
            ids[row["id"]] = 0 if row.get("status") == "ok" else int(row.get("exit_code") or 1)
        except (ValueError, KeyError, TypeError):
            raise InputError(f"--out {out}:{n}", "is not a batch row: cannot resume") from None
        if task is not None and row.get("status") == "ok":
            other = task_of(row.get("result"))
            if other is not None and other != task:
                raise InputError(
                    "--task",
                    f"{task!r}, but --out {shown or out} holds {other!r} rows: --resume goes on "
                    "with the task it was started with (give that --task, or another --out)",
                )
    return ids


def open_output(out: Path, *, resume: bool) -> BinaryIO:
    """``out`` opened to append (``resume``) or emptied; a bad path is one line."""
    try:
        return out.open("ab" if resume else "wb")
    except OSError as err:
        raise InputError("--out", f"{out} cannot be written ({err.strerror})") from None


def append_chunk(f: BinaryIO, lines: list[str]) -> None:
    """Append ``lines`` as whole lines in one write, flushed to disk."""
    if not lines:
        return
    f.write("".join(line + "\n" for line in lines).encode())
    f.flush()
    os.fsync(f.fileno())
