"""The deadline watch (R-9.1, R-9.3): reminders before a stage deadline, a notice once it passed.

Each notice is published by one statement that inserts it into `deadline_notices` with
`ON CONFLICT DO NOTHING` and writes the outbox event (and, for overdue, the violation note in
the appeal's history) only for the rows it really inserted: two workers at once, a run
repeated or a run killed half-way all end with exactly one notice per appeal, rule, due date.
Both queries are range scans of partial indexes over open deadlines, so a run costs in
proportion to the deadlines that are due, not to all appeals.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import journal
from appeals_api.calendar import service as calendar_service
from appeals_api.config import Settings

WATCH_ACTOR = "deadline watch"

# Open deadlines past due whose overdue notice is not out yet. The partial index over open
# deadlines finds those past due; the notices' unique index skips those already published.
# Nothing is written back to `appeal_deadlines`: a run touches only the small structures.
_VIOLATION_CHANGES = """jsonb_build_object('violations', jsonb_build_array(NULL,
    jsonb_build_object('rule', n.rule, 'due_date', n.due_on)))"""
_VIOLATION_NOTE = """'The ' || n.rule || ' deadline of ' || to_char(n.due_on, 'YYYY-MM-DD')
    || ' passed without the stage being done (R-9.3).'"""
# The journal writes the event and the violation note (the history row) of each new notice.
_OVERDUE_SQL = text(
    f"""
    WITH due AS (
        SELECT d.appeal_id, d.rule, d.due_on
        FROM appeal_deadlines d
        WHERE d.done_on IS NULL AND d.due_on < :today
          AND NOT EXISTS (
              SELECT 1 FROM deadline_notices x
              WHERE x.appeal_id = d.appeal_id AND x.rule = d.rule AND x.due_on = d.due_on
                AND x.kind = 'overdue' AND x.days_before = 0)
        ORDER BY d.due_on, d.id
        LIMIT :batch
    ),
    n AS (
        INSERT INTO deadline_notices (appeal_id, rule, due_on, kind, days_before, created_at)
        SELECT appeal_id, rule, due_on, 'overdue', 0, :now FROM due
        ON CONFLICT DO NOTHING
        RETURNING appeal_id, rule, due_on
    ),
    e AS ({
        journal.event_sql(
            source="n",
            type_="'appeal.overdue'",
            appeal_id="n.appeal_id",
            at=":now",
            data="jsonb_build_object('rule', n.rule, 'due_date', n.due_on)",
        )
    }),
    h AS ({
        journal.history_sql(
            source="n",
            appeal_id="n.appeal_id",
            at=":now",
            actor_id="NULL",
            actor_name=":actor",
            actor_role=f"'{journal.SYSTEM_ROLE}'",
            action="'deadline_violated'",
            changes=_VIOLATION_CHANGES,
            note=_VIOLATION_NOTE,
        )
    })
    SELECT (SELECT count(*) FROM due) AS seen, (SELECT count(*) FROM n) AS published
    """  # noqa: S608 (the journal's fragments, no request text)
)

_SOON_SQL = text(
    """
    SELECT d.appeal_id, d.rule, d.due_on
    FROM appeal_deadlines d
    WHERE d.done_on IS NULL AND d.due_on >= :today AND d.due_on <= :horizon
    ORDER BY d.due_on, d.id
    LIMIT :batch
    """
)

_REMIND_SQL = text(
    f"""
    WITH todo AS (
        SELECT * FROM unnest(
            CAST(:appeal_ids AS uuid[]), CAST(:rules AS text[]), CAST(:due AS date[]),
            CAST(:days AS smallint[]), CAST(:left AS smallint[])
        ) AS t(appeal_id, rule, due_on, days_before, days_left)
    ),
    n AS (
        INSERT INTO deadline_notices (appeal_id, rule, due_on, kind, days_before, created_at)
        SELECT appeal_id, rule, due_on, 'approaching', days_before, :now FROM todo
        ON CONFLICT DO NOTHING
        RETURNING appeal_id, rule, due_on, days_before
    )
    {
        journal.event_sql(
            source="n JOIN todo USING (appeal_id, rule, due_on, days_before)",
            type_="'appeal.deadline_approaching'",
            appeal_id="n.appeal_id",
            at=":now",
            data="jsonb_build_object('rule', n.rule, 'due_date', n.due_on, "
            "'working_days_left', todo.days_left)",
        )
    }
    """  # noqa: S608
)


# A range scan of the partial index over open deadlines (ix_appeal_deadlines_open_due).
_OVERDUE_COUNT_SQL = text(
    "SELECT count(*) FROM appeal_deadlines WHERE done_on IS NULL AND due_on < :today"
)


@dataclass(frozen=True)
class WatchResult:
    overdue: int
    approaching: int


def reminder_for(days_left: int, policy: list[int]) -> int | None:
    """The reminder due with `days_left` working days to go: the nearest policy mark at or
    above it (a deadline set 1 day ahead gets the 1-day reminder, not a late 3-day one)."""
    marks = [m for m in policy if m >= days_left]
    return min(marks) if marks else None


async def watch(
    session: AsyncSession, settings: Settings, *, now: datetime, batch: int = 5000
) -> WatchResult:
    """R-9.1: publish due reminders and overdue notices, each exactly once."""
    today = now.astimezone(settings.tz).date()
    row = (
        await session.execute(
            _OVERDUE_SQL, {"today": today, "now": now, "batch": batch, "actor": WATCH_ACTOR}
        )
    ).one()
    policy = sorted(settings.reminder_working_days)
    approaching = 0
    if policy:
        approaching = await _remind(session, settings, today=today, now=now, policy=policy)
    return WatchResult(overdue=int(row.published), approaching=approaching)


async def overdue_count(session: AsyncSession, settings: Settings, *, now: datetime) -> int:
    """R-9.1: open stage deadlines whose due date (Tashkent) is before today."""
    today = now.astimezone(settings.tz).date()
    return int(await session.scalar(_OVERDUE_COUNT_SQL, {"today": today}) or 0)


async def _remind(
    session: AsyncSession, settings: Settings, *, today: date, now: datetime, policy: list[int]
) -> int:
    calendar = await calendar_service.load_calendar(session, settings)
    horizon = calendar.add_working_days(today, max(policy))
    rows = (
        await session.execute(_SOON_SQL, {"today": today, "horizon": horizon, "batch": 100_000})
    ).all()
    todo: list[tuple[object, str, date, int, int]] = []
    days_left: dict[date, int] = {}
    for r in rows:
        if r.due_on not in days_left:
            days_left[r.due_on] = len(calendar.working_days(today + timedelta(days=1), r.due_on))
        left = days_left[r.due_on]
        mark = reminder_for(left, policy)
        if mark is not None:
            todo.append((r.appeal_id, r.rule, r.due_on, mark, left))
    if not todo:
        return 0
    result = await session.execute(
        _REMIND_SQL,
        {
            "appeal_ids": [t[0] for t in todo],
            "rules": [t[1] for t in todo],
            "due": [t[2] for t in todo],
            "days": [t[3] for t in todo],
            "left": [t[4] for t in todo],
            "now": now,
        },
    )
    return int(getattr(result, "rowcount", 0) or 0)


_CONTROL_SQL = text(
    """
    SELECT a.id, a.year, a.seq, a.status, a.units, d.rule, d.due_on,
           coalesce(r.executors, '[]'::jsonb) AS executors
    FROM appeal_deadlines d
    JOIN appeals a ON a.id = d.appeal_id
    LEFT JOIN appeal_resolutions r ON r.appeal_id = a.id AND r.superseded_at IS NULL
    WHERE d.done_on IS NULL AND d.due_on <= :horizon
    ORDER BY d.due_on, a.year, a.seq, d.id
    LIMIT :limit
    """
)

UNROUTED = "(not routed)"


@dataclass(frozen=True)
class ControlItem:
    """One open stage deadline that has passed or is close, of one appeal, for one unit."""

    unit: str
    executor: str | None
    appeal_id: uuid.UUID
    year: int
    seq: int
    status: str
    rule: str
    due_on: date
    lead: bool
    overdue: bool
    days: int  # calendar days overdue, or working days left


async def control_items(
    session: AsyncSession, settings: Settings, *, today: date, soon: int, limit: int
) -> list[ControlItem]:
    """R-9.2 (§20): overdue and soon-due stages per unit and named executor."""
    calendar = await calendar_service.load_calendar(session, settings)
    horizon = calendar.add_working_days(today, soon) if soon else today
    rows = (await session.execute(_CONTROL_SQL, {"horizon": horizon, "limit": limit})).all()
    out: list[ControlItem] = []
    for r in rows:
        overdue = r.due_on < today
        days = (
            (today - r.due_on).days
            if overdue
            else len(calendar.working_days(today + timedelta(days=1), r.due_on))
        )
        units = list(r.units) or [UNROUTED]
        for position, unit in enumerate(units):
            named = [e["name"] for e in r.executors if e.get("unit") == unit]
            for executor in named or [None]:
                out.append(
                    ControlItem(
                        unit=unit,
                        executor=executor,
                        appeal_id=r.id,
                        year=r.year,
                        seq=r.seq,
                        status=r.status,
                        rule=r.rule,
                        due_on=r.due_on,
                        lead=position == 0 and unit != UNROUTED,
                        overdue=overdue,
                        days=days,
                    )
                )
    out.sort(key=lambda i: (i.unit, i.executor or "", not i.overdue, i.due_on, i.year, i.seq))
    return out
