"""Decree overrides without stalls (issue 18, R-3.6): the recompute an override leaves to do

An override now bumps the calendar's version and records a row in `calendar_recomputes` in one
short transaction; the deadlines it touches are recomputed after, in batches of short
transactions (`calendar/recompute.py`), by the request that entered it for a moment and then by
the worker. `calendar_recompute_appeals` is the job's scope, taken once on its first batch: the
appeals whose open deadlines or start the changed day may move, walked in the order of their ids
(`after_appeal` is how far the job got).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_recomputes",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scoped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("after_appeal", sa.Uuid(), nullable=True),
        sa.Column("appeals", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("moved", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_recomputes")),
    )
    op.create_index(
        "ix_calendar_recomputes_pending",
        "calendar_recomputes",
        ["day"],
        postgresql_where=sa.text("finished_at IS NULL"),
    )
    op.create_table(
        "calendar_recompute_appeals",
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("appeal_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["calendar_recomputes.id"],
            name=op.f("fk_calendar_recompute_appeals_job_id_calendar_recomputes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "appeal_id", name=op.f("pk_calendar_recompute_appeals")),
    )


def downgrade() -> None:
    op.drop_table("calendar_recompute_appeals")
    op.drop_index("ix_calendar_recomputes_pending", table_name="calendar_recomputes")
    op.drop_table("calendar_recomputes")
