"""Receptions (R-11, §52–60): the schedule, personal receptions, mass reception protocols;
`appeals.reception_id` links an appeal registered at a reception to its record

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOW = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, **kw: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), **kw
    )


def upgrade() -> None:
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.add_column("appeals", sa.Column("reception_id", sa.Uuid(), nullable=True))
    op.create_table(
        "reception_schedule",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("official_name", sa.String(length=200), nullable=False),
        sa.Column("official_post", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("starts_at", _NOW, nullable=False),
        sa.Column("ends_at", _NOW, nullable=False),
        sa.Column("place", sa.String(length=500), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("weekly", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("cancelled_at", _NOW, nullable=True),
        sa.Column("cancelled_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", _NOW, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", _NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reception_schedule")),
    )
    op.create_index(
        "ix_reception_schedule_starts_at", "reception_schedule", ["starts_at"], unique=False
    )
    op.create_table(
        "personal_receptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("schedule_id", sa.Uuid(), nullable=True),
        sa.Column("received_at", _NOW, nullable=False),
        sa.Column("official", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("person", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("identity_document", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("recording_notice", sa.Boolean(), nullable=False),
        sa.Column("matter", sa.Text(), nullable=False),
        sa.Column("result", sa.String(length=32), nullable=False),
        sa.Column("competent_body", sa.Text(), nullable=True),
        sa.Column("written_answer_requested", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("appeal_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", _NOW, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        _fk("personal_receptions", "schedule_id", "reception_schedule"),
        _fk("personal_receptions", "appeal_id", "appeals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_receptions")),
    )
    op.create_index(
        "ix_personal_receptions_received_at", "personal_receptions", ["received_at"], unique=False
    )
    op.create_table(
        "reception_protocols",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("schedule_id", sa.Uuid(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=500), nullable=False),
        sa.Column("officials", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        _fk("reception_protocols", "schedule_id", "reception_schedule"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reception_protocols")),
    )
    op.create_index(
        "ix_reception_protocols_held_on", "reception_protocols", ["held_on"], unique=False
    )
    op.create_table(
        "reception_protocol_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("protocol_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("residence", sa.String(length=500), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("resolved_on_the_spot", sa.Boolean(), nullable=False),
        sa.Column("appeal_id", sa.Uuid(), nullable=True),
        _fk("reception_protocol_entries", "protocol_id", "reception_protocols", ondelete="CASCADE"),
        _fk("reception_protocol_entries", "appeal_id", "appeals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reception_protocol_entries")),
        sa.UniqueConstraint(
            "protocol_id",
            "position",
            name=op.f("uq_reception_protocol_entries_protocol_id_position"),
        ),
    )


def downgrade() -> None:
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.drop_table("reception_protocol_entries")
    op.drop_index("ix_reception_protocols_held_on", table_name="reception_protocols")
    op.drop_table("reception_protocols")
    op.drop_index("ix_personal_receptions_received_at", table_name="personal_receptions")
    op.drop_table("personal_receptions")
    op.drop_index("ix_reception_schedule_starts_at", table_name="reception_schedule")
    op.drop_table("reception_schedule")
    op.drop_column("appeals", "reception_id")
