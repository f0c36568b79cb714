"""HTTP for the working-day calendar, deadline rules and decree overrides (R-3)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from appeals_api.auth.dependencies import require
from appeals_api.auth.roles import Principal, Role
from appeals_api.calendar import recompute, service
from appeals_api.calendar.rules import RULES, UnknownRuleError, compute_due, get_rule
from appeals_api.calendar.schemas import (
    CalendarDay,
    DeadlineAnswer,
    OverrideChange,
    OverrideList,
    OverrideRead,
    OverrideWrite,
    RuleRead,
    WorkingDays,
)
from appeals_api.config import Settings
from appeals_api.db import SessionDep
from appeals_api.deps import AnyKey, NowDep, SettingsDep
from appeals_api.errors import FieldError, Unprocessable, problem_responses
from appeals_api.rows import from_row
from appeals_api.state import state_of

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"])

CalendarKeeper = Annotated[Principal, Depends(require(Role.ADMIN, Role.REGISTRAR))]

MAX_RANGE_DAYS = 366
DayParam = Annotated[date, Path(description="The day, YYYY-MM-DD")]


def _bounded(day: date) -> date:
    if not date(1991, 1, 1) <= day <= date(2200, 12, 31):
        raise Unprocessable(
            "date out of range",
            [FieldError(field="date", message="between 1991 and 2200", type="range")],
        )
    return day


@router.get(
    "/working-days",
    response_model=WorkingDays,
    responses=problem_responses(401, 403, 422),
    summary="The working-day calendar in force over a range (at most 366 days)",
)
async def working_days(
    session: SessionDep,
    settings: SettingsDep,
    _: AnyKey,
    from_: Annotated[date, Query(alias="from")],
    to: date,
) -> WorkingDays:
    _bounded(from_)
    _bounded(to)
    if to < from_ or (to - from_).days >= MAX_RANGE_DAYS:
        raise Unprocessable(
            f"`to` must be on or after `from`, within {MAX_RANGE_DAYS} days",
            [FieldError(field="to", message="range too long or reversed", type="range")],
        )
    calendar = await service.load_calendar(session, settings)
    days = []
    day = from_
    while day <= to:
        reason = calendar.non_working_reason(day)
        days.append(CalendarDay(date=day, working=reason is None, reason=reason))
        day += timedelta(days=1)
    return WorkingDays(from_=from_, to=to, working_days=sum(d.working for d in days), days=days)


def _rule_read(name: str) -> RuleRead:
    return RuleRead.model_validate(RULES[name], from_attributes=True)


@router.get(
    "/rules",
    response_model=list[RuleRead],
    responses=problem_responses(401, 403),
    summary="The deadline rules of R-3.3, each with its clause",
)
async def list_rules(_: AnyKey) -> list[RuleRead]:
    return [_rule_read(name) for name in RULES]


@router.get(
    "/deadline",
    response_model=DeadlineAnswer,
    responses=problem_responses(401, 403, 422),
    summary="A deadline computed by a named rule from a start date",
)
async def deadline(
    session: SessionDep,
    settings: SettingsDep,
    _: AnyKey,
    start: date,
    rule: Annotated[str, Query(max_length=64)],
) -> DeadlineAnswer:
    _bounded(start)
    try:
        deadline_rule = get_rule(rule)
    except UnknownRuleError as exc:
        raise Unprocessable(
            f"unknown rule {rule!r}; known: {', '.join(RULES)}",
            [FieldError(field="rule", message="unknown rule", type="enum")],
        ) from exc
    calendar = await service.load_calendar(session, settings)
    due = compute_due(deadline_rule, start, calendar)
    return DeadlineAnswer(rule=_rule_read(rule), start=start, due_date=due)


@router.get(
    "/overrides",
    response_model=OverrideList,
    responses=problem_responses(401, 403),
    summary="The decree overrides in force",
)
async def list_overrides(session: SessionDep, _: AnyKey) -> OverrideList:
    rows = await service.list_overrides(session)
    return OverrideList(items=[OverrideRead.model_validate(r) for r in rows])


@router.put(
    "/overrides/{day}",
    response_model=OverrideChange,
    responses=problem_responses(401, 403, 422),
    summary="Make a day off or working by decree; open deadlines it touches are recomputed",
    description=(
        "The override is in force once this answers; the open deadlines it touches are "
        "recomputed in short batches, by this request for a moment and then by the worker "
        "(`recompute_done` says whether all are; `recomputed_deadlines` counts those moved "
        "so far). Until an appeal is recomputed, an action on it recomputes it first and the "
        "deadline watch records no violation from it (R-3.6)."
    ),
)
async def put_override(
    request: Request,
    session: SessionDep,
    principal: CalendarKeeper,
    settings: SettingsDep,
    now: NowDep,
    day: DayParam,
    body: OverrideWrite,
) -> OverrideChange:
    result = await service.put_override(
        session,
        day=_bounded(day),
        working=body.working,
        reason=body.reason,
        actor=principal,
        now=now,
    )
    await session.commit()  # the short transaction: intake and actions go on from here
    progress = await _recompute_for_a_moment(request, settings, result.job_id)
    return from_row(
        OverrideChange,
        result.override,
        recomputed_deadlines=progress.moved,
        recompute_id=result.job_id,
        recompute_done=progress.done,
    )


@router.delete(
    "/overrides/{day}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 422),
    summary="Remove a decree override; open deadlines it touches are recomputed",
    description="Recomputed as after a `PUT`: by this request for a moment, then by the worker.",
)
async def delete_override(
    request: Request,
    session: SessionDep,
    principal: CalendarKeeper,
    settings: SettingsDep,
    now: NowDep,
    day: DayParam,
) -> Response:
    job_id = await service.delete_override(session, day=day, actor=principal, now=now)
    await session.commit()
    await _recompute_for_a_moment(request, settings, job_id)
    return Response(status_code=204)


async def _recompute_for_a_moment(
    request: Request, settings: Settings, job_id: int
) -> recompute.Progress:
    """The override's recompute, by this request for at most
    `calendar_recompute_inline_seconds` (a small one is done before the answer); the worker's
    `recompute_calendar` goes on with what is left."""
    state = state_of(request)
    runner = recompute.Runner(state.sessionmaker, settings, state.clock, state.on_calendar_change)
    return await recompute.run(
        runner, job_id=job_id, budget=settings.calendar_recompute_inline_seconds
    )
