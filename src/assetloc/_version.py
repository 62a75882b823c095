"""The installed distribution's version (``0+unknown`` in a source tree never installed)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__: str = version("assetloc")
except PackageNotFoundError:
    __version__ = "0+unknown"
