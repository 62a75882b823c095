"""``python -m assetloc``: the same as the ``assetloc`` command."""

from assetloc.cli import main

main()
