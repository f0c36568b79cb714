"""The audit of the record (R-9.5): the history's hash chains recomputed, their heads exported."""
