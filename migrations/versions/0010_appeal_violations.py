"""Violations are facts (R-9.4): `appeal_violations`, backfilled from what the record shows

A violation is recorded when a stage deadline passes unmet; rows are inserted, never changed.
The backfill finds the violations the record already holds:
- every overdue notice the deadline watch published (recorded when it was published);
- every stage met or cancelled after its deadline, or still open past it;
- every deadline an action moved after it had passed (a retroactive extension or shortening, a
  late study decision): the history row keeps the date it had before.
The responsible units and executors are those of the appeal and its resolution in force now,
the best the record can say about the past.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from appeals_api.config import Settings

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BACKFILL = """
WITH found AS (
    SELECT n.appeal_id, n.rule, n.due_on, n.created_at AS recorded_at,
           'deadline watch' AS recorded_by
    FROM deadline_notices n
    WHERE n.kind = 'overdue' AND n.days_before = 0
    UNION ALL
    SELECT d.appeal_id, d.rule, d.due_on, now(), 'migration 0010'
    FROM appeal_deadlines d
    WHERE coalesce(d.done_on, (now() AT TIME ZONE :tz)::date) > d.due_on
    UNION ALL
    SELECT h.appeal_id, substr(c.key, 11), (c.value ->> 0)::date, h.at, 'migration 0010'
    FROM appeal_history h, jsonb_each(h.changes) AS c
    WHERE h.action IN ('extend', 'shorten', 'resolve')
      AND c.key ~ '^deadlines\\.[a-z_]+$'
      AND jsonb_typeof(c.value) = 'array' AND (c.value ->> 0) IS NOT NULL
      AND (c.value ->> 0)::date < (h.at AT TIME ZONE :tz)::date
)
INSERT INTO appeal_violations
    (appeal_id, rule, due_on, recorded_at, units, executors, deadline_id, recorded_by)
SELECT DISTINCT ON (f.appeal_id, f.rule, f.due_on)
    f.appeal_id, f.rule, f.due_on, f.recorded_at, a.units,
    coalesce((SELECT r.executors FROM appeal_resolutions r
              WHERE r.appeal_id = a.id AND r.superseded_at IS NULL
              ORDER BY r.id DESC LIMIT 1), '[]'::jsonb),
    (SELECT d.id FROM appeal_deadlines d
     WHERE d.appeal_id = f.appeal_id AND d.rule = f.rule
     ORDER BY (d.due_on = f.due_on) DESC, d.id DESC LIMIT 1),
    f.recorded_by
FROM found f JOIN appeals a ON a.id = f.appeal_id
ORDER BY f.appeal_id, f.rule, f.due_on, f.recorded_at
ON CONFLICT DO NOTHING
"""


def upgrade() -> None:
    op.create_table(
        "appeal_violations",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("appeal_id", sa.Uuid(), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "units",
            postgresql.ARRAY(sa.String(length=64)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "executors",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("deadline_id", sa.BigInteger(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_appeal_violations_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["deadline_id"],
            ["appeal_deadlines.id"],
            name=op.f("fk_appeal_violations_deadline_id_appeal_deadlines"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_violations")),
        sa.UniqueConstraint(
            "appeal_id", "rule", "due_on", name=op.f("uq_appeal_violations_appeal_id_rule_due_on")
        ),
    )
    op.create_index(
        op.f("ix_appeal_violations_appeal_id"), "appeal_violations", ["appeal_id"], unique=False
    )
    op.execute(sa.text(_BACKFILL).bindparams(tz=Settings().timezone))


def downgrade() -> None:
    op.drop_index(op.f("ix_appeal_violations_appeal_id"), table_name="appeal_violations")
    op.drop_table("appeal_violations")
