"""appeal lifecycle: resolutions, assignments, measures, letters; disposal and control

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:53:18.015302
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "appeal_letters",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("appeal_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("grounds", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("addressee", sa.Text(), nullable=True),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column("drafted_by", sa.String(length=200), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_by", sa.String(length=200), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("letter_number", sa.String(length=100), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("sent_by", sa.String(length=200), nullable=True),
        sa.Column("control_letter_number", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_appeal_letters_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_letters")),
    )
    op.create_index(
        op.f("ix_appeal_letters_appeal_id"), "appeal_letters", ["appeal_id"], unique=False
    )
    op.create_table(
        "appeal_measures",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("appeal_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("party", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("result_on", sa.Date(), nullable=True),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_appeal_measures_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_measures")),
    )
    op.create_index(
        op.f("ix_appeal_measures_appeal_id"), "appeal_measures", ["appeal_id"], unique=False
    )
    op.create_table(
        "appeal_resolutions",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("appeal_id", sa.Uuid(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("signed_by_id", sa.Uuid(), nullable=True),
        sa.Column("signed_by", sa.String(length=200), nullable=False),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("units", postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column(
            "executors",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("study_required", sa.Boolean(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_appeal_resolutions_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_resolutions")),
    )
    op.create_index(
        op.f("ix_appeal_resolutions_appeal_id"), "appeal_resolutions", ["appeal_id"], unique=False
    )
    op.create_table(
        "appeal_assignments",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("appeal_id", sa.Uuid(), nullable=False),
        sa.Column("resolution_id", sa.BigInteger(), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dispatched_on", sa.Date(), nullable=True),
        sa.Column("dispatch_channel", sa.String(length=32), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_appeal_assignments_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolution_id"],
            ["appeal_resolutions.id"],
            name=op.f("fk_appeal_assignments_resolution_id_appeal_resolutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_appeal_assignments_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_assignments")),
        sa.UniqueConstraint(
            "resolution_id", "unit_code", name=op.f("uq_appeal_assignments_resolution_id_unit_code")
        ),
    )
    op.create_index(
        op.f("ix_appeal_assignments_appeal_id"), "appeal_assignments", ["appeal_id"], unique=False
    )
    op.add_column(
        "appeal_deadlines",
        sa.Column("cancelled", sa.Boolean(), server_default="false", nullable=False),
    )
    op.add_column(
        "appeals", sa.Column("disposal", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.add_column("appeals", sa.Column("joined_to", sa.Uuid(), nullable=True))
    op.add_column(
        "appeals", sa.Column("control_removed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("appeals", sa.Column("control_removed_by", sa.String(length=200), nullable=True))
    op.create_foreign_key(
        op.f("fk_appeals_joined_to_appeals"), "appeals", "appeals", ["joined_to"], ["id"]
    )
    op.create_index(
        "ix_appeals_joined_to",
        "appeals",
        ["joined_to"],
        unique=False,
        postgresql_where=sa.text("joined_to IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_appeals_joined_to",
        table_name="appeals",
        postgresql_where=sa.text("joined_to IS NOT NULL"),
    )
    op.drop_constraint(op.f("fk_appeals_joined_to_appeals"), "appeals", type_="foreignkey")
    op.drop_column("appeals", "control_removed_by")
    op.drop_column("appeals", "control_removed_at")
    op.drop_column("appeals", "joined_to")
    op.drop_column("appeals", "disposal")
    op.drop_column("appeal_deadlines", "cancelled")
    op.drop_index(op.f("ix_appeal_assignments_appeal_id"), table_name="appeal_assignments")
    op.drop_table("appeal_assignments")
    op.drop_index(op.f("ix_appeal_resolutions_appeal_id"), table_name="appeal_resolutions")
    op.drop_table("appeal_resolutions")
    op.drop_index(op.f("ix_appeal_measures_appeal_id"), table_name="appeal_measures")
    op.drop_table("appeal_measures")
    op.drop_index(op.f("ix_appeal_letters_appeal_id"), table_name="appeal_letters")
    op.drop_table("appeal_letters")
