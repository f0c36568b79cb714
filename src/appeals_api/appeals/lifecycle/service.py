"""Taking an action on an appeal: one transaction of state change, history row and events."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import deadlines as deadline_policy
from appeals_api.appeals import journal, repository, violations
from appeals_api.appeals.access import NO_SUCH_APPEAL, can_see, get_visible
from appeals_api.appeals.enums import Status
from appeals_api.appeals.lifecycle import exits, forms, handlers, letters, workflow
from appeals_api.appeals.lifecycle import repository as lifecycle_repository
from appeals_api.appeals.lifecycle.action import Action
from appeals_api.appeals.lifecycle.schemas import ActionBody
from appeals_api.appeals.lifecycle.workflow import Facts
from appeals_api.appeals.models import Appeal
from appeals_api.auth.roles import Principal
from appeals_api.calendar import service as calendar_service
from appeals_api.config import Settings
from appeals_api.errors import (
    ActionNotAllowed,
    Forbidden,
    NotFound,
    PreconditionFailed,
    details,
)

Handler = Callable[[Action, Any], Awaitable[None]]
HANDLERS: dict[str, Handler] = {
    "resolve": handlers.resolve,
    "dispatch": handlers.dispatch,
    "accept": handlers.accept,
    "record_measure": handlers.record_measure,
    "record_measure_result": handlers.record_measure_result,
    "respond": handlers.respond,
    "return_for_revision": handlers.return_for_revision,
    "sign": handlers.sign,
    "send": handlers.send,
    "remove_from_control": handlers.remove_from_control,
    "extend": handlers.extend,
    "shorten": handlers.shorten,
    "notify_study": exits.notify_study,
    "withdraw": exits.withdraw,
    "forward": exits.forward,
    "return": exits.return_,
    "leave_without_consideration": exits.leave_without_consideration,
    "terminate": exits.terminate,
    "join": exits.join,
    "answer_duplicate": exits.answer_duplicate,
    "request_clarification": exits.request_clarification,
    "send_clarification": exits.send_clarification,
    "restore_term": exits.restore_term,
    "send_envelope_report": letters.send_envelope_report,
}
assert set(HANDLERS) == set(workflow.ACTIONS), "every action has a handler"

_ETAG = re.compile(r'^\s*(?:W/)?"(\d+)"\s*$')


def etag(appeal: Appeal) -> str:
    return f'"{appeal.version}"'


def check_if_match(if_match: str | None, appeal: Appeal) -> None:
    """A stale `If-Match` is 412: the caller decided on a version that is no longer current."""
    if if_match is None or if_match.strip() == "*":
        return
    versions = {m.group(1) for part in if_match.split(",") if (m := _ETAG.match(part))}
    if str(appeal.version) not in versions:
        raise PreconditionFailed(
            details.gettext(
                "The appeal has changed (its ETag is now {etag}): read it again.", etag=etag(appeal)
            )
        )


async def load_facts(session: AsyncSession, appeal: Appeal) -> Facts:
    deadlines = await repository.deadlines_of(session, [appeal.id])
    return Facts(
        appeal=appeal,
        deadlines=deadlines[appeal.id],
        assignments=await lifecycle_repository.current_assignments(session, appeal.id),
        letters=await lifecycle_repository.letters_of(session, appeal.id),
    )


async def available(
    session: AsyncSession, *, appeal_id: uuid.UUID, principal: Principal
) -> tuple[Appeal, list[str]]:
    """The actions this caller may take on the appeal now (API.md, discoverable workflow)."""
    appeal = await get_visible(session, appeal_id=appeal_id, principal=principal)
    return appeal, workflow.allowed(await load_facts(session, appeal), principal)


async def perform(
    session: AsyncSession,
    settings: Settings,
    *,
    appeal_id: uuid.UUID,
    name: str,
    body: ActionBody,
    principal: Principal,
    now: datetime,
    if_match: str | None,
) -> Appeal:
    """Take action `name`: 404 unseen, 412 stale, 403 not this caller's, 409 not in this state.

    The calendar is share-locked before the appeal's row: a decree override takes the calendar,
    then the rows it recomputes, so both take their locks in the same order (R-3.6)."""
    # Lock 1, then lock 4 (ARCHITECTURE.md).
    calendar = (await calendar_service.load_versioned(session, settings, lock=True)).calendar
    appeal = await repository.get_for_update(session, appeal_id)
    if appeal is None or not can_see(principal, appeal):
        raise NotFound(NO_SUCH_APPEAL)
    check_if_match(if_match, appeal)
    # an appeal an override's recompute has not reached yet is recomputed first.
    await deadline_policy.catch_up(session, appeal, calendar, settings, now)
    facts = await _admitted(session, name, appeal, principal)
    action = Action(session, settings, facts, principal, now, _calendar=calendar)
    was = await violations.before(session, appeal, facts.deadlines, today=action.today)
    await HANDLERS[name](action, body)
    _move(action, name)
    found = violations.violated(was, facts.deadlines, action.late)
    await violations.record(session, appeal, was, found, actor=action.actor, action=name, now=now)
    notes = [n for n in (*action.notes, body.note) if n]
    await journal.record(
        session,
        appeal,
        actor=action.actor,
        action=name,
        at=now,
        changes=action.changes,
        note="\n".join(notes) or None,
        events=action.events,
    )
    return appeal


async def _admitted(
    session: AsyncSession, name: str, appeal: Appeal, principal: Principal
) -> Facts:
    """The facts the guards look at, once the caller (403) and the state (409) allow `name`."""
    facts = await load_facts(session, appeal)
    if (refusal := workflow.who_refuses(name, facts, principal)) is not None:
        raise Forbidden(refusal)
    if (refusal := workflow.state_refuses(name, facts, principal)) is not None:
        raise ActionNotAllowed(refusal, workflow.allowed(facts, principal))
    return facts


def _move(action: Action, name: str) -> None:
    """The transition map's new status (R-4–R-7); every action reaches the outbox."""
    before = Status(action.appeal.status)
    after = action.to or (before if action.stay else workflow.TRANSITIONS[name][before])
    if after is not before:
        action.set("status", after)
        action.emit("appeal.status_changed", previous=before, status=after, action=name)
    if not action.events:  # also one that moves no status
        action.emit("appeal.updated", action=name)


def describe(name: str) -> dict[str, Any]:
    spec = workflow.ACTIONS[name]
    return {
        "name": name,
        "title": spec.title,
        "method": "POST",
        "fields": forms.body_fields(spec),
    }
