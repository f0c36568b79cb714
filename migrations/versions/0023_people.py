"""People signed in through OpenID Connect (issue 17): who acted, when it is not an API key

`people` records each person a verified token named (id derived from issuer and subject, name,
role and unit as their last token gave them). `appeals.created_by` names the principal who
registered an appeal, an API key or a person: its foreign key to `api_keys` goes.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_people_issuer_subject")),
    )
    op.drop_constraint(op.f("fk_appeals_created_by_api_keys"), "appeals", type_="foreignkey")


def downgrade() -> None:
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # A person's appeals keep no creator: the key table cannot name them.
    op.execute(
        "UPDATE appeals SET created_by = NULL WHERE created_by IS NOT NULL"
        " AND created_by NOT IN (SELECT id FROM api_keys)"
    )
    op.create_foreign_key(
        op.f("fk_appeals_created_by_api_keys"), "appeals", "api_keys", ["created_by"], ["id"],
        ondelete="SET NULL",
    )  # fmt: skip
    op.drop_table("people")
