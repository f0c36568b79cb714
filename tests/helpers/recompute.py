"""Decree overrides' recomputes (R-3.6, issue 18): many open appeals seeded at once, the
worker's job run directly, and what a fresh count on the calendar in force would say."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import asyncpg

from appeals_api.appeals import deadlines
from appeals_api.calendar import recompute
from appeals_api.calendar import service as calendar_service
from appeals_api.calendar.rules import compute_due, get_rule
from appeals_api.calendar.service import CalendarListener
from appeals_api.clock import Clock
from appeals_api.config import Settings
from appeals_api.db import make_engine, make_sessionmaker

# Open written appeals of a closed year's book (no intake numbers them), each with its answer
# deadline counted from `start` to `due`: what a decree override on a day in between touches.
_SEED = """
WITH a AS (
    INSERT INTO appeals (id, year, seq, kind, form, channel, language, status, received_at,
        registered_on, answer_rule, due_date, text, applicants, needs_anonymity_check,
        needs_authority_check, confidential, control, units, tracking_code_hash,
        created_at, updated_at, version)
    SELECT gen_random_uuid(), $1::int, g, 'complaint', 'written', 'post', 'uz',
        'in_consideration', $2::date + time '10:00' AT TIME ZONE 'Asia/Tashkent', $2::date,
        'answer', $3::date, 'Seeded appeal ' || g, '[]', false, false, false,
        '{"type": "internal"}', '{}', md5($1::text || '-' || g), now(), now(), 1
    FROM generate_series($4::int, $4::int + $5::int - 1) AS g
    RETURNING id, registered_on, due_date
)
INSERT INTO appeal_deadlines (appeal_id, rule, start_on, due_on, original_due_on)
SELECT id, 'answer', registered_on, due_date, due_date FROM a
"""


async def seed_open(
    settings: Settings, *, book: int, start: date, due: date, n: int, first: int = 1
) -> None:
    """`n` open appeals numbered from `first` in `book`'s year, answer due `due` from `start`."""
    conn = await asyncpg.connect(settings.plain_database_url)
    try:
        await conn.execute(_SEED, book, start, due, first, n)
    finally:
        await conn.close()


async def run_job(
    settings: Settings, clock: Clock, *, listener: CalendarListener | None = None, batch: int = 50
) -> recompute.Progress:
    """The worker's `recompute_calendar`, once, to the end (or to the listener's failure)."""
    engine = make_engine(settings)
    try:
        runner = recompute.Runner(
            make_sessionmaker(engine),
            settings,
            clock,
            listener or deadlines.on_calendar_change,
            batch=batch,
        )
        return await recompute.run(runner)
    finally:
        await engine.dispose()


async def stale_deadlines(settings: Settings, book: int) -> list[dict[str, Any]]:
    """The open deadlines of `book`'s appeals whose due date differs from a fresh count on the
    calendar in force (the answer's rule, counted from `start_on`)."""
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session:
            calendar = await calendar_service.load_calendar(session, settings)
        conn = await asyncpg.connect(settings.plain_database_url)
        try:
            rows: Sequence[asyncpg.Record] = await conn.fetch(
                "SELECT d.rule, d.start_on, d.due_on, a.due_date FROM appeal_deadlines d "
                "JOIN appeals a ON a.id = d.appeal_id WHERE a.year = $1 AND d.done_on IS NULL",
                book,
            )
        finally:
            await conn.close()
    finally:
        await engine.dispose()
    assert rows, "seeded appeals expected"
    out = []
    for r in rows:
        fresh = compute_due(get_rule(r["rule"]), r["start_on"], calendar)
        if fresh != r["due_on"] or fresh != r["due_date"]:
            out.append({**dict(r), "fresh": fresh})
    return out


async def fetch(settings: Settings, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(settings.plain_database_url)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()
