"""DIRECTUM from the outbox: a cursor over the event feed for `appeal.dispatched`

The dispatch action no longer writes the DIRECTUM dispatch itself: it emits `appeal.dispatched`
(now with `resolution_id` and `due_date`), and the DIRECTUM worker turns each such event of the
channel `directum` into its dispatch row, moving this cursor in the same transaction (R-4.2).
The cursor starts at the head of the feed: every event before it had its dispatch written by
the action. An unsequenced event of that time carries no `resolution_id` and is passed over.

The downgrade writes, the way the action used to, the dispatches of the events the cursor has
not reached yet, so none is lost, then drops the cursor.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What `directum.feed` builds from an event, for the events the worker has not looked at.
_QUEUE_UNSEEN = """
INSERT INTO directum_dispatches
    (appeal_id, resolution_id, payload, status, attempts, next_attempt_at, created_at)
SELECT a.id, r.id,
    jsonb_build_object(
        'appeal_id', a.id::text,
        'number', a.seq::text || '/' || lpad((a.year % 100)::text, 2, '0'),
        'year', a.year,
        'seq', a.seq,
        'kind', a.kind,
        'due_date', e.data->>'due_date',
        'units', e.data->'units',
        'lead_unit', e.data->'units'->>0,
        'resolution', jsonb_build_object(
            'id', r.id,
            'instruction', r.instruction,
            'signed_on', r.signed_on::text,
            'executors', r.executors
        ),
        'summary', a.summary,
        'dispatched_at',
            to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00'
    ),
    'pending', 0, e.occurred_at, now()
FROM events e
JOIN appeal_resolutions r ON r.id = (e.data->>'resolution_id')::bigint
JOIN appeals a ON a.id = e.appeal_id
WHERE e.type = 'appeal.dispatched' AND e.data->>'channel' = 'directum'
  AND (e.feed_id IS NULL OR e.feed_id > (SELECT position FROM directum_feed_cursor))
ORDER BY e.feed_id NULLS LAST, e.id
ON CONFLICT (resolution_id) DO NOTHING
"""


def upgrade() -> None:
    op.create_table(
        "directum_feed_cursor",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_directum_feed_cursor_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directum_feed_cursor")),
    )
    op.execute(
        "INSERT INTO directum_feed_cursor (id, position) "
        "SELECT 1, coalesce(max(feed_id), 0) FROM events"
    )


def downgrade() -> None:
    op.execute(_QUEUE_UNSEEN)
    op.drop_table("directum_feed_cursor")
