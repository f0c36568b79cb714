"""personal data access log: reads of confidential applicants (R-8.2)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 03:22:57.862468
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "personal_data_access",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("appeal_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("principal_id", sa.Uuid(), nullable=False),
        sa.Column("principal", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("via", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_personal_data_access_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data_access")),
    )
    op.create_index(
        op.f("ix_personal_data_access_appeal_id"),
        "personal_data_access",
        ["appeal_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_personal_data_access_appeal_id"), table_name="personal_data_access")
    op.drop_table("personal_data_access")
