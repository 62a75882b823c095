"""A JSON Lines row's household path (its ledger's folder) is pathlib's, for any id."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetloc.batch.inputs import MAX_NESTING, nesting, read_items
from assetloc.errors import InputError

IDS = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(IDS, min_size=1, max_size=5, unique=True), st.sampled_from(["", "a", "a/./b"]))
def test_each_item_path_is_the_folder_joined_with_id_toml(ids: list[str], sub: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp, sub) if sub else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        src = folder / "in.jsonl"
        src.write_text("".join(json.dumps({"id": i, "household": {}}) + "\n" for i in ids))
        for where in (src, Path(os.path.relpath(src))):
            items = read_items(where)
            assert [i.path for i in items] == [str(where.parent / f"{i}.toml") for i in ids]


# JSON values as a JSON Lines row may hold them: json's extensions (NaN, Infinity), integers
# past 64 bits, lone surrogates, deep nesting, which orjson refuses or reads otherwise
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=6)
)
VALUES = st.recursive(
    LEAVES,
    lambda kids: (
        st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=4), kids, max_size=3)
    ),
    max_leaves=12,
)
ROWS = st.one_of(
    st.builds(lambda i, h: json.dumps({"id": i, "household": h}), st.text(max_size=6), VALUES),
    st.builds(json.dumps, VALUES),
    st.text(max_size=20),  # mostly not JSON
    st.just('{"id": "a", "household": ' + "[" * 99 + "]" * 99 + "}"),
    st.just('{"id": "\\ud800", "household": {}}'),
    st.just('{"id": "a", "household": {"x": 1e400}}'),
)


def _utf8(text: str) -> bool:
    """Whether UTF-8 can hold ``text`` (no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(ROWS)
def test_a_row_is_accepted_as_json_accepts_it_and_read_back_as_json_reads_it(line: str) -> None:
    """The parent checks a row with orjson (json where orjson refuses) and the worker reads
    it with json: together, exactly what json.loads of the line gives, or its message."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "in.jsonl")
        src.write_text(line.replace("\n", " ").replace("\r", " ") + "\n", encoding="utf-8")
        flat = src.read_text(encoding="utf-8-sig").rstrip("\n")
        if flat != line or not line.strip():
            return  # the line was not one JSON Lines row as written
        try:
            expected = json.loads(line)
        except json.JSONDecodeError as err:  # one line: json's own line number is always 1
            assert err.lineno == 1
            expected, message = None, f"is not valid JSON: {err.msg} at column {err.colno}"
        else:
            message = None
        try:
            items = read_items(src)
        except InputError as err:
            if message is not None:
                assert err.problem == message
            else:  # json read it: then only the row's shape, or an id UTF-8 cannot hold
                assert (
                    not isinstance(expected, dict)
                    or not isinstance(expected.get("id"), str)
                    or not expected["id"]
                    or not _utf8(expected["id"])
                )
            return
        assert message is None and isinstance(expected, dict)
        assert [i.id for i in items] == [expected["id"]]
        got = items[0].fields()
        want = expected.get("household")
        assert json.dumps(got, sort_keys=False) == json.dumps(want, sort_keys=False)


def _deep(depth: int) -> str:
    return '{"id": "d", "household": {"x": ' + "[" * (depth - 2) + "]" * (depth - 2) + "}}"


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 990, 1010, 5000])
def test_a_row_nested_too_deep_is_refused_the_same_way_whatever_the_stack(
    tmp_path: Path, depth: int
) -> None:
    """json's own limit moves with the caller's stack (a row might pass in the parent and
    fail in a worker): a row nested past MAX_NESTING is refused first, at any depth of call."""
    src = tmp_path / "in.jsonl"
    src.write_text(_deep(depth) + "\n")

    def nested(levels: int) -> str:
        if levels:
            return nested(levels - 1)
        with pytest.raises(InputError) as err:
            read_items(src)
        return err.value.problem

    for stack in (0, 400):
        assert nested(stack) == (
            f"is nested {depth} levels deep: at most {MAX_NESTING} "
            "(a household is a few levels deep)"
        )


def test_a_row_at_the_nesting_limit_and_brackets_in_strings_pass(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    lines = [_deep(MAX_NESTING), json.dumps({"id": "s", "household": {"name": "[{" * 600}})]
    src.write_text("\n".join(lines) + "\n")
    items = read_items(src)
    assert [i.fields() for i in items] == [json.loads(line)["household"] for line in lines]


@given(VALUES)
def test_nesting_is_the_depth_of_the_parsed_value(value: object) -> None:
    def depth(v: object) -> int:
        if isinstance(v, dict):
            return 1 + max(map(depth, v.values()), default=0)
        if isinstance(v, list):
            return 1 + max(map(depth, v), default=0)
        return 0

    assert nesting(json.dumps(value)) == depth(value)


def _refused(source: Path) -> str:
    """The message of the :class:`InputError` reading ``source`` raises."""
    with pytest.raises(InputError) as err:
        read_items(source)
    return str(err.value)


def test_ids_that_utf8_cannot_hold_are_refused_before_anything_runs(tmp_path: Path) -> None:
    """A file name with a byte that is not UTF-8 (as a Latin-1 zip leaves it) or a JSON id
    with a lone surrogate: rows are UTF-8, so the id could not be written (it was a
    traceback at the first chunk's write, every time, --resume too)."""
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "a.toml").write_text("")
    (folder / os.fsdecode(b"caf\xe9.toml")).write_text("")
    assert _refused(folder) == (
        f"{folder}: id 'caf\\xe9' has a byte that is not UTF-8: the rows are UTF-8 text; "
        "rename the file"
    )
    rows = tmp_path / "in.jsonl"
    # JSON's escapes of the id, and the id as the message shows it
    for escaped, shown in [
        (r"a\ud800b", r"a\ud800b"),
        (r"\u00e9\ud800", "é" + r"\ud800"),
        (r"a\udce9", r"a\udce9"),  # not a file name's byte: a surrogate as JSON wrote it
    ]:
        rows.write_text(
            '{"id": "ok", "household": {}}\n{"id": "' + escaped + '", "household": {}}\n'
        )
        assert _refused(rows) == (
            f"{rows}:2: id '{shown}' has a lone surrogate: the rows are UTF-8 text; give another id"
        )


def test_bytes_that_are_not_utf8_are_named_by_line_and_byte(tmp_path: Path) -> None:
    rows = tmp_path / "in.jsonl"
    rows.write_bytes(
        b'\xef\xbb\xbf{"id": "a", "household": {}}\n{"id": "b\xe9", "household": {}}\n'
    )
    assert _refused(rows) == (
        f"{rows}: is not UTF-8 text: byte 0xe9 at line 2, byte 10 of the line (save the file "
        "as UTF-8)"
    )


def test_one_household_file_as_input_says_what_input_is(tmp_path: Path) -> None:
    one = tmp_path / "alpha.toml"
    one.write_text("[investor]\n")
    assert _refused(one) == (
        f"{one}: is one household's file: give a folder of .toml files, a .jsonl or a "
        ".parquet file (one household: `assetloc TASK FILE`)"
    )
