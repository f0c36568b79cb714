"""The calendar in force: the holidays package plus decree overrides, and deadlines on it (R-3)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.models import Appeal, AppealDeadline, AppealHistory
from appeals_api.auth.roles import Principal
from appeals_api.calendar.models import CalendarOverride
from appeals_api.calendar.rules import RULES, compute_due, get_rule
from appeals_api.calendar.workdays import WorkCalendar
from appeals_api.config import Settings
from appeals_api.errors import NotFound
from appeals_api.events import service as events_service

# The version with every override: one round trip.
_LOAD = text(
    "SELECT s.version, o.day, o.working FROM calendar_state s "
    "LEFT JOIN calendar_overrides o ON true WHERE s.id = 1"
)
# Locked, it takes two: a statement that waited for the lock still reads with the snapshot it
# started with (only the locked row is read again), so the overrides come after, in a new one.
_LOCK = text("SELECT version FROM calendar_state WHERE id = 1 FOR SHARE")
_OVERRIDES = text("SELECT day, working FROM calendar_overrides")
_BUMP = text("UPDATE calendar_state SET version = version + 1 WHERE id = 1")


@dataclass(frozen=True)
class VersionedCalendar:
    version: int
    calendar: WorkCalendar


async def load_versioned(
    session: AsyncSession, settings: Settings, *, lock: bool = False
) -> VersionedCalendar:
    """The working-day calendar in force (weekend policy, the UZ holidays, decree overrides)
    and its version.

    `lock` share-locks the version until this transaction ends, so a decree override made
    meanwhile waits, then recomputes the deadlines this transaction wrote (R-3.6). Intake and
    actions lock, before any other row: an override takes the calendar, then the rows it
    recomputes, and the same order both ways cannot deadlock. Reads and the watch do not."""
    if lock:
        version = int((await session.execute(_LOCK)).scalar_one())
        rows = (await session.execute(_OVERRIDES)).all()
    else:
        rows = (await session.execute(_LOAD)).all()
        version = int(rows[0].version)
    overrides = {r.day: r.working for r in rows if r.day is not None}
    calendar = WorkCalendar(weekend=frozenset(settings.weekend), overrides=overrides)
    return VersionedCalendar(version=version, calendar=calendar)


async def load_calendar(session: AsyncSession, settings: Settings) -> WorkCalendar:
    return (await load_versioned(session, settings)).calendar


class CalendarCache:
    """The calendar last loaded by this process, for intake's single statement, which checks
    the version it was computed with against the row (and falls back when it moved)."""

    def __init__(self) -> None:
        self.current: VersionedCalendar | None = None

    def remember(self, loaded: VersionedCalendar) -> VersionedCalendar:
        if self.current is None or loaded.version >= self.current.version:
            self.current = loaded
        return loaded


async def list_overrides(session: AsyncSession) -> list[CalendarOverride]:
    return list(await session.scalars(select(CalendarOverride).order_by(CalendarOverride.day)))


@dataclass(frozen=True)
class OverrideResult:
    override: CalendarOverride
    recomputed: int


async def put_override(
    session: AsyncSession,
    settings: Settings,
    *,
    day: date,
    working: bool,
    reason: str,
    actor: Principal,
    now: datetime,
) -> OverrideResult:
    """Make a day off or working by decree, then recompute the open deadlines it touches (R-3.6)."""
    # First: from here until commit, nobody computes deadlines on the old calendar.
    await session.execute(_BUMP)
    stmt = (
        pg_insert(CalendarOverride)
        .values(day=day, working=working, reason=reason, updated_at=now, updated_by=actor.label)
        .on_conflict_do_update(
            index_elements=[CalendarOverride.day],
            set_={
                "working": working,
                "reason": reason,
                "updated_at": now,
                "updated_by": actor.label,
            },
        )
        .returning(CalendarOverride)
    )
    override = (await session.scalars(stmt)).one()
    recomputed = await recompute_deadlines(
        session, settings, day=day, actor=actor, now=now, reason=f"calendar override: {reason}"
    )
    return OverrideResult(override=override, recomputed=recomputed)


async def delete_override(
    session: AsyncSession, settings: Settings, *, day: date, actor: Principal, now: datetime
) -> int:
    """Drop a decree override (the package's calendar applies again) and recompute (R-3.6)."""
    await session.execute(_BUMP)
    deleted = await session.execute(
        delete(CalendarOverride).where(CalendarOverride.day == day).returning(CalendarOverride.day)
    )
    if deleted.first() is None:
        raise NotFound(f"no calendar override on {day.isoformat()}")
    return await recompute_deadlines(
        session, settings, day=day, actor=actor, now=now, reason="calendar override removed"
    )


async def recompute_deadlines(
    session: AsyncSession,
    settings: Settings,
    *,
    day: date,
    actor: Principal,
    now: datetime,
    reason: str,
) -> int:
    """Recompute every open, calendar-derived deadline whose span covers `day` (R-3.6).

    A deadline counted from `start_on` to `due_on` depends only on the days in that span, so a
    change of any other day cannot move it. Deadlines fixed by a manager's decision stay.
    """
    calendar = await load_calendar(session, settings)
    rows = (
        await session.scalars(
            select(AppealDeadline)
            .where(
                AppealDeadline.done_on.is_(None),
                AppealDeadline.fixed.is_(False),
                AppealDeadline.start_on <= day,
                AppealDeadline.due_on >= day,
            )
            .order_by(AppealDeadline.appeal_id, AppealDeadline.id)
            .with_for_update()
        )
    ).all()
    changed = 0
    for deadline in rows:
        if deadline.rule not in RULES:
            continue
        new_due = compute_due(get_rule(deadline.rule), deadline.start_on, calendar)
        if new_due == deadline.due_on:
            continue
        old_due = deadline.due_on
        deadline.due_on = new_due
        deadline.original_due_on = new_due
        await _follow_answer_deadline(session, deadline.appeal_id, deadline.rule, new_due, now)
        session.add(
            AppealHistory(
                appeal_id=deadline.appeal_id,
                at=now,
                actor_id=actor.id,
                actor_name=actor.name,
                actor_role=actor.role.value,
                action="deadline_recomputed",
                changes={f"deadlines.{deadline.rule}": [old_due.isoformat(), new_due.isoformat()]},
                note=reason,
            )
        )
        await events_service.emit(
            session,
            type="appeal.deadline_changed",
            appeal_id=deadline.appeal_id,
            at=now,
            data={
                "rule": deadline.rule,
                "previous_due_date": old_due.isoformat(),
                "due_date": new_due.isoformat(),
                "reason": "calendar",
            },
        )
        changed += 1
    await session.flush()
    return changed


async def _follow_answer_deadline(
    session: AsyncSession, appeal_id: uuid.UUID, rule: str, new_due: date, now: datetime
) -> None:
    appeal = await session.get(Appeal, appeal_id, with_for_update=True)
    if appeal is not None and appeal.answer_rule == rule:
        appeal.due_date = new_due
        appeal.updated_at = now
        appeal.version += 1
