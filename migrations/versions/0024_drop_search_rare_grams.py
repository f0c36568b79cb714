"""Search: the rarer trigrams of a name are chosen in the application (`search/grams.py`)

`search_rare_grams` read `pg_stats` on every search (2–3 ms); the application now reads the
statistics once a while and chooses the trigrams itself, so the function goes: one
implementation of the choice.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 05:00:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _made_by_0016() -> str:
    """The function as migration 0016 made it (one text of it)."""
    path = Path(__file__).with_name("0016_search_rare_grams.py")
    spec = importlib.util.spec_from_file_location("migration_0016", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.RARE)


def upgrade() -> None:
    op.execute("DROP FUNCTION search_rare_grams(text[], double precision)")


def downgrade() -> None:
    op.execute(_made_by_0016())
