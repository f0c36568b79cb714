"""calendar version: one row that every decree override bumps (R-3.6)

Intake and actions share-lock the row, so an override waits for them and then recomputes what
they wrote; the single-statement intake compares its cached version inside its statement.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_state",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_calendar_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_state")),
    )
    op.execute("INSERT INTO calendar_state (id, version) VALUES (1, 1)")


def downgrade() -> None:
    op.drop_table("calendar_state")
