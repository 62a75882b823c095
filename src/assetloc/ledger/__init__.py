"""The household's transaction ledger: transactions in a database, lots derived from them,
the wash-sale rule (IRC §1091) applied to the whole history, and Form 8949.

Data flows one way: CSV or broker file → :class:`~assetloc.ledger.transactions.Transaction`
→ database (:mod:`assetloc.ledger.store`) → engine (:mod:`assetloc.ledger.engine`: open
lots and realized sales) → tables, JSON and Form 8949 rows.
"""
