"""one idempotency format: the claim names its appeal, the stored answer carries no number

Two intake paths stored the first answer two ways: with its number (`seq`) written after the
numbering, or without it (the claim precedes the number) and read back later. Intake now has one
path and one format: the claim row names the appeal it registers (`appeal_id`) and keeps the
answer without the number, which a replay reads from the appeal itself (R-1.8, R-2.1).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("idempotency_keys", sa.Column("appeal_id", sa.Uuid(), nullable=True))
    # A claim without an answer cannot outlive its transaction: none is committed, but say so.
    op.execute("DELETE FROM idempotency_keys WHERE response IS NULL")
    op.execute(
        "UPDATE idempotency_keys SET appeal_id = (response->>'id')::uuid, "
        "response = response - 'seq' - 'number'"
    )
    op.alter_column("idempotency_keys", "appeal_id", nullable=False)
    op.alter_column("idempotency_keys", "response", nullable=False)
    op.drop_column("idempotency_keys", "status_code")


def downgrade() -> None:
    op.add_column("idempotency_keys", sa.Column("status_code", sa.SmallInteger(), nullable=True))
    op.alter_column("idempotency_keys", "response", nullable=True)
    op.execute(
        "UPDATE idempotency_keys i SET status_code = 201, "
        "response = i.response || jsonb_build_object('seq', a.seq) "
        "FROM appeals a WHERE a.id = i.appeal_id"
    )
    op.drop_column("idempotency_keys", "appeal_id")
