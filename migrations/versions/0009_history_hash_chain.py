"""The history as a hash chain (R-9.5)

Every history entry gets its place in its appeal's chain (`position`, 1, 2, 3 …), the hash of
the entry before it (`prev_hash`; the first entry chains to the genesis value) and its own
`hash`: SHA-256 over the previous hash, its position and its content. Three functions hold the
one definition of the chain that the journal (which writes it) and the audit (which checks it)
both call:
- `appeal_history_genesis()`: what the first entry of every appeal chains to;
- `appeal_history_hash(...)`: an entry's hash, a canonical JSON array of its content;
- `appeal_history_head(appeal)`: the appeal's chain lock (an advisory lock until the
  transaction ends), then its last position and hash, read with a fresh snapshot, so an append
  that committed while this one waited for the lock is seen.
No trigger computes the hash: a row inserted by hand does not get a valid one.

The existing history is chained per appeal in the order of its `id`, then the columns become
NOT NULL and (appeal_id, position) unique. The downgrade drops the columns and the functions.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GENESIS = """
CREATE FUNCTION appeal_history_genesis() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT repeat('0', 64) $$
"""

_HASH = """
-- prev_hash, position, appeal_id, at, actor_id, actor_name, actor_role, action, changes, note.
-- The instant as UTC text to the microsecond; jsonb's text is canonical (sorted keys).
CREATE FUNCTION appeal_history_hash(
    text, integer, uuid, timestamptz, uuid, text, text, text, jsonb, text
) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT encode(sha256(convert_to(jsonb_build_array(
        $1, $2, $3::text,
        to_char($4 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        $5::text, $6, $7, $8, $9, $10
    )::text, 'UTF8')), 'hex')
$$
"""

_HEAD = """
CREATE FUNCTION appeal_history_head(
    appeal uuid, OUT head_position integer, OUT head_hash text
)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- The chain lock: the appeal id's first 64 bits, held until the transaction ends.
    PERFORM pg_advisory_xact_lock(
        ('x' || left(replace(appeal::text, '-', ''), 16))::bit(64)::bigint);
    SELECT h.position, h.hash INTO head_position, head_hash
    FROM appeal_history h WHERE h.appeal_id = appeal
    ORDER BY h.position DESC LIMIT 1;
    IF NOT FOUND THEN
        head_position := 0;
        head_hash := appeal_history_genesis();
    END IF;
END
$$
"""

_CONTENT = "n.appeal_id, n.at, n.actor_id, n.actor_name, n.actor_role, n.action, n.changes, n.note"

# Existing history, chained per appeal in the order of id: one recursive statement.
_NUMBERED = (
    """CREATE TEMPORARY TABLE history_numbered AS
    SELECT id, appeal_id, at, actor_id, actor_name, actor_role, action, changes, note,
           row_number() OVER (PARTITION BY appeal_id ORDER BY id)::integer AS position
    FROM appeal_history""",
    "CREATE INDEX ON history_numbered (appeal_id, position)",
    "ANALYZE history_numbered",
)
_CHAIN_EXISTING = f"""
WITH RECURSIVE chain AS (
    SELECT n.id, n.appeal_id, n.position, appeal_history_genesis() AS prev_hash,
           appeal_history_hash(appeal_history_genesis(), n.position, {_CONTENT}) AS hash
    FROM history_numbered n WHERE n.position = 1
    UNION ALL
    SELECT n.id, n.appeal_id, n.position, c.hash,
           appeal_history_hash(c.hash, n.position, {_CONTENT})
    FROM chain c
    JOIN history_numbered n ON n.appeal_id = c.appeal_id AND n.position = c.position + 1
)
UPDATE appeal_history h SET position = c.position, prev_hash = c.prev_hash, hash = c.hash
FROM chain c WHERE h.id = c.id
"""  # noqa: S608 (constants of this migration)


def upgrade() -> None:
    op.add_column("appeal_history", sa.Column("position", sa.Integer(), nullable=True))
    op.add_column("appeal_history", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("appeal_history", sa.Column("hash", sa.String(length=64), nullable=True))
    for statement in (
        _GENESIS,
        _HASH,
        _HEAD,
        *_NUMBERED,
        _CHAIN_EXISTING,
        "DROP TABLE history_numbered",
    ):
        op.execute(statement)
    for column in ("position", "prev_hash", "hash"):
        op.alter_column("appeal_history", column, nullable=False)
    op.create_unique_constraint(
        op.f("uq_appeal_history_appeal_id_position"), "appeal_history", ["appeal_id", "position"]
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("uq_appeal_history_appeal_id_position"), "appeal_history", type_="unique"
    )
    op.execute("DROP FUNCTION appeal_history_head(uuid)")
    op.execute(
        "DROP FUNCTION appeal_history_hash(text, integer, uuid, timestamptz, uuid, text, text, "
        "text, jsonb, text)"
    )
    op.execute("DROP FUNCTION appeal_history_genesis()")
    for column in ("hash", "prev_hash", "position"):
        op.drop_column("appeal_history", column)
