"""The main path of an appeal, one handler per action: resolution, dispatch, consideration,
response, signature, sending, control, and the manager's deadline changes (R-3.4, R-4–R-6)."""

from __future__ import annotations

from datetime import date
from typing import Any

from appeals_api.appeals.enums import (
    DispatchChannel,
    Kind,
    LetterKind,
    LetterState,
    Status,
)
from appeals_api.appeals.lifecycle import letters, repository
from appeals_api.appeals.lifecycle import schemas as b
from appeals_api.appeals.lifecycle.action import Action, addressee, invalid
from appeals_api.appeals.models import AppealDeadline, Assignment, Measure, Resolution
from appeals_api.calendar.rules import add_months, compute_due, get_rule
from appeals_api.calendar.workdays import WorkCalendar
from appeals_api.config import Settings
from appeals_api.errors import Conflict, NotFound, details
from appeals_api.units import service as units_service


async def resolve(a: Action, body: b.ResolveBody) -> None:
    """R-4.1, R-4.3: route to units, lead first; a new resolution supersedes the last one."""
    unknown = await units_service.unknown_codes(a.session, list(body.units))
    if unknown:
        raise invalid("units", f"no such units: {', '.join(unknown)}")
    if retired := await units_service.retired_codes(a.session, list(body.units)):
        raise Conflict(
            f"unit {', '.join(retired)} is retired: a retired unit receives no new routings "
            "(§19, R-4.1); route to a unit in service"
        )
    for old in await repository.current_resolutions(a.session, a.appeal.id):
        old.superseded_at = a.now
    resolution = Resolution(
        appeal_id=a.appeal.id,
        signed_at=a.now,
        signed_on=a.today,
        signed_by_id=a.principal.id,
        signed_by=a.principal.label,
        instruction=body.instruction,
        units=list(body.units),
        executors=[e.model_dump() for e in body.executors],
        study_required=body.study_required,
    )
    a.session.add(resolution)
    await a.session.flush()
    a.facts.assignments = [
        Assignment(appeal_id=a.appeal.id, resolution_id=resolution.id, unit_code=unit, position=i)
        for i, unit in enumerate(body.units)
    ]
    a.session.add_all(a.facts.assignments)
    a.set("units", list(body.units))
    # a joined duplicate is considered with its original, by the same units:
    # who may read it follows the original's routing (issue 19).
    await a.follow_duplicates(units=list(body.units))
    a.note("resolution", {"id": resolution.id, "instruction": body.instruction})
    # App. 1 stage 2: registered and submitted to management once the resolution is signed.
    if (registration := a.facts.open_deadline("registration")) is not None:
        a.close_deadline(registration, a.today)
    dispatch = a.facts.open_deadline("dispatch")
    if dispatch is None:
        await a.add_deadline("dispatch", a.today)
    else:  # re-routed before it went out: the day counts from the new resolution (§26)
        due = compute_due(get_rule("dispatch"), a.today, await a.calendar())
        a.note("deadlines.dispatch", due)
        dispatch.start_on, dispatch.due_on, dispatch.original_due_on = a.today, due, due
    if body.study_required:
        await _study_required(a)


async def _study_required(a: Action) -> None:
    """§36: a month for an application or complaint; §37: notify a proposal's author in 10 days."""
    appeal = a.appeal
    if appeal.kind == Kind.PROPOSAL:
        if not any(d.rule == "proposal_study_notice" for d in a.facts.deadlines):
            await a.add_deadline("proposal_study_notice", appeal.registered_on)
        return
    answer = a.facts.open_deadline("answer")
    if answer is None:
        return
    if a.today > answer.due_on:  # decided before the 15 days run out, or not at all
        a.late.append(answer)
        a.note("study_required_too_late", answer.due_on)
        a.notes.append(
            "§36: additional study is decided before the 15 days run out; the answer deadline "
            f"of {answer.due_on.isoformat()} stays, and so does its violation (R-3.4, R-9.4)."
        )
        return
    longer = compute_due(get_rule("answer_extended_study"), answer.start_on, await a.calendar())
    new_due = max(longer, answer.due_on) if answer.fixed else longer
    a.changes["deadlines.answer"] = [answer.due_on.isoformat(), None]
    a.changes["deadlines.answer_extended_study"] = [None, new_due.isoformat()]
    answer.rule, answer.due_on, answer.original_due_on = "answer_extended_study", new_due, longer
    previous = appeal.due_date
    a.set("answer_rule", "answer_extended_study")
    a.set("due_date", new_due)
    a.emit(
        "appeal.deadline_changed",
        rule="answer_extended_study",
        previous_due_date=previous,
        due_date=new_due,
        reason="study_required",
    )
    await a.follow_duplicates(due_date=new_due)


def dispatch_channel(settings: Settings) -> DispatchChannel:
    """R-4.2: through DIRECTUM when its URL is configured, else recorded as internal."""
    return DispatchChannel.DIRECTUM if settings.directum_url else DispatchChannel.INTERNAL


async def dispatch(a: Action, body: b.ActionBody) -> None:
    """R-4.2 (§26): sent to every unit of the resolution. Through DIRECTUM, `appeal.dispatched`
    carries what it needs; the DIRECTUM worker takes it from the outbox and delivers it until
    acknowledged (the event exists if and only if the dispatch does)."""
    channel = dispatch_channel(a.settings)
    for assignment in a.facts.assignments:
        if assignment.dispatched_at is None:
            assignment.dispatched_at = a.now
            assignment.dispatched_on = a.today
            assignment.dispatch_channel = channel.value
    if (deadline := a.facts.open_deadline("dispatch")) is not None:
        a.close_deadline(deadline, a.today)
    a.note("dispatched_to", a.appeal.units)
    resolution = a.facts.assignments[0].resolution_id if a.facts.assignments else None
    a.emit(
        "appeal.dispatched",
        units=a.appeal.units,
        channel=channel,
        resolution_id=resolution,
        due_date=a.appeal.due_date,
    )


async def accept(a: Action, body: b.ActionBody) -> None:
    """App. 1 stage 3: a routed unit accepts the appeal for consideration."""
    mine = a.facts.assignment(a.principal.unit_code)
    assert mine is not None  # the guard checked it
    mine.accepted_at = a.now
    mine.accepted_by = a.principal.label
    a.note(f"accepted.{mine.unit_code}", a.now)


async def record_measure(a: Action, body: b.MeasureBody) -> None:
    """R-5.1: a request, hearing, inspection or summons, with its dates and result."""
    if body.held_on < a.received_on:
        raise invalid("held_on", "held_on is before the appeal was received")
    if body.result_on is not None:
        a.check_date("result_on", body.result_on, not_before=body.held_on)
    measure = Measure(
        appeal_id=a.appeal.id,
        type=body.type,
        held_on=body.held_on,
        party=body.party,
        bodies=body.bodies,
        place=body.place,
        description=body.description,
        result=body.result,
        result_on=body.result_on,
        unit_code=a.principal.unit_code,
        recorded_by=a.principal.label,
        recorded_at=a.now,
    )
    a.session.add(measure)
    await a.session.flush()
    noted = {"id": measure.id, "type": measure.type, "held_on": body.held_on}
    if body.bodies is not None:  # §23: a collegial hearing, as the history shows it
        noted |= {"bodies": body.bodies, "place": body.place, "result": body.result}
    a.note("measures", noted)


async def record_measure_result(a: Action, body: b.MeasureResultBody) -> None:
    measure = await repository.measure_for_update(a.session, body.measure_id)
    if measure is None or measure.appeal_id != a.appeal.id:
        raise NotFound("No such measure on this appeal.")
    if measure.result is not None:
        raise Conflict("This measure's result is already recorded.")
    a.check_date("result_on", body.result_on, not_before=measure.held_on)
    measure.result, measure.result_on = body.result, body.result_on
    a.note(f"measures.{measure.id}.result_on", body.result_on)


async def respond(a: Action, body: b.RespondBody) -> None:
    """R-6.1 drafted by the lead unit; an interim response keeps the appeal on control (R-5.3)."""
    values: dict[str, Any] = {
        "outcome": body.outcome,
        "text": body.text,
        "grounds": body.grounds,
        "language": body.language or a.appeal.language,
        "addressee": addressee(a.appeal),
        "unit_code": a.principal.unit_code,
    }
    if body.interim:
        a.stay = True
        a.letter(LetterKind.INTERIM, LetterState.SENT, sent_on=a.today, **values)
        a.note("interim_response", a.today)
        a.emit("appeal.interim_response", sent_on=a.today)
        return
    a.letter(LetterKind.RESPONSE, LetterState.DRAFT, **values)
    a.note("response", {"outcome": body.outcome, "language": values["language"]})
    await a.add_deadline("sign", a.today)  # signed within a working day


async def return_for_revision(a: Action, body: b.RevisionBody) -> None:
    if a.appeal.status is not Status.RESPONSE_DRAFTED:
        letters.return_draft(a, body.reason)
        return
    draft = a.letter_of(LetterKind.RESPONSE, LetterState.DRAFT)
    draft.state = LetterState.RETURNED
    if (stage := a.facts.open_deadline("sign")) is not None:
        a.close_deadline(stage, a.today, cancelled=True)
    a.note("response.returned", body.reason)


async def sign(a: Action, body: b.ActionBody) -> None:
    """R-6.1 (§39), R-4.4: a manager signs; the letter goes out the same day (App. 1)."""
    if a.appeal.status is not Status.RESPONSE_DRAFTED:
        letters.sign(a)
        return
    draft = a.letter_of(LetterKind.RESPONSE, LetterState.DRAFT)
    draft.state = LetterState.SIGNED
    draft.signed_by, draft.signed_on = a.principal.label, a.today
    a.note("response.signed_by", a.principal.label)
    if (stage := a.facts.open_deadline("sign")) is not None:
        a.close_deadline(stage, a.today)
    await a.add_deadline("send_response", a.today)


async def send(a: Action, body: b.SendBody) -> None:
    """R-6.3 (§43): the day the letter is sent ends consideration; on time is judged by it."""
    if a.appeal.status is not Status.RESPONSE_SIGNED:
        await letters.send(a, body)
        return
    letter = a.letter_of(LetterKind.RESPONSE, LetterState.SIGNED)
    sent_on = letters.mark_sent(a, letter, body)
    a.set("outcome", letter.outcome)
    a.complete(sent_on)
    a.close_open(sent_on, cancelled=False, keep=("clarification",))
    on_time = sent_on <= a.appeal.due_date
    a.note("letter_number", body.letter_number)
    a.emit("appeal.response_sent", outcome=letter.outcome, sent_on=sent_on, on_time=on_time)
    # §39, §64, R-8.4: the applicant is told of the decision, and how to appeal it.
    a.emit("appeal.applicant_notice", reason="response_sent", outcome=letter.outcome)
    await a.follow_duplicates(completed_on=sent_on, outcome=letter.outcome)


async def remove_from_control(a: Action, body: b.ActionBody) -> None:
    """R-6.3 (§66): a separate act; joined duplicates leave control with their original."""
    a.off_control()
    rows = await repository.duplicates_on_control(a.session, a.appeal.id)
    for dup in rows:
        dup.control_removed_at, dup.control_removed_by = a.now, a.principal.label
        await a.touch(
            dup,
            action="removed_from_control_with_original",
            changes={"control_removed_by": [None, a.principal.label]},
            note=None,
        )


# R-3.4 (§36): what an extension may move: the answer deadline, never another stage.
EXTENDABLE = ("answer", "answer_extended_study", "proposal_answer")


async def _change_deadline(a: Action, body: b.DeadlineChangeBody, *, extend: bool) -> None:
    """R-3.4 (§36, §38): a manager moves a deadline, with a reason; the original stays."""
    rule = body.rule or a.appeal.answer_rule
    if extend:
        await _may_extend(a, rule, named=body.rule is not None)
    deadline = a.facts.open_deadline(rule)
    if deadline is None:
        raise invalid("rule", f"the appeal has no open {rule!r} deadline")
    calendar = await a.calendar()
    new, old = body.due_date, deadline.due_on
    if extend:
        _check_extension(a, deadline, new, calendar)
    else:
        _check_shortening(a, deadline, new)
    if not calendar.is_working_day(new):
        raise invalid("due_date", "a deadline falls on a working day (§35)")
    deadline.due_on, deadline.fixed = new, True
    a.changes[f"deadlines.{rule}"] = [old.isoformat(), new.isoformat()]
    a.notes.append(body.reason)
    if rule == a.appeal.answer_rule:
        a.set("due_date", new)
        await a.follow_duplicates(due_date=new)
    a.emit(
        "appeal.deadline_changed",
        rule=rule,
        previous_due_date=old,
        due_date=new,
        original_due_date=deadline.original_due_on,
        reason="extended" if extend else "shortened",
    )
    if extend:  # §36: the applicant is told
        a.emit("appeal.applicant_notice", reason="deadline_extended", due_date=new)


async def _may_extend(a: Action, rule: str, *, named: bool) -> None:
    """§36 extends the answer deadline, once per appeal (R-3.4): 422 for a stage the caller
    named that cannot be extended, 409 where the appeal's state refuses."""
    if rule not in EXTENDABLE:
        message = f"§36 extends only the answer deadline, not the {rule!r} stage (R-3.4)"
        raise invalid("rule", message) if named else Conflict(message + ".")
    if await repository.was_extended(a.session, a.appeal.id):
        raise Conflict(
            details.gettext("§36 allows one extension per appeal (R-3.4): it was extended already.")
        )


def _check_extension(
    a: Action, deadline: AppealDeadline, new: date, calendar: WorkCalendar
) -> None:
    """§36: only before the deadline passes, to at most a month past the legal deadline."""
    due, legal = deadline.due_on, deadline.original_due_on
    if a.today > due:
        raise Conflict(
            details.gettext(
                "§36 extends a deadline only before it passes (R-3.4): the {rule} deadline of "
                "{due} has passed, and its violation stays (R-9.4).",
                rule=deadline.rule,
                due=due,
            )
        )
    if new <= due:
        raise invalid("due_date", f"an extension moves the deadline past {due.isoformat()} (R-3.4)")
    limit = calendar.roll_forward(add_months(legal, 1))
    if new > limit:
        raise invalid(
            "due_date",
            f"§36 allows at most one month past the legal deadline of {legal.isoformat()}: "
            f"{limit.isoformat()} (R-3.4)",
        )


def _check_shortening(a: Action, deadline: AppealDeadline, new: date) -> None:
    """§38: a shortened deadline is earlier than the one in force, and never in the past."""
    if new >= deadline.due_on:
        raise invalid(
            "due_date",
            f"§38: a shortened deadline is earlier than {deadline.due_on.isoformat()} (R-3.4)",
        )
    if new < a.today:
        raise invalid(
            "due_date", f"§38 never shortens a deadline into the past, before {a.today} (R-3.4)"
        )


async def extend(a: Action, body: b.DeadlineChangeBody) -> None:
    await _change_deadline(a, body, extend=True)


async def shorten(a: Action, body: b.DeadlineChangeBody) -> None:
    await _change_deadline(a, body, extend=False)
