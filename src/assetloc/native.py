"""The switch between the C translations of hot Python and their Python references.

``setup.py`` builds them at install when a C compiler is there (README, "For developers:
the C translations"); each module that has one asks :func:`extension` for it once, at
import, and falls back to its own Python, which gives the same output.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

#: set (to anything but empty) to run the Python references instead of the C translations
PURE_PYTHON = "ASSETLOC_PURE_PYTHON"


def extension(name: str) -> ModuleType | None:
    """The built extension module ``name``, or None when it was not built (no C compiler at
    install) or :data:`PURE_PYTHON` is set."""
    if os.environ.get(PURE_PYTHON):
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
