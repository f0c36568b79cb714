"""All SQL of control: the deadline watch's notices (R-9.1, R-9.3) and the control report (R-9.2).

Each notice is published by one statement that inserts it into `deadline_notices` with
`ON CONFLICT DO NOTHING` and writes the outbox event only for the rows it really inserted; an
overdue notice also records the violation (R-9.4) in `appeal_violations`, and the violation
note in the appeal's history only where no action recorded that violation first. Two workers
at once, a run repeated or a run killed half-way all end with exactly one notice per appeal,
rule, due date, and one violation. A deadline a decree override's recompute has not reached
yet waits for it (R-3.6): no violation is recorded from a stale due date.
Both queries are range scans of partial indexes over open deadlines, so a run costs in
proportion to the deadlines that are due, not to all appeals.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import journal

# Open deadlines past due whose overdue notice is not out yet. The partial index over open
# deadlines finds those past due; the notices' unique index skips those already published.
# Nothing is written back to `appeal_deadlines`: a run touches only the small structures.
_VIOLATION_CHANGES = """jsonb_build_object('violations', jsonb_build_array(NULL,
    jsonb_build_object('rule', n.rule, 'due_date', n.due_on)))"""
_VIOLATION_NOTE = """'The ' || n.rule || ' deadline of ' || to_char(n.due_on, 'YYYY-MM-DD')
    || ' passed without the stage being done (R-9.3).'"""
# The journal writes the event of each new notice, and the note of each new violation.
_OVERDUE_SQL = text(
    f"""
    WITH due AS (
        SELECT d.appeal_id, d.rule, d.due_on, d.id AS deadline_id
        FROM appeal_deadlines d JOIN appeals a ON a.id = d.appeal_id
        WHERE d.done_on IS NULL AND d.due_on < :today
          AND NOT EXISTS (
              SELECT 1 FROM deadline_notices x
              WHERE x.appeal_id = d.appeal_id AND x.rule = d.rule AND x.due_on = d.due_on
                AND x.kind = 'overdue' AND x.days_before = 0)
          -- R-3.6: not from a deadline a decree override's recompute has still to reach (its
          -- day on or before the due date: every deadline the day may move); the next run.
          AND NOT EXISTS (
              SELECT 1 FROM calendar_recomputes j
              WHERE j.finished_at IS NULL AND j.day <= d.due_on
                AND (j.after_appeal IS NULL OR j.after_appeal < d.appeal_id))
        ORDER BY d.due_on, d.id
        LIMIT :batch
        -- The appeal's row before its chain lock (lock order), never waited for: an appeal
        -- an action holds now gets its notice on the next run.
        FOR KEY SHARE OF a SKIP LOCKED
    ),
    n AS (
        INSERT INTO deadline_notices (appeal_id, rule, due_on, kind, days_before, created_at)
        SELECT appeal_id, rule, due_on, 'overdue', 0, :now FROM due
        ON CONFLICT DO NOTHING
        RETURNING appeal_id, rule, due_on
    ),
    v AS (
        INSERT INTO appeal_violations
            (appeal_id, rule, due_on, recorded_at, units, executors, deadline_id, recorded_by)
        SELECT n.appeal_id, n.rule, n.due_on, :now, a.units,
               coalesce(r.executors, '[]'::jsonb), due.deadline_id, :actor
        FROM n
        JOIN due USING (appeal_id, rule, due_on)
        JOIN appeals a ON a.id = n.appeal_id
        LEFT JOIN LATERAL (
            SELECT x.executors FROM appeal_resolutions x
            WHERE x.appeal_id = n.appeal_id AND x.superseded_at IS NULL
            ORDER BY x.id DESC LIMIT 1
        ) r ON true
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
            source="v AS n",
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
    SELECT d.appeal_id, d.rule, d.start_on, d.due_on
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


# A stage already violated names those responsible when it was, not those of now.
_CONTROL_SQL = text(
    """
    SELECT a.id, a.year, a.seq, a.status, coalesce(v.units, a.units) AS units, d.rule, d.due_on,
           coalesce(v.executors, r.executors, '[]'::jsonb) AS executors
    FROM appeal_deadlines d
    JOIN appeals a ON a.id = d.appeal_id
    LEFT JOIN appeal_resolutions r ON r.appeal_id = a.id AND r.superseded_at IS NULL
    LEFT JOIN appeal_violations v
        ON v.appeal_id = d.appeal_id AND v.rule = d.rule AND v.due_on = d.due_on
    WHERE d.done_on IS NULL AND d.due_on <= :horizon
    ORDER BY d.due_on, a.year, a.seq, d.id
    LIMIT :limit
    """
)

# One reminder to publish: appeal, rule, due date, the policy mark it is for, working days left.
Reminder = tuple[uuid.UUID, str, date, int, int]


async def publish_overdue(
    session: AsyncSession, *, today: date, now: datetime, batch: int, actor: str
) -> int:
    """The overdue notices not yet out, with their events and violation notes; how many."""
    row = (
        await session.execute(
            _OVERDUE_SQL, {"today": today, "now": now, "batch": batch, "actor": actor}
        )
    ).one()
    return int(row.published)


async def open_deadlines_due(
    session: AsyncSession, *, today: date, horizon: date, batch: int
) -> Sequence[Row[Any]]:
    """Open deadlines due from `today` to `horizon`: appeal_id, rule, due_on."""
    return (
        await session.execute(_SOON_SQL, {"today": today, "horizon": horizon, "batch": batch})
    ).all()


async def publish_reminders(
    session: AsyncSession, todo: Sequence[Reminder], *, now: datetime
) -> int:
    """The reminders not yet out, with their events; how many."""
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


async def overdue_count(session: AsyncSession, *, today: date) -> int:
    return int(await session.scalar(_OVERDUE_COUNT_SQL, {"today": today}) or 0)


async def control_deadlines(
    session: AsyncSession, *, horizon: date, limit: int
) -> Sequence[Row[Any]]:
    """Open deadlines due by `horizon`, soonest first, with their appeal's number, status,
    units and the executors of its resolution in force."""
    return (await session.execute(_CONTROL_SQL, {"horizon": horizon, "limit": limit})).all()
