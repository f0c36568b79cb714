"""One handler per lifecycle action: the rule it applies, through `Action` (R-3.4, R-4–R-7)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlalchemy import select

from appeals_api.appeals import action_schemas as b
from appeals_api.appeals import repository
from appeals_api.appeals.actions import Action, invalid, jsonable
from appeals_api.appeals.enums import (
    ControlType,
    Kind,
    LetterKind,
    LetterState,
    Relation,
    Status,
    TerminationGround,
)
from appeals_api.appeals.models import Appeal, Assignment, Letter, Measure, Resolution
from appeals_api.appeals.numbering import display_number
from appeals_api.appeals.workflow import OPEN
from appeals_api.calendar.rules import add_months, compute_due, get_rule
from appeals_api.errors import Conflict, NotFound
from appeals_api.units import service as units_service


def _letter(a: Action, kind: LetterKind, state: LetterState, **values: Any) -> Letter:
    letter = Letter(
        appeal_id=a.appeal.id,
        kind=kind.value,
        state=state.value,
        drafted_by=a.principal.label,
        drafted_at=a.now,
        **values,
    )
    a.session.add(letter)
    a.facts.letters.append(letter)
    return letter


def _addressee(appeal: Appeal) -> str | None:
    """§41: the first applicant, or the one they designated; R-6.2."""
    if not appeal.applicants:
        return None
    person = appeal.applicants[appeal.respond_to or 0]
    if person.get("type") == "legal_entity":
        return person.get("name")
    parts = [person.get("last_name"), person.get("first_name"), person.get("patronymic")]
    return " ".join(p for p in parts if p) or None


def _letter_of(a: Action, kind: LetterKind, state: LetterState) -> Letter:
    letter = next(
        (x for x in reversed(a.facts.letters) if x.kind == kind and x.state == state), None
    )
    if letter is None:  # the transition map makes this unreachable; say so if it is not
        raise Conflict(f"no {state.value} {kind.value} letter on this appeal")
    return letter


async def _follow_duplicates(a: Action, **values: Any) -> None:
    """R-5.2: duplicates joined to this appeal share its deadline and its answer."""
    for dup in await repository.joined_duplicates(a.session, a.appeal.id):
        changes = {k: [jsonable(getattr(dup, k)), jsonable(v)] for k, v in values.items()}
        for k, v in values.items():
            setattr(dup, k, v)
        await a.touch(
            dup,
            action="followed_original",
            changes=changes,
            note=f"with {display_number(a.appeal.year, a.appeal.seq)}",
        )


async def resolve(a: Action, body: b.ResolveBody) -> None:
    """R-4.1, R-4.3: route to units, lead first; a new resolution supersedes the last one."""
    unknown = await units_service.unknown_codes(a.session, list(body.units))
    if unknown:
        raise invalid("units", f"no such units: {', '.join(unknown)}")
    previous = await a.session.scalars(
        select(Resolution).where(
            Resolution.appeal_id == a.appeal.id, Resolution.superseded_at.is_(None)
        )
    )
    for old in previous:
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
    await _follow_duplicates(a, due_date=new_due)


async def dispatch(a: Action, body: b.ActionBody) -> None:
    """R-4.2 (§26): sent to every unit of the resolution; DIRECTUM delivery follows the event."""
    for assignment in a.facts.assignments:
        if assignment.dispatched_at is None:
            assignment.dispatched_at = a.now
            assignment.dispatched_on = a.today
            assignment.dispatch_channel = "internal"
    if (deadline := a.facts.open_deadline("dispatch")) is not None:
        a.close_deadline(deadline, a.today)
    a.note("dispatched_to", a.appeal.units)
    a.emit("appeal.dispatched", units=a.appeal.units)


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
        type=body.type.value,
        held_on=body.held_on,
        party=body.party,
        description=body.description,
        result=body.result,
        result_on=body.result_on,
        unit_code=a.principal.unit_code,
        recorded_by=a.principal.label,
        recorded_at=a.now,
    )
    a.session.add(measure)
    await a.session.flush()
    a.note("measures", {"id": measure.id, "type": measure.type, "held_on": body.held_on})


async def record_measure_result(a: Action, body: b.MeasureResultBody) -> None:
    measure = await a.session.get(Measure, body.measure_id, with_for_update=True)
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
        "outcome": body.outcome.value if body.outcome else None,
        "text": body.text,
        "grounds": body.grounds,
        "language": body.language or a.appeal.language,
        "addressee": _addressee(a.appeal),
        "unit_code": a.principal.unit_code,
    }
    if body.interim:
        a.stay = True
        _letter(a, LetterKind.INTERIM, LetterState.SENT, sent_on=a.today, **values)
        a.note("interim_response", a.today)
        a.emit("appeal.interim_response", sent_on=a.today)
        return
    _letter(a, LetterKind.RESPONSE, LetterState.DRAFT, **values)
    a.note("response", {"outcome": body.outcome, "language": values["language"]})


async def return_for_revision(a: Action, body: b.RevisionBody) -> None:
    draft = _letter_of(a, LetterKind.RESPONSE, LetterState.DRAFT)
    draft.state = LetterState.RETURNED.value
    a.note("response.returned", body.reason)


async def sign(a: Action, body: b.ActionBody) -> None:
    """R-6.1 (§39): a manager signs; the letter goes out the same day (App. 1)."""
    draft = _letter_of(a, LetterKind.RESPONSE, LetterState.DRAFT)
    draft.state = LetterState.SIGNED.value
    draft.signed_by, draft.signed_on = a.principal.label, a.today
    a.note("response.signed_by", a.principal.label)
    await a.add_deadline("send_response", a.today)


async def send(a: Action, body: b.SendBody) -> None:
    """R-6.3 (§43): the day the letter is sent ends consideration; on time is judged by it."""
    if a.appeal.status == Status.WITHDRAWN:
        await _send_withdrawal_answer(a, body)
        return
    letter = _letter_of(a, LetterKind.RESPONSE, LetterState.SIGNED)
    assert letter.signed_on is not None
    sent_on = a.check_date("sent_on", body.sent_on or a.today, not_before=letter.signed_on)
    if a.appeal.control.get("type") == ControlType.HIGHER_BODY and not body.control_letter_number:
        raise invalid(
            "control_letter_number", "under a higher body's control it is answered too (§44)"
        )
    letter.state = LetterState.SENT.value
    letter.letter_number, letter.sent_on, letter.sent_by = (
        body.letter_number,
        sent_on,
        a.principal.label,
    )
    letter.control_letter_number = body.control_letter_number
    a.set("outcome", letter.outcome)
    a.set("completed_on", sent_on)
    a.close_open(sent_on, cancelled=False, keep=("clarification",))
    on_time = sent_on <= a.appeal.due_date
    a.note("letter_number", body.letter_number)
    a.emit("appeal.response_sent", outcome=letter.outcome, sent_on=sent_on, on_time=on_time)
    await _follow_duplicates(a, completed_on=sent_on, outcome=letter.outcome)


async def _send_withdrawal_answer(a: Action, body: b.SendBody) -> None:
    """§17, §51: the written answer to a withdrawal, within three days."""
    deadline = a.facts.open_deadline("withdrawal_answer")
    start = deadline.start_on if deadline else a.received_on
    sent_on = a.check_date("sent_on", body.sent_on or a.today, not_before=start)
    _letter(
        a,
        LetterKind.WITHDRAWAL_ANSWER,
        LetterState.SENT,
        addressee=_addressee(a.appeal),
        letter_number=body.letter_number,
        sent_on=sent_on,
        sent_by=a.principal.label,
        language=a.appeal.language,
    )
    if deadline is not None:
        a.close_deadline(deadline, sent_on)
    a.set("completed_on", sent_on)
    a.note("letter_number", body.letter_number)


async def remove_from_control(a: Action, body: b.ActionBody) -> None:
    """R-6.3 (§66): a separate act; joined duplicates leave control with their original."""
    a.off_control()
    rows = await a.session.scalars(
        select(Appeal)
        .where(Appeal.joined_to == a.appeal.id, Appeal.control_removed_at.is_(None))
        .with_for_update()
    )
    for dup in rows:
        dup.control_removed_at, dup.control_removed_by = a.now, a.principal.label
        await a.touch(
            dup,
            action="removed_from_control_with_original",
            changes={"control_removed_by": [None, a.principal.label]},
            note=None,
        )


async def _change_deadline(a: Action, body: b.DeadlineChangeBody, *, extend: bool) -> None:
    """R-3.4 (§36, §38): a manager moves a deadline, with a reason; the original stays."""
    rule = body.rule or a.appeal.answer_rule
    deadline = a.facts.open_deadline(rule)
    if deadline is None:
        raise invalid("rule", f"the appeal has no open {rule!r} deadline")
    calendar = await a.calendar()
    new, old = body.due_date, deadline.due_on
    if not calendar.is_working_day(new):
        raise invalid("due_date", "a deadline falls on a working day (§35)")
    if extend:
        limit = calendar.roll_forward(add_months(old, 1))
        if new <= old:
            raise invalid("due_date", "an extension moves the deadline later")
        if new > limit:
            raise invalid(
                "due_date", f"at most one month past the current deadline: {limit.isoformat()}"
            )
    elif new >= old or new < a.today:
        raise invalid("due_date", "a shortened deadline is earlier, and not in the past")
    deadline.due_on, deadline.fixed = new, True
    a.changes[f"deadlines.{rule}"] = [old.isoformat(), new.isoformat()]
    a.notes.append(body.reason)
    if rule == a.appeal.answer_rule:
        a.set("due_date", new)
        await _follow_duplicates(a, due_date=new)
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


async def extend(a: Action, body: b.DeadlineChangeBody) -> None:
    await _change_deadline(a, body, extend=True)


async def shorten(a: Action, body: b.DeadlineChangeBody) -> None:
    await _change_deadline(a, body, extend=False)


async def withdraw(a: Action, body: b.WithdrawBody) -> None:
    """R-7.3 (§17): consideration is suspended and a written answer is due in three days."""
    received_on = a.check_date("received_on", body.received_on)
    a.close_open(a.today, cancelled=True)
    deadline = await a.add_deadline("withdrawal_answer", received_on)
    a.set("answer_rule", "withdrawal_answer")
    a.set("due_date", deadline.due_on)
    a.set("disposal", {"type": "withdrawn", "received_on": received_on.isoformat()})


async def _leave_by_letter(
    a: Action,
    *,
    rule: str,
    kind: LetterKind,
    addressee: str | None,
    text: str | None,
    letter_number: str | None,
    sent_on: date | None,
    disposal: dict[str, Any],
) -> None:
    """§31: forwarded or returned within five days of receipt, by a letter."""
    on = a.check_date("sent_on", sent_on or a.today)
    a.close_open(on, cancelled=True)
    deadline = await a.add_deadline(rule, a.appeal.registered_on, done_on=on)
    _letter(
        a,
        kind,
        LetterState.SENT,
        addressee=addressee,
        text=text,
        letter_number=letter_number,
        sent_on=on,
        sent_by=a.principal.label,
    )
    a.set("answer_rule", rule)
    a.set("due_date", deadline.due_on)
    a.set("completed_on", on)
    a.set("disposal", disposal)
    a.off_control()


async def forward(a: Action, body: b.ForwardBody) -> None:
    """R-7.4 (§31): out of scope, to the competent body; the applicant is told."""
    await _leave_by_letter(
        a,
        rule="forward",
        kind=LetterKind.FORWARD,
        addressee=body.body,
        text=None,
        letter_number=body.letter_number,
        sent_on=body.sent_on,
        disposal={"type": "forwarded", "body": body.body},
    )
    a.emit("appeal.applicant_notice", reason="forwarded", body=body.body)


async def return_(a: Action, body: b.ReturnBody) -> None:
    """§31: not enough to forward: back to the applicant with an explanation."""
    await _leave_by_letter(
        a,
        rule="return",
        kind=LetterKind.RETURN,
        addressee=_addressee(a.appeal),
        text=body.explanation,
        letter_number=body.letter_number,
        sent_on=body.sent_on,
        disposal={"type": "returned"},
    )
    a.emit("appeal.applicant_notice", reason="returned")


def _decided(a: Action, kind: str, ground: str, conclusion: str) -> dict[str, Any]:
    return {
        "type": kind,
        "ground": ground,
        "conclusion": conclusion,
        "decided_by": a.principal.label,
        "decided_on": a.today.isoformat(),
    }


async def leave_without_consideration(a: Action, body: b.LeaveBody) -> None:
    """R-7.1 (§46–49): on an approved conclusion; off control at once (§47)."""
    disposal = _decided(a, "left_without_consideration", body.ground.value, body.conclusion)
    if body.prepared_by:
        disposal["prepared_by"] = body.prepared_by
    a.close_open(a.today, cancelled=True)
    a.set("completed_on", a.today)
    a.set("disposal", disposal)
    a.off_control()
    if any(applicant.get("address") for applicant in a.appeal.applicants):
        a.emit("appeal.applicant_notice", reason="left_without_consideration", ground=body.ground)


async def terminate(a: Action, body: b.TerminateBody) -> None:
    """R-7.2 (§50–51): a deputy chairman ends consideration on a ground of §50."""
    related = a.appeal.related or {}
    if (
        body.ground is TerminationGround.REPEAT_WITHOUT_NEW_ARGUMENTS
        and related.get("relation") != Relation.REPEAT
    ):
        raise Conflict("The appeal is not recorded as a repeat appeal (R-2.3).")
    # A withdrawal still gets its written answer (§17): that stage stays open.
    a.close_open(a.today, cancelled=True, keep=("withdrawal_answer",))
    a.set("completed_on", a.today)
    a.set("disposal", _decided(a, "terminated", body.ground.value, body.conclusion))
    a.off_control()
    a.emit("appeal.applicant_notice", reason="terminated", ground=body.ground)


async def _original(a: Action, body: b.OriginalRef) -> Appeal:
    year, number = body.year, body.number
    related = a.appeal.related or {}
    if year is None and related.get("relation") == Relation.DUPLICATE:
        year, number = related["year"], related["number"]
    if year is None or number is None:
        raise invalid("number", "name the original appeal (year and number)")
    original = await repository.find_by_number(a.session, year=year, seq=number)
    if original is None:
        raise invalid("number", f"no appeal {display_number(year, number)}")
    if original.joined_to is not None:  # a copy of a copy joins the first one
        original = await repository.get(a.session, original.joined_to) or original
    if original.id == a.appeal.id:
        raise invalid("number", "an appeal is not a duplicate of itself")
    return original


async def join(a: Action, body: b.OriginalRef) -> None:
    """R-5.2 (§29): a duplicate during consideration is answered with its original."""
    original = await _original(a, body)
    if original.completed_on is not None or original.status not in OPEN:
        raise Conflict(
            "The original is no longer under consideration: answer the duplicate with a notice "
            "(answer_duplicate)."
        )
    a.close_open(a.today, cancelled=True)
    a.set("joined_to", original.id)
    a.set("units", list(original.units))
    a.set("due_date", original.due_date)
    number = display_number(original.year, original.seq)
    a.set("disposal", {"type": "joined", "original": number})
    await repository.insert_history(
        a.session,
        appeal_id=original.id,
        at=a.now,
        actor_id=a.principal.id,
        actor_name=a.principal.name,
        actor_role=a.principal.role.value,
        action="duplicate_joined",
        changes={"duplicates": [None, display_number(a.appeal.year, a.appeal.seq)]},
        note=None,
    )


async def answer_duplicate(a: Action, body: b.DuplicateNoticeBody) -> None:
    """R-5.2 (§29): a duplicate after the response is answered with a notice saying so."""
    original = await _original(a, body)
    if original.completed_on is None or original.status not in (Status.ANSWERED, Status.CLOSED):
        raise Conflict("The original has not been answered yet: join the duplicate to it (join).")
    sent_on = a.check_date("sent_on", body.sent_on or a.today)
    _letter(
        a,
        LetterKind.DUPLICATE_NOTICE,
        LetterState.SENT,
        addressee=_addressee(a.appeal),
        letter_number=body.letter_number,
        sent_on=sent_on,
        sent_by=a.principal.label,
        language=a.appeal.language,
    )
    a.close_open(sent_on, cancelled=False)
    a.set("joined_to", original.id)
    a.set("completed_on", sent_on)
    a.set(
        "disposal",
        {"type": "answered_as_duplicate", "original": display_number(original.year, original.seq)},
    )
    a.off_control()
    a.emit("appeal.applicant_notice", reason="already_answered")


async def request_clarification(a: Action, body: b.ClarificationRequestBody) -> None:
    """§42: a request to clarify or correct the response is answered within ten days."""
    assert a.appeal.completed_on is not None
    received_on = a.check_date("received_on", body.received_on, not_before=a.appeal.completed_on)
    await a.add_deadline("clarification", received_on)
    a.notes.append(body.request)


async def send_clarification(a: Action, body: b.ClarificationSendBody) -> None:
    deadline = a.facts.open_deadline("clarification")
    assert deadline is not None  # the guard checked it
    sent_on = a.check_date("sent_on", body.sent_on or a.today, not_before=deadline.start_on)
    _letter(
        a,
        LetterKind.CLARIFICATION,
        LetterState.SENT,
        text=body.text,
        addressee=_addressee(a.appeal),
        letter_number=body.letter_number,
        sent_on=sent_on,
        sent_by=a.principal.label,
        language=a.appeal.language,
    )
    a.close_deadline(deadline, sent_on)
    a.note("letter_number", body.letter_number)


Handler = Callable[[Action, Any], Awaitable[None]]
HANDLERS: dict[str, Handler] = {
    "resolve": resolve,
    "dispatch": dispatch,
    "accept": accept,
    "record_measure": record_measure,
    "record_measure_result": record_measure_result,
    "respond": respond,
    "return_for_revision": return_for_revision,
    "sign": sign,
    "send": send,
    "remove_from_control": remove_from_control,
    "extend": extend,
    "shorten": shorten,
    "withdraw": withdraw,
    "forward": forward,
    "return": return_,
    "leave_without_consideration": leave_without_consideration,
    "terminate": terminate,
    "join": join,
    "answer_duplicate": answer_duplicate,
    "request_clarification": request_clarification,
    "send_clarification": send_clarification,
}
