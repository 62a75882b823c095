"""The local web layer: JSON routers over the library (FastAPI, the ``web`` extra).

The top layer beside :mod:`assetloc.cli`, never importing it: each endpoint parses its
request, calls the same library functions the CLI calls and serialises their results as
the CLI's ``--json`` does (:mod:`assetloc.present.jsonout`). Errors are JSON
(:mod:`assetloc.web.errors`). :mod:`assetloc.web.households`: saved households and their
ledgers.
"""
