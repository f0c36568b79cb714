"""The replica's lag, as the replica itself knows it."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Seconds since the last transaction replayed was committed on the primary, while WAL received
# waits to be replayed (replay behind, or paused); 0 once all that was received is replayed
# (an idle primary is not lag), and 0 on a server that is not a standby at all.
_LAG = text(
    """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN 0
        WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
        ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp()))
    END::float8
    """
)


async def lag_seconds(session: AsyncSession) -> float:
    return float(await session.scalar(_LAG) or 0.0)
