"""Reading a batch's INPUT: a folder of household TOML files (id = file stem, sorted by
name), a JSON Lines file of ``{"id": ..., "household": {...}}`` (in file order) or a
``.parquet`` file of such rows (:mod:`assetloc.batch.parquet_in`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from assetloc.errors import InputError


@dataclass(frozen=True)
class Item:
    """One household to run: its id, its file (or, for JSON Lines, the path its ledger is
    resolved against: ``INPUT``'s folder / ``{id}.toml``) and its raw fields (Parquet);
    ``text``: the file's TOML text, read beforehand (sent to Dask workers), else ``None``
    (the worker reads ``path``); ``row``: a JSON Lines row's own text, checked here
    (:func:`_parsed`) and parsed again in the worker by :func:`json.loads`, so that the
    parent holds and sends one string per household, not its tree of objects."""

    id: str
    path: str
    raw: Any = None
    from_toml: bool = True
    text: str | None = None
    row: str | None = None

    def fields(self) -> Any:
        """The household's raw fields from a JSON Lines row or a Parquet row."""
        if self.row is None:
            return self.raw
        parsed = json.loads(self.row)
        return parsed.get("household") if isinstance(parsed, dict) else None


def read_items(source: Path) -> list[Item]:
    """Every household of ``source`` in input order; a bad INPUT (an empty one included:
    most likely the wrong folder or file) is one :class:`InputError`."""
    items = _read(source)
    if not items:
        what = "no .toml files" if source.is_dir() else "no households"
        raise InputError(str(source), f"holds {what}: nothing to run")
    return items


def _read(source: Path) -> list[Item]:
    """The households of a folder, a JSON Lines or a Parquet file."""
    if source.is_dir():
        return _folder(source)
    if not source.exists():
        raise InputError(
            str(source), "not found: give a folder of .toml files, a .jsonl or a .parquet file"
        )
    if source.suffix.lower() == ".parquet":
        from assetloc.batch.parquet_in import read_parquet

        return read_parquet(source)
    if source.suffix.lower() == ".toml":
        raise InputError(
            str(source),
            "is one household's file: give a folder of .toml files, a .jsonl or a .parquet "
            "file (one household: `assetloc TASK FILE`)",
        )
    return _jsonl(source)


def check_unicode_id(hid: str, where: str, *, file_name: bool = False) -> None:
    """One :class:`InputError` naming ``where`` if the id ``hid`` cannot be written as UTF-8
    (a JSON id's lone surrogate, ``"\\ud800"``; with ``file_name``, a file name's byte
    that is not UTF-8, shown as ``\\xe9``): the rows are UTF-8 text and carry the id."""
    if hid.isascii():  # nearly every id: no encoding to try
        return
    try:
        hid.encode("utf-8")
    except UnicodeEncodeError:
        if file_name:
            shown = hid.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            what, remedy = "a byte that is not UTF-8", "rename the file"
        else:
            shown = hid.encode("utf-8", "backslashreplace").decode("utf-8")
            what, remedy = "a lone surrogate", "give another id"
        raise InputError(
            where, f"id '{shown}' has {what}: the rows are UTF-8 text; {remedy}"
        ) from None


def _text(source: Path) -> str:
    """A JSON Lines file's text (UTF-8, a BOM dropped); bytes that are not UTF-8 are one
    :class:`InputError` naming the line and byte, as a household file's are."""
    try:
        data = source.read_bytes()
    except OSError as err:
        raise InputError(str(source), f"cannot be read ({err.strerror})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        from assetloc.inputs.household import not_utf8

        raise InputError(str(source), not_utf8(err)) from None


def _jsonl(source: Path) -> list[Item]:
    """The rows of a JSON Lines file; blank lines skipped, ids unique strings."""
    text = _text(source)
    items: list[Item] = []
    seen: set[str] = set()
    # ``source.parent / f"{hid}.toml"`` as text: for an id without "/" it is this prefix
    # (what pathlib writes before a plain name) + the name; pathlib per row costs 10 us
    prefix = str(source.parent / "_")[:-1]
    # lines end at "\n" (and "\r\n") only: str.splitlines would also cut at U+2028, U+0085
    # and others, which JSON allows unescaped inside a string
    for n, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        where = f"{source}:{n}"
        row = _parsed(line, where)
        if not isinstance(row, dict) or not isinstance(row.get("id"), str) or not row["id"]:
            raise InputError(where, 'needs {"id": "<non-empty string>", "household": {...}}')
        hid = row["id"]
        check_unicode_id(hid, where)
        if hid in seen:
            raise InputError(where, f"id {hid!r} appears twice")
        seen.add(hid)
        path = prefix + hid + ".toml" if "/" not in hid else str(source.parent / f"{hid}.toml")
        items.append(Item(hid, path, None, False, row=line))
    return items


#: deepest nesting of arrays and objects a JSON Lines row may have (a household is a few
#: levels deep; json's own limit, about 1,000 less the caller's stack, would make a row's
#: fate depend on where it is parsed: here, or in a worker)
MAX_NESTING = 100
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def nesting(line: str) -> int:
    """How deep arrays and objects nest in ``line`` (brackets inside strings not counted)."""
    depth = deepest = 0
    for tok in _TOKENS.finditer(line):
        t = tok.group()  # a bracket, or a whole string (skipped)
        if t == "[" or t == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif t == "]" or t == "}":
            depth -= 1
    return deepest


def check_nesting(text: str, where: str) -> None:
    """One :class:`InputError` naming ``where`` if the JSON ``text`` nests arrays and objects
    more than :data:`MAX_NESTING` levels deep."""
    if text.count("[") + text.count("{") > MAX_NESTING:  # rare: count the real depth
        deep = nesting(text)
        if deep > MAX_NESTING:
            raise InputError(
                where,
                f"is nested {deep} levels deep: at most {MAX_NESTING} "
                "(a household is a few levels deep)",
            )


def _parsed(line: str, where: str) -> Any:
    """A JSON Lines row, read to check its id: by orjson (a few times faster), and by
    :mod:`json` wherever orjson refuses (``NaN``, a lone surrogate, 1e400), so that what
    is accepted, and the message of what is not, are :mod:`json`'s; but a row nested more
    than :data:`MAX_NESTING` levels is refused first, whatever the stack. orjson may read a
    huge integer as a float; only the id is used here, and the worker reads the household
    by :mod:`json` (:meth:`Item.fields`)."""
    check_nesting(line, where)
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(line)
    except json.JSONDecodeError as err:  # its "line 1" is the row's: ``where`` has the file's
        raise InputError(where, f"is not valid JSON: {err.msg} at column {err.colno}") from None
    except RecursionError as err:
        raise InputError(where, f"is not valid JSON: {err}") from None


def _lines(text: str) -> list[str]:
    """The lines of a JSON Lines text: split at "\n", a trailing "\r" dropped."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def _folder(source: Path) -> list[Item]:
    """The household files of a folder, by name: every regular file named ``*.toml`` (any
    case) and every broken link so named (its row says "file not found", as the CLI does);
    not folders, pipes or devices. Two names with one id (``a.toml``, ``a.TOML``) are one
    :class:`InputError`, as a repeated id in JSON Lines is."""
    files = sorted(
        p
        for p in source.iterdir()
        if p.suffix.lower() == ".toml" and (p.is_file() or (p.is_symlink() and not p.exists()))
    )
    seen: dict[str, Path] = {}
    for p in files:
        check_unicode_id(p.stem, str(source), file_name=True)
        if p.stem in seen:
            raise InputError(
                str(p), f"id {p.stem!r} appears twice: {seen[p.stem].name} and {p.name}"
            )
        seen[p.stem] = p
    return [Item(p.stem, str(p)) for p in files]
