"""deadline watch: notices published once per appeal, rule, due date (R-9.1)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:00:04.529780
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deadline_notices",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("appeal_id", sa.Uuid(), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("days_before", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadline_notices")),
        sa.UniqueConstraint(
            "appeal_id",
            "rule",
            "due_on",
            "kind",
            "days_before",
            name=op.f("uq_deadline_notices_appeal_id_rule_due_on_kind_days_before"),
        ),
    )


def downgrade() -> None:
    op.drop_table("deadline_notices")
