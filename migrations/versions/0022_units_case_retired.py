"""Units (issue 17): one unit per code in any case, renamed and retired by the admin

A unit's code is upper case: `eco` and `ECO` are one unit. A unique index on upper(code) keeps
it so. Two units whose codes differ only in case are two real rows that someone must merge by
hand (their appeals, keys and topics point at one or the other): the upgrade refuses, naming
them, rather than choose. A lower-case code with no twin is renamed to upper case where the
current state holds it (the unit, its assignments, keys, topics, measures, letters and the
appeals' and resolutions' unit lists); the history, the events, the recorded violations and
DIRECTUM's callbacks keep the spelling they were written with (R-9.4, R-9.5).

`retired_at`: a retired unit receives no new routings, its appeals keep it; `updated_at` and
`updated_by` say who last renamed or retired it.

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TWINS = sa.text(
    "SELECT upper(code) AS code, string_agg(code, ', ' ORDER BY code) AS spellings "
    "FROM units GROUP BY upper(code) HAVING count(*) > 1 ORDER BY 1"
)

# Each lower-case code's references, moved to its upper-case row before the old row goes.
_RENAME = (
    "INSERT INTO units (code, name, created_at) "
    "SELECT upper(code), name, created_at FROM units WHERE code <> upper(code)",
    "UPDATE appeal_assignments SET unit_code = upper(unit_code) "
    "WHERE unit_code <> upper(unit_code)",
    "UPDATE api_keys SET unit_code = upper(unit_code) WHERE unit_code <> upper(unit_code)",
    "UPDATE topics SET lead_unit = upper(lead_unit) WHERE lead_unit <> upper(lead_unit)",
    "UPDATE appeal_measures SET unit_code = upper(unit_code) WHERE unit_code <> upper(unit_code)",
    "UPDATE appeal_letters SET unit_code = upper(unit_code) WHERE unit_code <> upper(unit_code)",
    "UPDATE appeals SET units = upper(units::text)::varchar(64)[] "
    "WHERE units::text <> upper(units::text)",
    "UPDATE appeal_resolutions SET units = upper(units::text)::varchar(64)[] "
    "WHERE units::text <> upper(units::text)",
    "DELETE FROM units WHERE code <> upper(code)",
)


def twins_message(connection: sa.engine.Connection) -> str | None:
    """What stops the upgrade: units whose codes differ only in case, or None."""
    twins = connection.execute(TWINS).all()
    if not twins:
        return None
    listed = "; ".join(f"{t.code}: {t.spellings}" for t in twins)
    return (
        "Migration 0022 makes unit codes case-insensitive, but these units differ only in "
        f"case: {listed}. Merge each group into one unit by hand (move its appeals' routings, "
        "executor keys and topics to the code you keep, then delete the other), and run the "
        "upgrade again."
    )


def upgrade() -> None:
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    message = twins_message(op.get_bind())
    if message is not None:
        raise RuntimeError(message)
    for statement in _RENAME:
        op.execute(statement)
    op.create_index("uq_units_code_upper", "units", [sa.text("upper(code)")], unique=True)
    op.add_column("units", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("units", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("units", sa.Column("updated_by", sa.String(length=300), nullable=True))


def downgrade() -> None:
    # The codes stay upper case: the lower-case spellings were the same units.
    op.drop_column("units", "updated_by")
    op.drop_column("units", "updated_at")
    op.drop_column("units", "retired_at")
    op.drop_index("uq_units_code_upper", table_name="units")
