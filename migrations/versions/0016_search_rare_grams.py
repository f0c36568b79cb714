"""Search: a name-typo match looks only at appeals that hold one of the word's rarer trigrams

`search_rare_grams(q, share)`: the fewest of the trigrams `q` that a name sharing `share` of
them must hold at least one of (pigeonhole: sharing at least floor(share * n) of n, it holds
one of any n - floor(share * n) + 1), the rarest first by the planner's statistics of
`appeal_search.name_grams` (unknown ones count as rarest). The typo match then asks the GIN
index for those few, not for the common endings ("ov ") every surname shares.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 23:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RARE = """
CREATE FUNCTION search_rare_grams(q text[], share double precision) RETURNS text[]
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT coalesce(array_agg(r.g), '{}') FROM (
    SELECT g FROM unnest(q) AS g
    LEFT JOIN (
        SELECT x.e, x.f FROM pg_stats AS st,
            unnest(st.most_common_elems::text::text[], st.most_common_elem_freqs) AS x(e, f)
        WHERE st.schemaname = current_schema() AND st.tablename = 'appeal_search'
          AND st.attname = 'name_grams'
    ) AS c ON c.e = g
    ORDER BY coalesce(c.f, 0), g
    LIMIT cardinality(q) - floor(share * cardinality(q))::int + 1
) AS r
$$
"""


def upgrade() -> None:
    op.execute(RARE)


def downgrade() -> None:
    op.execute("DROP FUNCTION search_rare_grams(text[], double precision)")
