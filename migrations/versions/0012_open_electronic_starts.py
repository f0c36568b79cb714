"""Open electronic appeals by their start date: what a decree override may re-date (R-3.6)

An override of a day re-dates the start of every open electronic appeal received on or before
that day whose start is on or after it (R-3.2: the next working day after a receipt after
hours or on a day off). This partial index finds them without reading the closed archive, so
entering an override stays quick whatever the size of the table.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-10 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_appeals_open_electronic_start",
        "appeals",
        ["registered_on"],
        postgresql_where=sa.text("completed_on IS NULL AND form = 'electronic'"),
    )


def downgrade() -> None:
    op.drop_index("ix_appeals_open_electronic_start", table_name="appeals")
