"""The batch's OUTPUT: JSON Lines appended whole chunks at a time.

A chunk's rows go out in one ``write`` then ``flush`` + ``fsync``, so a killed run leaves
whole rows but for a torn last line (a kill or a power loss inside a large write, which
Linux may stop part way), cut off on ``--resume``."""

from __future__ import annotations

import errno
import json
import os
import stat
from io import FileIO
from pathlib import Path

from assetloc.batch.tasks import another_task, task_of
from assetloc.errors import InputError


def done_ids(out: Path, task: str | None = None, shown: Path | None = None) -> dict[str, int]:
    """Ids already in ``out`` (for ``--resume``) with their rows' exit codes (0: ok), read
    from its whole lines (a torn last line is not read; :func:`cut_torn_line` cuts it once
    the run may go on); with
    ``task``, an ok row of another task's document is an :class:`InputError` (resuming
    with another ``--task`` would mix two tasks' rows in one OUTPUT); ``shown``: the OUTPUT
    the user named, when ``out`` is its journal. A line that is no batch row (an id, and a
    status ``ok`` or ``error``) is an :class:`InputError`."""
    if not out.exists():
        return {}
    data = out.read_bytes()
    whole = data[: data.rfind(b"\n") + 1]
    ids: dict[str, int] = {}
    for n, line in enumerate(whole.splitlines(), start=1):
        try:
            row = json.loads(line)
            status = row["status"]
            if status not in ("ok", "error") or not isinstance(row["id"], str):
                raise ValueError(status)
            ids[row["id"]] = 0 if status == "ok" else int(row.get("exit_code") or 1)
        except (ValueError, KeyError, TypeError):
            raise InputError(f"--out {out}:{n}", "is not a batch row: cannot resume") from None
        if task is not None and status == "ok":
            other = task_of(row.get("result"))
            if other is not None and other != task:
                raise another_task(task, other, shown or out)
    return ids


def cut_torn_line(out: Path) -> None:
    """Cut a torn last line off ``out`` (a kill inside a write), before appending to it."""
    if not out.exists():
        return
    with out.open("r+b") as f:
        size = f.seek(0, os.SEEK_END)
        keep = size
        while keep > 0:  # back to the last newline, a block at a time
            step = min(keep, 1 << 16)
            f.seek(keep - step)
            block = f.read(step)
            at = block.rfind(b"\n")
            if at >= 0:
                keep = keep - step + at + 1
                break
            keep -= step
        if keep != size:
            f.truncate(keep)


def check_out(out: Path) -> None:
    """One :class:`InputError` unless ``out`` can be the batch's OUTPUT: a regular file, or
    a new one in a folder that exists. Not a folder, nor a device (``/dev/null``), pipe or
    socket: each chunk is synced to disk and ``--resume`` reads the file back."""
    try:
        mode = out.stat().st_mode
    except FileNotFoundError:
        if not out.parent.is_dir():
            raise InputError("--out", f"{out} cannot be written: no folder {out.parent}") from None
        return
    except OSError:
        return  # a path under a file, say: opening it says why
    if stat.S_ISDIR(mode):
        example = "plans.parquet" if out.suffix.lower() == ".parquet" else "rows.jsonl"
        raise InputError("--out", f"{out} is a directory: give a file, e.g. {example}")
    if not stat.S_ISREG(mode):
        raise InputError(
            "--out",
            f"{out} is not a regular file (a device, a pipe or a socket): the batch syncs "
            "each chunk to disk and --resume reads the file back; give a file's path",
        )


def open_output(out: Path, *, resume: bool, shown: Path | None = None) -> FileIO:
    """``out`` opened to append (``resume``) or emptied, unbuffered (a failed write leaves
    nothing buffered to fail again on closing); a bad path is one line naming ``shown``
    (the user's OUTPUT, when ``out`` is its journal)."""
    try:
        return out.open("ab" if resume else "wb", buffering=0)
    except OSError as err:
        raise InputError("--out", f"{shown or out} cannot be written ({err.strerror})") from None


def append_chunk(f: FileIO, lines: list[str]) -> None:
    """Append ``lines`` as whole lines, in one write where the kernel takes it all (else
    the rest in more), synced to disk; an :class:`OSError` (a full disk) propagates."""
    if not lines:
        return
    data = memoryview("".join(line + "\n" for line in lines).encode())
    while data:
        written = f.write(data)
        if not written:  # a regular file takes some or fails (check_out): never loop on
            raise OSError(errno.EIO, "the file took none of a write")
        data = data[written:]
    os.fsync(f.fileno())
