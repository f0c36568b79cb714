"""Every other way out of consideration (R-7, R-5.2, §31, §42), one handler per action."""

from __future__ import annotations

import uuid
from typing import Any

from appeals_api.appeals import repository
from appeals_api.appeals.enums import (
    LeaveGround,
    LetterKind,
    LetterState,
    Relation,
    Status,
    TerminationGround,
)
from appeals_api.appeals.lifecycle import letters
from appeals_api.appeals.lifecycle import schemas as b
from appeals_api.appeals.lifecycle.action import Action, addressee, invalid
from appeals_api.appeals.lifecycle.workflow import OPEN
from appeals_api.appeals.models import Appeal
from appeals_api.appeals.numbering import display_number
from appeals_api.appeals.similar import repository as similar_repository
from appeals_api.appeals.similar import service as similar
from appeals_api.errors import Conflict, details


async def withdraw(a: Action, body: b.WithdrawBody) -> None:
    """R-7.3 (§17): consideration is suspended; the written answer, signed by a deputy chairman
    (§51), is due in three days: drafted here, signed by `sign`, sent by `send`."""
    received_on = a.check_date("received_on", body.received_on)
    a.close_open(a.today, cancelled=True)
    deadline = await a.add_deadline("withdrawal_answer", received_on)
    a.set("answer_rule", "withdrawal_answer")
    a.set("due_date", deadline.due_on)
    a.set("disposal", {"type": "withdrawn", "received_on": received_on.isoformat()})
    letters.draft(a, LetterKind.WITHDRAWAL_ANSWER, to=addressee(a.appeal), text=body.text)


async def _draft_way_out(
    a: Action,
    kind: LetterKind,
    *,
    to: str | None,
    text: str | None,
    body: b.ForwardBody | b.ReturnBody,
) -> None:
    """§31: the letter is drafted here; the appeal leaves when the signed letter is sent, within
    five days of receipt (the stage opens now)."""
    if body.sent_on is not None:
        raise invalid("sent_on", "the letter is sent by `send` once a manager signs it (§31)")
    if a.facts.open_deadline(kind.value) is None:
        await a.add_deadline(kind.value, a.appeal.registered_on)
    letters.draft(a, kind, to=to, text=text, letter_number=body.letter_number)


async def forward(a: Action, body: b.ForwardBody) -> None:
    """R-7.4 (§31): out of scope, to the competent body by a letter a manager signs."""
    await _draft_way_out(a, LetterKind.FORWARD, to=body.body, text=body.text, body=body)


async def return_(a: Action, body: b.ReturnBody) -> None:
    """§31: not enough to forward: back to the applicant with an explanation."""
    await _draft_way_out(
        a, LetterKind.RETURN, to=addressee(a.appeal), text=body.explanation, body=body
    )


def _decided(a: Action, kind: str, ground: str, conclusion: str) -> dict[str, Any]:
    return {
        "type": kind,
        "ground": ground,
        "conclusion": conclusion,
        "decided_by": a.principal.label,
        "decided_on": a.today.isoformat(),
    }


async def leave_without_consideration(a: Action, body: b.LeaveBody) -> None:
    """R-7.1 (§46–49): on an approved conclusion; off control at once (§47). The approval signs
    the notice, which the registrar sends where there is an address or a higher body (§44)."""
    if body.ground is LeaveGround.LATE_COMPLAINT:
        _may_leave_as_late(a)
    disposal = _decided(a, "left_without_consideration", body.ground, body.conclusion)
    if body.prepared_by:
        disposal["prepared_by"] = body.prepared_by
    a.close_open(a.today, cancelled=True)
    a.complete(a.today)
    a.set("disposal", disposal)
    a.off_control()
    addressed = any(applicant.get("address") for applicant in a.appeal.applicants)
    if addressed or letters.under_higher_body(a):
        to = addressee(a.appeal) if addressed else None
        letters.decided(a, LetterKind.LEFT_WITHOUT_CONSIDERATION, to=to, text=body.conclusion)


def _may_leave_as_late(a: Action) -> None:
    """R-3.5 (§16): only a complaint filed more than a year late, whose term was not restored."""
    if not a.appeal.filed_late:
        raise Conflict(
            details.gettext(
                "§16 leaves without consideration a complaint filed more than a year after the "
                "applicant learned of the violation: this one was not (R-3.5)."
            )
        )
    if a.appeal.term_restored is not None:
        restored = a.appeal.term_restored
        raise Conflict(
            f"§16: the term was restored on {restored.get('on')} by {restored.get('by')}; the "
            "complaint is considered (R-3.5)."
        )


async def restore_term(a: Action, body: b.RestoreTermBody) -> None:
    """R-3.5 (§16): a manager restores the term for a valid reason; the ground is gone."""
    restored = {"by": a.principal.label, "on": a.today.isoformat(), "reason": body.reason}
    a.set("term_restored", restored)
    a.notes.append(body.reason)


async def terminate(a: Action, body: b.TerminateBody) -> None:
    """R-7.2 (§50–51): a deputy chairman ends consideration on a ground of §50; the decision
    signs its notice, which the registrar sends — unless correspondence on the issue has ceased
    (R-7.5), or a withdrawal's answer, still owed, tells the applicant (§17)."""
    related = a.appeal.related or {}
    repeat = body.ground is TerminationGround.REPEAT_WITHOUT_NEW_ARGUMENTS
    if repeat and related.get("relation") != Relation.REPEAT:
        raise Conflict("The appeal is not recorded as a repeat appeal (R-2.3).")
    ceased = await _ceased_with(a) if repeat else None
    # A withdrawal still gets its written answer (§17): that stage stays open.
    a.close_open(a.today, cancelled=True, keep=("withdrawal_answer",))
    a.complete(a.today)
    disposal = _decided(a, "terminated", body.ground, body.conclusion)
    if ceased is not None:
        disposal |= {"silent": True, "correspondence_ceased_on": a.today.isoformat()}
        a.notes.append(letters.ceased_note(ceased))
    a.set("disposal", disposal)
    a.off_control()
    owed = a.facts.way_out_letter(LetterState.DRAFT, LetterState.SIGNED)
    if owed is None and (ceased is None or letters.under_higher_body(a)):
        to = addressee(a.appeal) if ceased is None else None
        letters.decided(a, LetterKind.TERMINATION, to=to, text=body.conclusion)


async def _ceased_with(a: Action) -> tuple[int, int] | None:
    """R-7.5 (§51): the repeated appeal's number, if correspondence on its issue has ceased: it
    was itself terminated as a repeat without new arguments and the applicant told (or not told,
    correspondence having ceased before it)."""
    earlier_id = (a.appeal.related or {}).get("appeal_id")
    earlier = await repository.get(a.session, uuid.UUID(earlier_id)) if earlier_id else None
    if earlier is None or not (earlier.disposal or {}).get("correspondence_ceased_on"):
        return None
    return earlier.year, earlier.seq


async def notify_study(a: Action, body: b.StudyNoticeBody) -> None:
    """§37: the author of a proposal that needs additional study is told within ten days."""
    _letter_meeting(a, "proposal_study_notice", LetterKind.STUDY_NOTICE, body)
    a.emit("appeal.applicant_notice", reason="study_notice", due_date=a.appeal.due_date)


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
    keys = await similar_repository.person_keys(
        a.session, list(a.appeal.applicants or []), list(original.applicants or [])
    )
    if not similar.may_be_one_applicant(*keys):
        raise invalid(
            "number",
            f"{display_number(original.year, original.seq)} is another applicant's appeal: they "
            "share no name, phone or e-mail, and a duplicate is a copy of the same applicant's "
            "appeal (§29, R-2.3)",
        )
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
    _letter_meeting(a, "clarification", LetterKind.CLARIFICATION, body)


def _letter_meeting(
    a: Action, rule: str, kind: LetterKind, body: b.StudyNoticeBody | b.ClarificationSendBody
) -> None:
    """A letter to the applicant sent on `sent_on` (not before its stage started) meets the
    open stage `rule` (§37's notice, §42's clarification)."""
    deadline = a.facts.open_deadline(rule)
    assert deadline is not None  # the guard checked it
    sent_on = a.check_date("sent_on", body.sent_on or a.today, not_before=deadline.start_on)
    a.letter_to_applicant(kind, letter_number=body.letter_number, sent_on=sent_on, text=body.text)
    a.close_deadline(deadline, sent_on)
    a.note("letter_number", body.letter_number)
