"""The read replica (issue 18): statistics and reports read from a streaming replica when
`APPEALS_DATABASE_REPLICA_URL` is set, each answer with the replica's lag
(`X-Replica-Lag-Seconds`); everything else, and every write, stays on the primary."""
