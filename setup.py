"""The build's compiled parts (the rest of the project is in ``pyproject.toml``).

Two C translations of hot Python, each checked bit for bit against the Python it translates,
which stays the reference (``ASSETLOC_PURE_PYTHON=1`` runs the Python):

* ``assetloc.present._fastclean``: ``jsonout.clean`` (``tests/present/test_fastclean.py``);
* ``assetloc.solve._ckernels``: the solver's inner loops, ``solve/_kernels.py``
  (``tests/solve/test_ckernels.py``).

Optional: without a C compiler the install goes on and the Python runs, with the same output.
``-ffp-contract=off``: no fused multiply-add, so every operation rounds as Python's does.
"""

import numpy
from setuptools import Extension, setup

FLAGS = ["-Wextra", "-Wno-unused-parameter", "-ffp-contract=off"]

setup(
    ext_modules=[
        Extension(
            "assetloc.present._fastclean",
            ["src/assetloc/present/_fastclean.c"],
            optional=True,
            extra_compile_args=FLAGS,
        ),
        Extension(
            "assetloc.solve._ckernels",
            ["src/assetloc/solve/_ckernels.c"],
            include_dirs=[numpy.get_include()],
            optional=True,
            extra_compile_args=FLAGS,
        ),
    ]
)
