"""Applicants notified by e-mail and SMS (issue 17, R-8.4)

`notices`: one row per notice event and channel (unique event id and channel), with its attempts
(the outbound core's columns) and its rendered words until it is sent or given up.
`notice_feed_cursor`: how far the worker has read the feed; it starts at the feed's head, so the
appeals of the past are not notified now. `notice_codes`: a new appeal's tracking code, kept by
intake's statement for the worker to render the receipt, deleted as it does.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("appeal_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.SmallInteger(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_notices_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("event_id", "channel", name=op.f("uq_notices_event_id_channel")),
    )
    op.create_index(op.f("ix_notices_appeal_id"), "notices", ["appeal_id"], unique=False)
    op.create_index(
        "ix_notices_due",
        "notices",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "notice_feed_cursor",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_notice_feed_cursor_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_feed_cursor")),
    )
    op.execute(
        "INSERT INTO notice_feed_cursor (id, position) "
        "SELECT 1, coalesce(max(feed_id), 0) FROM events"
    )
    op.create_table(
        "notice_codes",
        sa.Column("appeal_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_notice_codes_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("appeal_id", name=op.f("pk_notice_codes")),
    )


def downgrade() -> None:
    op.drop_table("notice_codes")
    op.drop_table("notice_feed_cursor")
    op.drop_index("ix_notices_due", table_name="notices")
    op.drop_index(op.f("ix_notices_appeal_id"), table_name="notices")
    op.drop_table("notices")
