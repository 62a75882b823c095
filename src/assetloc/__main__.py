"""``python -m assetloc``: the same as the ``assetloc`` command."""

from assetloc.cli.app import main

main()
