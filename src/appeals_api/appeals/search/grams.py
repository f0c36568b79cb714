"""The rarer trigrams of a name searched for with a typo: the few the GIN index is asked for.

A name sharing at least ⌊share · n⌋ of a word's n trigrams holds one of any
n − ⌊share · n⌋ + 1 of them (pigeonhole), so asking the index for that many — the rarest,
not the endings ("ov ") every surname shares — finds every such name. Which ones are rarest
comes from the planner's statistics of `appeal_search.name_grams`, read once a while per
process: reading `pg_stats` cost 2–3 ms a search. Stale or missing statistics only make the
choice slower, never the match set different (any such subset finds the same names).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# The statistics change only when the table is analysed: read them again after this long.
FREQUENCIES_KEPT_SECONDS = 600.0

_FREQUENCIES = text(
    """SELECT st.most_common_elems::text::text[], st.most_common_elem_freqs FROM pg_stats st
       WHERE st.schemaname = current_schema() AND st.tablename = 'appeal_search'
         AND st.attname = 'name_grams'"""
)

# Per database (its URL): when read, and each common trigram's frequency among names.
_known: dict[str, tuple[float, Mapping[str, float]]] = {}


async def frequencies(session: AsyncSession) -> Mapping[str, float]:
    """The common trigrams of the names and how often each occurs (the planner's statistics),
    read at most once per FREQUENCIES_KEPT_SECONDS."""
    where = session.get_bind().engine.url.render_as_string(hide_password=True)
    read_at, known = _known.get(where, (-math.inf, {}))
    if time.monotonic() - read_at < FREQUENCIES_KEPT_SECONDS:
        return known
    row = (await session.execute(_FREQUENCIES)).first()
    elems, freqs = (row[0] or [], row[1] or []) if row is not None else ([], [])
    known = dict(zip(elems, freqs, strict=False))
    _known[where] = (time.monotonic(), known)
    return known


def rarer(grams: tuple[str, ...], share: float, frequency: Mapping[str, float]) -> tuple[str, ...]:
    """The fewest of `grams` a name sharing `share` of them must hold one of, rarest first
    (a trigram without statistics counts as rarest)."""
    needed = len(grams) - math.floor(share * len(grams)) + 1
    return tuple(sorted(grams, key=lambda g: (frequency.get(g, 0.0), g))[:needed])
