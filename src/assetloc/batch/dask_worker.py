"""``dask worker ADDRESS --preload assetloc.batch.dask_worker``: a Dask worker made ready
for ``assetloc batch --scheduler`` as the local pool's workers are
(:func:`assetloc.batch.pool.start_worker`): the household's path imported before the first
chunk, and the heap settled (:mod:`assetloc.heap`: those imports frozen out of the garbage
collector's walks, young objects collected every 20,000 allocations instead of 700).

For workers that run assetloc's batches: the collector setting is the worker process's
own, for whatever else it runs. Without the preload a worker imports assetloc at its first
chunk and keeps Python's collector settings; the rows are the same either way."""

from __future__ import annotations


def dask_setup(worker: object) -> None:
    """Dask's preload hook (called once as the worker starts, in its process)."""
    from assetloc.batch.pool import start_worker

    start_worker()


__all__ = ["dask_setup"]
