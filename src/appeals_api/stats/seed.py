"""`appeals-api seed`: realistic appeals straight into the database, for development and benches.

Appeals are generated in Python from a seeded random source and written with COPY: kinds,
forms, channels and languages in plausible shares, received dates spread over the years (fewer
on weekends, more each year), and for each appeal a way through the lifecycle that ended by
today or is still open, with its stage deadlines on the working-day calendar in force. Each
year is one transaction that takes its numbers from `registration_counters` (R-2.1), so
numbers stay unique, gapless per run and increasing in order of receipt.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from appeals_api.appeals.search import repository as search_repository
from appeals_api.calendar import service as calendar_service
from appeals_api.config import Settings
from appeals_api.db import make_sessionmaker
from appeals_api.stats import repository as stats_repository
from appeals_api.stats import seed_data as d
from appeals_api.stats.seed_lifecycle import Generator, pick
from appeals_api.stats.seed_receptions import seed_receptions
from appeals_api.stats.seed_similar import Plant, Planter
from appeals_api.topics import service as topics
from appeals_api.units import service as units_service

APPEAL_COLUMNS = (
    "id", "year", "seq", "kind", "form", "channel", "language", "status", "received_at",
    "registered_on", "answer_rule", "due_date", "completed_on", "text", "summary", "addressee",
    "applicants", "representative", "needs_anonymity_check", "needs_authority_check",
    "confidential", "control", "related", "external_ref", "paper", "units", "outcome",
    "disposal", "joined_to", "control_removed_at", "control_removed_by", "tracking_code_hash",
    "created_at", "updated_at", "version",
)  # fmt: skip
DEADLINE_COLUMNS = (
    "appeal_id", "rule", "start_on", "due_on", "original_due_on", "done_on", "fixed", "cancelled",
)  # fmt: skip
Progress = Callable[[int], None]


@dataclass(frozen=True)
class SeedResult:
    count: int
    per_year: dict[int, int]
    units_created: int
    planted: list[Plant] = field(default_factory=list)


def _day_counts(rng: random.Random, first: date, last: date, count: int) -> Counter[date]:
    """`count` receipts over [first, last]: weekends quieter, each year a little busier."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    weights, total = [], 0.0
    for day in days:
        w = (0.2 if day.isoweekday() >= 6 else 1.0) * (1 + 0.1 * (day.year - first.year))
        total += w
        weights.append(total)
    return Counter(rng.choices(days, cum_weights=weights, k=count))


async def seed(
    engine: AsyncEngine,
    settings: Settings,
    *,
    count: int,
    years: tuple[int, int],
    seed: int | None,
    today: date,
    progress: Progress | None = None,
    batch: int = 20_000,
    plant: int = 0,
    search_rows: bool = True,
    into_real_years: bool = False,
) -> SeedResult:
    """Generate `count` appeals received from `years[0]` to `years[1]`, none after `today`;
    about `plant` of them start a group of known duplicates, repeats and decoys (`seed_similar`).
    `search_rows=False` leaves their search rows to the caller (a benchmark builds them at once).
    A year that holds appeals registered through the service is refused unless
    `into_real_years`: the demo would take numbers among the real ones and count in their
    statistics."""
    first, last = date(years[0], 1, 1), min(date(years[1], 12, 31), today)
    if first > last:
        raise ValueError(f"no day of {years[0]}-{years[1]} has come yet")
    rng = random.Random(seed)
    async with make_sessionmaker(engine)() as session, session.begin():
        if not into_real_years:
            await _refuse_real_years(session, first.year, last.year)
        calendar = await calendar_service.load_calendar(session, settings)
        # The units migrations create (the classifier's Compliance Service) leave a database
        # as empty for the seeder as before them: it still gets its own, routed as before.
        units = [
            u.code
            for u in await units_service.list_units(session)
            if u.code not in topics.MIGRATED_UNITS
        ]
        created = 0 if units else len(d.DEFAULT_UNITS)
        for code, name in d.DEFAULT_UNITS if created else ():
            await units_service.create_unit(session, code=code, name=name)
            units.append(code)
    gen = Generator(rng, calendar, settings, units=units, today=today)
    planter = Planter(rng, share=plant / count, columns=APPEAL_COLUMNS, tz=settings.tz)
    counts = _day_counts(rng, first, last, count)
    per_year: Counter[int] = Counter()
    for day, n in counts.items():
        per_year[day.year] += n
    done = 0
    for year in sorted(per_year):
        days = {day: n for day, n in sorted(counts.items()) if day.year == year}
        done = await _seed_year(
            engine, gen, planter, year, days, done=done, progress=progress, batch=batch,
            search_rows=search_rows,
        )  # fmt: skip
    await seed_receptions(engine, seed=seed, today=today, tz=settings.tz)
    async with engine.connect() as conn:  # fresh statistics for the planner
        await conn.execute(text("ANALYZE appeals"))
        await conn.execute(text("ANALYZE appeal_deadlines"))
        await conn.commit()
    return SeedResult(
        count=done, per_year=dict(per_year), units_created=created, planted=planter.plants
    )


async def _refuse_real_years(session: AsyncSession, first: int, last: int) -> None:
    real = await stats_repository.real_appeals_per_year(session, first=first, last=last)
    if real:
        held = ", ".join(f"{year}: {n:,}" for year, n in real.items())
        raise ValueError(
            f"the database already holds appeals registered through the service ({held}); "
            "demo appeals would take registration numbers among them and count in their "
            "statistics. Seed other years (--years), another database (APPEALS_DATABASE_URL), "
            "or pass --into-real-years to add them anyway"
        )


async def _seed_year(
    engine: AsyncEngine,
    gen: Generator,
    planter: Planter,
    year: int,
    days: dict[date, int],
    *,
    done: int,
    progress: Progress | None,
    batch: int,
    search_rows: bool,
) -> int:
    """One year in one transaction: its numbers taken from the counter at once (R-2.1), then
    its appeals in order of receipt, COPYed in batches."""
    async with engine.begin() as conn:
        seq = await _take_numbers(conn, year, sum(days.values()))
        raw = (await conn.get_raw_connection()).driver_connection
        appeals: list[tuple[Any, ...]] = []
        deadlines: list[tuple[Any, ...]] = []
        for day, n in days.items():
            for received_at, channel in sorted(_moment(gen, day) for _ in range(n)):
                seq += 1
                row, stages = gen.appeal(year, seq, received_at, channel)
                appeals.append(_with_topics(planter(row)))
                deadlines.extend(stages)
                if len(appeals) >= batch:
                    done += await _copy(conn if search_rows else None, raw, appeals, deadlines)
                    if progress:
                        progress(done)
        done += await _copy(conn if search_rows else None, raw, appeals, deadlines)
        if progress:
            progress(done)
    return done


_TEXT = APPEAL_COLUMNS.index("text")


def _with_topics(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """R-13.1: the topics its text is about, after the columns the generator made."""
    return (*row, d.topics_for(row[_TEXT]))


async def _take_numbers(conn: AsyncConnection, year: int, n: int) -> int:
    """Take `n` numbers of `year` from its counter at once (R-2.1); the last one before them."""
    last_seq = (
        await conn.execute(
            text(
                "INSERT INTO registration_counters AS rc (year, last_seq) VALUES (:y, :n) "
                "ON CONFLICT (year) DO UPDATE SET last_seq = rc.last_seq + :n "
                "RETURNING last_seq"
            ),
            {"y": year, "n": n},
        )
    ).scalar_one()
    return int(last_seq) - n


def _moment(gen: Generator, day: date) -> tuple[datetime, str]:
    rng = gen.rng
    channel = pick(rng, {c: w for c, (w, _) in d.CHANNELS.items()})
    # Mostly in the day; e-appeals also at night (R-3.2 moves those to the next working day).
    day_time = rng.random() < 0.85
    seconds = rng.randint(8 * 3600, 19 * 3600) if day_time else rng.randint(0, 86_399)
    moment = datetime.combine(day, time.min, tzinfo=gen.tz) + timedelta(seconds=seconds)
    return moment, channel


async def _copy(
    conn: AsyncConnection | None,
    raw: Any,
    appeals: list[tuple[Any, ...]],
    deadlines: list[tuple[Any, ...]],
) -> int:
    """Write a batch, with its search rows (the seeder writes no `appeal.registered` events,
    from which the worker builds them for registered appeals)."""
    n = len(appeals)
    if n:
        await raw.copy_records_to_table(
            "appeals", records=appeals, columns=(*APPEAL_COLUMNS, "topics")
        )
        await raw.copy_records_to_table(
            "appeal_deadlines", records=deadlines, columns=DEADLINE_COLUMNS
        )
        if conn is not None:
            await search_repository.build(conn, [row[0] for row in appeals])
    appeals.clear()
    deadlines.clear()
    return n
