"""Every other way out of consideration (R-7, R-5.2, §31, §42), one handler per action."""

from __future__ import annotations

from datetime import date
from typing import Any

from appeals_api.appeals import repository
from appeals_api.appeals.enums import LetterKind, LetterState, Relation, Status, TerminationGround
from appeals_api.appeals.lifecycle import schemas as b
from appeals_api.appeals.lifecycle.action import Action, addressee, invalid
from appeals_api.appeals.lifecycle.workflow import OPEN
from appeals_api.appeals.models import Appeal
from appeals_api.appeals.numbering import display_number
from appeals_api.errors import Conflict


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
    to: str | None,
    text: str | None,
    letter_number: str | None,
    sent_on: date | None,
    disposal: dict[str, Any],
) -> None:
    """§31: forwarded or returned within five days of receipt, by a letter."""
    on = a.check_date("sent_on", sent_on or a.today)
    a.close_open(on, cancelled=True)
    deadline = await a.add_deadline(rule, a.appeal.registered_on, done_on=on)
    a.letter(
        kind,
        LetterState.SENT,
        addressee=to,
        text=text,
        letter_number=letter_number,
        sent_on=on,
        sent_by=a.principal.label,
    )
    a.set("answer_rule", rule)
    a.set("due_date", deadline.due_on)
    a.complete(on)
    a.set("disposal", disposal)
    a.off_control()


async def forward(a: Action, body: b.ForwardBody) -> None:
    """R-7.4 (§31): out of scope, to the competent body; the applicant is told."""
    await _leave_by_letter(
        a,
        rule="forward",
        kind=LetterKind.FORWARD,
        to=body.body,
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
        to=addressee(a.appeal),
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
    disposal = _decided(a, "left_without_consideration", body.ground, body.conclusion)
    if body.prepared_by:
        disposal["prepared_by"] = body.prepared_by
    a.close_open(a.today, cancelled=True)
    a.complete(a.today)
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
    a.complete(a.today)
    a.set("disposal", _decided(a, "terminated", body.ground, body.conclusion))
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
    # The original is not locked (that could deadlock with an action on it): a row, no version.
    await a.record_on(
        original.id,
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
    a.letter_to_applicant(
        LetterKind.DUPLICATE_NOTICE, letter_number=body.letter_number, sent_on=sent_on
    )
    a.close_open(sent_on, cancelled=False)
    a.set("joined_to", original.id)
    a.complete(sent_on)
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
    a.letter_to_applicant(
        LetterKind.CLARIFICATION, letter_number=body.letter_number, sent_on=sent_on, text=body.text
    )
    a.close_deadline(deadline, sent_on)
    a.note("letter_number", body.letter_number)
