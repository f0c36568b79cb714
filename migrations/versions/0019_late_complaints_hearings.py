"""§16 late complaints, §23 collegial hearings (issue 16, R-3.5, R-5.1)

`appeals.violation_learned_on` is the day the applicant of a complaint to a higher authority
learned of the violation; `filed_late` says it came more than a year after (counted by calendar
date in Tashkent at intake); `term_restored` is a manager's restoration of the term for a valid
reason (who, when, why). `appeal_measures.bodies` and `place` record a collegial hearing with
other bodies and organisations (§23). The envelope report (§14) is a letter kind: no column.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.add_column("appeals", sa.Column("violation_learned_on", sa.Date(), nullable=True))
    op.add_column(
        "appeals",
        sa.Column("filed_late", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column("appeals", sa.Column("term_restored", JSONB(), nullable=True))
    op.add_column("appeal_measures", sa.Column("bodies", ARRAY(sa.Text()), nullable=True))
    op.add_column("appeal_measures", sa.Column("place", sa.Text(), nullable=True))


def downgrade() -> None:
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.drop_column("appeal_measures", "place")
    op.drop_column("appeal_measures", "bodies")
    op.drop_column("appeals", "term_restored")
    op.drop_column("appeals", "filed_late")
    op.drop_column("appeals", "violation_learned_on")
