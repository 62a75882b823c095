"""The build's one compiled part (the rest of the project is in ``pyproject.toml``).

``assetloc.present._fastclean``: ``jsonout.clean`` in C. The Python in ``jsonout.py`` is its
reference, checked bit for bit in ``tests/present/test_fastclean.py``. Optional: without a C
compiler the install goes on and the Python runs, with the same output.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "assetloc.present._fastclean",
            ["src/assetloc/present/_fastclean.c"],
            optional=True,
            extra_compile_args=["-Wextra", "-Wno-unused-parameter"],
        )
    ]
)
