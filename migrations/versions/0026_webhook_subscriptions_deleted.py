"""Webhooks: a deleted subscription is marked, its deliveries purged by the worker (issue 19)

Deleting a subscription during a backlog deleted its deliveries by cascade, waiting for the
ones a sender held (locked while it sends) and for all of them to go: 503 after 30 s. Now the
DELETE marks the subscription (`deleted_at`): nothing more is fanned out to it or sent, it is
404 to the API, and the worker purges its deliveries in batches, skipping the locked, then the
row itself.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-01 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "webhook_subscriptions", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    # A subscription marked deleted is deleted for good (its deliveries go by the cascade).
    op.execute("DELETE FROM webhook_subscriptions WHERE deleted_at IS NOT NULL")
    op.drop_column("webhook_subscriptions", "deleted_at")
