"""Parquet OUTPUT, built at the end from a JSON Lines journal (``OUT.jsonl.partial``).

While the batch runs its rows are appended to the journal exactly as to a JSON Lines
OUTPUT (whole chunks, ``fsync``), so ``--resume`` reads the done ids from it. At the end the
journal is read once, :data:`BLOCK` rows at a time, each block written as a part file
(``OUT.parts/``) with its own headline columns; the parts are then written, conformed to the
union of their columns, to ``OUT.partial``, which ``os.replace`` moves over ``OUT``; then the
journal and the parts are removed. ``OUT`` is never half written. ``--resume`` after a
finished run (no journal left) first rebuilds the journal from ``OUT``'s columns.

pyarrow is imported inside the functions (never by ``import assetloc`` or ``--help``)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetloc.batch.columns import Kind, columns_of, flatten
from assetloc.batch.tasks import another_task
from assetloc.errors import BatchStopped, InputError

if TYPE_CHECKING:
    import pyarrow as pa

#: the row's own columns, first, in this order; ``result`` (the JSON document) comes last
BASE = ("id", "status", "error", "exit_code")
#: their kinds
BASE_KINDS: dict[str, Kind] = {"id": "str", "status": "str", "error": "str", "exit_code": "int"}
#: rows per block (one part file; one row group of the final file)
BLOCK = 4096
#: how a journal line (a row, :mod:`assetloc.batch.tasks`) introduces its last key; inside
#: a JSON string a quote is always escaped, so the first match is the row's own ``result``
RESULT_KEY = '"result":'


def is_parquet(out: Path) -> bool:
    """Whether ``out`` asks for Parquet (its name ends in ``.parquet``)."""
    return out.suffix.lower() == ".parquet"


def journal(out: Path, *, resume: bool, task: str | None = None) -> Path:
    """Where the batch appends its JSON lines: ``out`` itself unless it is Parquet. With
    ``resume`` and ``task``, a finished Parquet ``out`` of another task (its
    ``assetloc.task`` metadata: error rows alone cannot tell) is an :class:`InputError`."""
    if not is_parquet(out):
        return out
    path = journal_path(out)  # ``out`` is no folder: run_batch checked (output.check_out)
    if resume and not path.exists() and out.exists():
        if task is not None:
            _same_task(out, task)
        _rebuild_journal(out, path)
    return path


def _same_task(out: Path, task: str) -> None:
    """One :class:`InputError` if the Parquet ``out`` says it holds another task's rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(out).metadata or {}
    except (pa.ArrowException, OSError):
        return  # not Parquet: the rebuild says so
    other = meta.get(b"assetloc.task", b"").decode("utf-8", "replace")
    if other and other != task:
        raise another_task(task, other, out)


def journal_path(out: Path) -> Path:
    """The journal of a Parquet ``out``: ``OUTPUT.jsonl.partial`` beside it."""
    return out.with_name(out.name + ".jsonl.partial")


def _rebuild_journal(out: Path, path: Path) -> None:
    """The journal's lines again, from a finished Parquet ``out`` (written whole, then moved)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(out, columns=[*BASE, "result"])
    except (pa.ArrowException, OSError):
        raise InputError(f"--out {out}", "is not a batch's Parquet output: cannot resume") from None
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for r in table.to_pylist():  # the rows' own format: compact, keys in this order
            head = json.dumps({k: r[k] for k in BASE}, ensure_ascii=False, separators=(",", ":"))
            f.write(f"{head[:-1]},{RESULT_KEY}{r['result'] or 'null'}}}\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def finish(path: Path, out: Path, task: str) -> None:
    """Write the journal ``path`` as the Parquet file ``out`` (atomically), then remove it.

    A file system error (disk full, ...) is one :class:`BatchStopped` naming ``--out``; the
    journal is kept, so ``--resume`` can finish the file later."""
    import pyarrow.parquet as pq

    parts = out.with_name(out.name + ".parts")
    part = out.with_name(out.name + ".partial")
    families: list[dict[str, None]] = [{} for _ in columns_of(task)]
    try:
        shutil.rmtree(parts, ignore_errors=True)
        parts.mkdir()
        files = []
        for k, lines in enumerate(_blocks(path)):
            files.append(parts / f"{k:06d}.parquet")
            pq.write_table(_block(lines, task, families), files[-1])
        schema = _schema(_kinds(task, families), task)
        with pq.ParquetWriter(part, schema) as writer:
            for file in files:
                writer.write_table(_conform(pq.read_table(file), schema))
        with part.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(part, out)
        _sync_folder(out.parent)
    except OSError as err:  # the rows are all run and in the journal: the batch stops
        raise BatchStopped(
            "--out",
            f"{out} could not be written ({err.strerror or err}); its rows are kept, in "
            f"{path.name}: --resume writes it",
        ) from None
    finally:
        shutil.rmtree(parts, ignore_errors=True)
    path.unlink()


def _blocks(path: Path) -> Iterator[list[str]]:
    """The journal's lines (without their newline), :data:`BLOCK` at a time."""
    block: list[str] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            block.append(line.rstrip("\n"))
            if len(block) == BLOCK:
                yield block
                block = []
    if block:
        yield block


def _block(lines: list[str], task: str, families: list[dict[str, None]]) -> pa.Table:
    """One block's table: :data:`BASE`, its own headline columns, ``result`` (the row's
    own JSON text); the names are added to ``families`` (per family, first appearance)."""
    import orjson
    import pyarrow as pa

    cols: dict[str, list[Any]] = {k: [] for k in BASE}
    n = len(lines)
    results: list[str | None] = []
    for i, line in enumerate(lines):
        r = orjson.loads(line)
        for k in BASE:
            cols[k].append(r[k])
        for fam, name, value in flatten(task, r["result"]):
            col = cols.get(name)
            if col is None:
                families[fam][name] = None
                col = cols[name] = [None] * n
            col[i] = value
        text = line[line.index(RESULT_KEY) + len(RESULT_KEY) : -1].strip()
        results.append(None if text == "null" else text)
    kinds = {**BASE_KINDS, **_kinds(task, families)}
    arrays = {k: pa.array(v, type=_type(kinds[k])) for k, v in cols.items()}
    arrays["result"] = pa.array(results, type=pa.string())
    return pa.table(arrays)


def _kinds(task: str, families: list[dict[str, None]]) -> dict[str, Kind]:
    """The headline columns named so far, family by family, with their kinds."""
    cols = zip(columns_of(task), families, strict=True)
    return {name: col.kind for col, names in cols for name in names}


def _type(kind: Kind) -> pa.DataType:
    """The Arrow type of a column of ``kind``."""
    import pyarrow as pa

    return {"float": pa.float64(), "int": pa.int64(), "str": pa.string()}[kind]


def _schema(headline: dict[str, Kind], task: str) -> pa.Schema:
    """The file's schema: :data:`BASE`, the headline columns, ``result``."""
    import pyarrow as pa

    fields = [
        pa.field("id", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("error", pa.string()),
        pa.field("exit_code", pa.int64(), nullable=False),
        *(pa.field(name, _type(kind)) for name, kind in headline.items()),
        pa.field("result", pa.string()),
    ]
    return pa.schema(fields, metadata={"assetloc.task": task})


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with ``schema``'s columns in its order: nulls for the ones it lacks."""
    import pyarrow as pa

    have = set(table.schema.names)
    columns = [
        table.column(f.name) if f.name in have else pa.nulls(table.num_rows, f.type) for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def _sync_folder(folder: Path) -> None:
    """``fsync`` a folder, so a rename in it survives a power cut (where the OS allows)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
