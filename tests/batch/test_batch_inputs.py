"""A JSON Lines row's household path (its ledger's folder) is pathlib's, for any id."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from assetloc.batch.inputs import read_items
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
    st.just('{"id": "a", "household": ' + "[" * 2000 + "]" * 2000 + "}"),
    st.just('{"id": "\\ud800", "household": {}}'),
    st.just('{"id": "a", "household": {"x": 1e400}}'),
)


@settings(max_examples=300, deadline=None)
@given(ROWS)
def test_a_row_is_accepted_as_json_accepts_it_and_read_back_as_json_reads_it(line: str) -> None:
    """The parent checks a row with orjson (json where orjson refuses) and the worker reads
    it with json: together, exactly what json.loads of the line gives, or its message."""
    try:
        expected = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as err:
        expected, message = None, f"is not valid JSON: {err}"
    else:
        message = None
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "in.jsonl")
        src.write_text(line.replace("\n", " ").replace("\r", " ") + "\n", encoding="utf-8")
        flat = src.read_text(encoding="utf-8-sig").rstrip("\n")
        if flat != line or not line.strip():
            return  # the line was not one JSON Lines row as written
        try:
            items = read_items(src)
        except InputError as err:
            if message is not None:
                assert err.problem == message
            else:  # json read it: then only the row's shape can be refused
                assert (
                    not isinstance(expected, dict)
                    or not isinstance(expected.get("id"), str)
                    or not expected["id"]
                )
            return
        assert message is None and isinstance(expected, dict)
        assert [i.id for i in items] == [expected["id"]]
        got = items[0].fields()
        want = expected.get("household")
        assert json.dumps(got, sort_keys=False) == json.dumps(want, sort_keys=False)
