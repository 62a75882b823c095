"""The package root: lazy exports that agree with ``__all__`` and the typing imports, and a
fresh ``import assetloc`` that loads none of the heavy libraries."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import assetloc

ROOT = Path(__file__).resolve().parents[1]
INIT = ROOT / "src" / "assetloc" / "__init__.py"

#: libraries ``import assetloc`` must not load (each costs 0.1-1 s at start-up)
HEAVY = ("pandas", "matplotlib", "scipy.optimize", "numba", "cvxpy")


def loaded_after(code: str) -> set[str]:
    """Names in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def type_checking_names() -> set[str]:
    """Names the ``if TYPE_CHECKING:`` block of ``assetloc/__init__.py`` imports."""
    tree = ast.parse(INIT.read_text())
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    names |= {a.asname or a.name for a in stmt.names}
    return names


def test_fresh_import_loads_no_heavy_library() -> None:
    loaded = loaded_after("import assetloc")
    assert "assetloc" in loaded
    assert not [m for m in HEAVY if m in loaded]
    assert not [m for m in loaded if m.startswith("assetloc.")]


def test_exports_agree_with_all_and_typing_imports() -> None:
    exports = set(assetloc._EXPORTS) | set(assetloc._ALIASES)
    assert not set(assetloc._EXPORTS) & set(assetloc._ALIASES)
    assert set(assetloc.__all__) == exports
    assert len(assetloc.__all__) == len(set(assetloc.__all__))
    assert type_checking_names() == exports


@pytest.mark.parametrize("name", sorted({*assetloc._EXPORTS, *assetloc._ALIASES}))
def test_each_export_is_the_defining_modules_object(name: str) -> None:
    import importlib

    module_name, attr = assetloc._ALIASES.get(name, (assetloc._EXPORTS.get(name, ""), name))
    module = importlib.import_module(module_name)
    if name in ("rebalance", "harvest"):  # the package of that name, made callable
        assert callable(getattr(assetloc, name))
        assert getattr(assetloc, name) in (getattr(module, attr), sys.modules[f"assetloc.{name}"])
        return
    assert getattr(assetloc, name) is getattr(module, attr)
    assert name in dir(assetloc)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = assetloc.no_such_name  # type: ignore[attr-defined]
    assert not hasattr(assetloc, "no_such_name")


def test_star_import_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from assetloc import *", namespace)
    assert set(assetloc.__all__) <= set(namespace)
