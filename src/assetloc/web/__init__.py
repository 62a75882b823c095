"""The local web layer: JSON routers over the library (FastAPI, the ``web`` extra).

The top layer beside :mod:`assetloc.cli`, never importing it (``assetloc serve`` is the one
command that starts it): each endpoint parses its request, calls the same library functions
the CLI calls and serialises their results as the CLI's ``--json`` does
(:mod:`assetloc.present.jsonout`). Errors are JSON (:mod:`assetloc.web.errors`).
:func:`assetloc.web.app.create_app`: the app, the ``--json`` of every command
(:mod:`assetloc.present.documents`) behind its gate (:mod:`assetloc.web.guard`);
:mod:`assetloc.web.households`: saved households and their ledgers; :mod:`assetloc.web.jobs`:
long runs, kept in the server's database (:mod:`assetloc.web.job_store`) so that every
worker process of ``assetloc serve --workers N`` answers for every job.
"""
