"""Schema revisions of the ledger database, oldest first (``rev_0001_initial``)."""
