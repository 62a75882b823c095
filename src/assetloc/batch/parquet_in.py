"""Parquet INPUT: rows of ``id`` (string) and ``household`` (the TOML file's structure), in
file order; other columns are ignored.

``household`` is either a string column of JSON objects (as in a JSON Lines INPUT) or a
struct column; in a struct a null field is a key the household leaves out (TOML has no
null), so nulls are dropped at every depth. Rows are named by their 0-based index, as
pandas numbers them. pyarrow is imported here only (never by ``import assetloc``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetloc.batch.inputs import Item, check_nesting
from assetloc.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa


def read_parquet(source: Path) -> list[Item]:
    """Every household of the Parquet file ``source``; a bad file is one :class:`InputError`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(source).names
    except (pa.ArrowException, OSError) as err:
        raise _unreadable(source, err) from None
    for name in ("id", "household"):
        if name not in names:
            raise InputError(str(source), f"needs a {name!r} column (has: {', '.join(names)})")
    try:
        table = pq.read_table(source, columns=["id", "household"])
    except (pa.ArrowException, OSError) as err:
        raise _unreadable(source, err) from None
    if not _is_text(table.schema.field("id").type):
        raise InputError(f"{source}: id", f"must be a string column, not {table['id'].type}")
    decode = _decoder(source, table.schema.field("household").type)
    items: list[Item] = []
    seen: set[str] = set()
    for n, (hid, household) in enumerate(
        zip(table["id"].to_pylist(), table["household"].to_pylist(), strict=True)
    ):
        where = f"{source}: row {n}"
        if not isinstance(hid, str) or not hid:
            raise InputError(where, "id must be a non-empty string")
        if hid in seen:
            raise InputError(where, f"id {hid!r} appears twice")
        seen.add(hid)
        items.append(Item(hid, str(source.parent / f"{hid}.toml"), decode(where, household), False))
    return items


def _unreadable(source: Path, err: Exception) -> InputError:
    """The one line for a file pyarrow cannot read as Parquet."""
    why = str(err).splitlines()[0] if str(err) else err.__class__.__name__
    return InputError(str(source), f"is not a readable Parquet file ({why})")


def _is_text(t: pa.DataType) -> bool:
    """A string column (plain, large, view or dictionary-encoded)."""
    import pyarrow as pa

    if pa.types.is_dictionary(t):
        return _is_text(t.value_type)
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


class _Decoder:
    """Turns one ``household`` cell into the household's raw fields."""

    def __init__(self, json_text: bool) -> None:
        self.json_text = json_text

    def __call__(self, where: str, cell: Any) -> Any:
        if cell is None:
            return None  # the task reports it: "household: must be a JSON object"
        if not self.json_text:
            return _drop_nulls(cell)
        check_nesting(cell, f"{where}: household")
        try:
            return json.loads(cell)
        except (json.JSONDecodeError, RecursionError) as err:
            raise InputError(f"{where}: household", f"is not valid JSON: {err}") from None


def _decoder(source: Path, t: pa.DataType) -> _Decoder:
    """The decoder for a ``household`` column of type ``t`` (JSON strings or a struct)."""
    import pyarrow as pa

    if _is_text(t):
        return _Decoder(json_text=True)
    if pa.types.is_struct(t):
        return _Decoder(json_text=False)
    raise InputError(
        f"{source}: household", f"must be a string column of JSON or a struct column, not {t}"
    )


def _drop_nulls(x: Any) -> Any:
    """``x`` without null object fields, at every depth (a struct's absent keys)."""
    if isinstance(x, dict):
        return {k: _drop_nulls(v) for k, v in x.items() if v is not None}
    if isinstance(x, list):
        return [_drop_nulls(v) for v in x]
    return x
