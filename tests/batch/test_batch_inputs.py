"""A JSON Lines row's household path (its ledger's folder) is pathlib's, for any id."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from assetloc.batch.inputs import read_items

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
