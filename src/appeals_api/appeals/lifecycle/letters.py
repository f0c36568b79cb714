"""The letters of the ways out (R-6.4): drafted by the Appeals Department, signed by a manager,
sent by the Appeals Department — the shape of the response (draft → sign → send).

The forwarding and return letters (§31) and the answer to a withdrawal (§17, §51) are drafted by
the registrar's action and signed by `sign`; the notice of a conclusion to leave without
consideration (§47–49) or to terminate (§51) is signed by the manager's decision itself. The
registrar's `send` sends whichever is signed; under a higher body's control the body is answered
with it (§44, R-7.6).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from appeals_api.appeals.enums import ControlType, LetterKind, LetterState
from appeals_api.appeals.lifecycle import schemas as b
from appeals_api.appeals.lifecycle.action import Action, invalid
from appeals_api.appeals.lifecycle.workflow import LETTER_EXITS
from appeals_api.appeals.models import Letter
from appeals_api.appeals.numbering import display_number

L = LetterKind


def under_higher_body(a: Action) -> bool:
    """R-2.4: a higher body controls the appeal and is answered with its way out (§44)."""
    return bool(a.appeal.control.get("type") == ControlType.HIGHER_BODY)


def answer_the_body(a: Action, body: b.SendBody) -> None:
    """§44, R-7.6: under a higher body's control, the letter that ends it answers the body too."""
    if under_higher_body(a) and not body.control_letter_number:
        raise invalid(
            "control_letter_number",
            "under a higher body's control it is answered too (§44, R-7.6)",
        )


def draft(
    a: Action,
    kind: LetterKind,
    *,
    to: str | None,
    text: str | None,
    letter_number: str | None = None,
) -> Letter:
    """A letter of a way out drafted by the caller; a manager signs it (R-6.4)."""
    letter = a.letter(
        kind,
        LetterState.DRAFT,
        addressee=to,
        text=text,
        letter_number=letter_number,
        language=a.appeal.language,
    )
    a.note(f"letters.{kind}", {"state": LetterState.DRAFT, "addressee": to})
    return letter


def decided(a: Action, kind: LetterKind, *, to: str | None, text: str) -> Letter:
    """The notice of a manager's decision, signed by that decision (§49, §51)."""
    letter = a.letter(
        kind,
        LetterState.SIGNED,
        addressee=to,
        text=text,
        language=a.appeal.language,
        signed_by=a.principal.label,
        signed_on=a.today,
    )
    a.note(f"letters.{kind}", {"state": LetterState.SIGNED, "addressee": to})
    return letter


def sign(a: Action) -> None:
    """R-6.4: a manager signs the way out's letter awaiting a signature."""
    letter = a.facts.way_out_letter(LetterState.DRAFT)
    assert letter is not None  # the guard checked it
    letter.state = LetterState.SIGNED
    letter.signed_by, letter.signed_on = a.principal.label, a.today
    a.note(f"letters.{letter.kind}.signed_by", a.principal.label)


def return_draft(a: Action, reason: str) -> None:
    """A forwarding or return draft the manager does not sign: the appeal goes on as it was."""
    letter = a.facts.exit_pending()
    assert letter is not None  # the guard checked it
    letter.state = LetterState.RETURNED
    if (stage := a.facts.open_deadline(letter.kind.value)) is not None:
        a.close_deadline(stage, a.today, cancelled=True)
    a.note(f"letters.{letter.kind}.returned", reason)


async def send(a: Action, body: b.SendBody) -> None:
    """R-6.3, R-6.4: the signed letter goes out, on `sent_on`; what follows depends on it."""
    letter = a.facts.way_out_letter(LetterState.SIGNED)
    assert letter is not None  # the guard checked it
    sent_on = mark_sent(a, letter, body)
    a.note("letter_number", body.letter_number)
    if body.control_letter_number:
        a.note("control_letter_number", body.control_letter_number)
    await _AFTER_SENDING[letter.kind](a, letter, sent_on)


def mark_sent(a: Action, letter: Letter, body: b.SendBody) -> date:
    """A signed letter goes out on `sent_on` (not before its signature), with its number, and
    under a higher body's control the answer to that body too (§44); the day it went."""
    assert letter.signed_on is not None  # the guards send only signed letters
    sent_on = a.check_date("sent_on", body.sent_on or a.today, not_before=letter.signed_on)
    answer_the_body(a, body)
    letter.state = LetterState.SENT
    letter.letter_number, letter.sent_on, letter.sent_by = (
        body.letter_number,
        sent_on,
        a.principal.label,
    )
    letter.control_letter_number = body.control_letter_number
    return sent_on


async def _out_by_letter(a: Action, letter: Letter, sent_on: date) -> None:
    """§31: forwarded or returned on the day the signed letter goes; off control."""
    rule = letter.kind.value  # the stage of §31 is named after its letter
    stage = a.facts.open_deadline(rule) or await a.add_deadline(rule, a.appeal.registered_on)
    a.close_deadline(stage, sent_on)
    a.close_open(sent_on, cancelled=True)
    a.set("answer_rule", rule)
    a.set("due_date", stage.due_on)
    a.complete(sent_on)
    a.off_control()
    a.to = LETTER_EXITS[letter.kind]
    if letter.kind is L.FORWARD:
        a.set("disposal", {"type": "forwarded", "body": letter.addressee})
        a.emit("appeal.applicant_notice", reason="forwarded", body=letter.addressee)
    else:
        a.set("disposal", {"type": "returned"})
        a.emit("appeal.applicant_notice", reason="returned")


async def _withdrawal_answered(a: Action, letter: Letter, sent_on: date) -> None:
    """§17, §51: the written answer to a withdrawal ends it."""
    if (stage := a.facts.open_deadline("withdrawal_answer")) is not None:
        a.close_deadline(stage, sent_on)
    a.complete(sent_on)
    a.emit("appeal.applicant_notice", reason="withdrawal_answered", sent_on=sent_on)


async def _left_notice_sent(a: Action, letter: Letter, sent_on: date) -> None:
    """§47, §49: the applicant is told, where there is an address."""
    if letter.addressee:
        ground = (a.appeal.disposal or {}).get("ground")
        a.emit("appeal.applicant_notice", reason="left_without_consideration", ground=ground)


async def _termination_sent(a: Action, letter: Letter, sent_on: date) -> None:
    """§51: the applicant is told; after a repeat without new arguments, correspondence on the
    issue ends with this letter (R-7.5)."""
    disposal = dict(a.appeal.disposal or {})
    if letter.addressee:
        a.emit("appeal.applicant_notice", reason="terminated", ground=disposal.get("ground"))
    if disposal.get("ground") == "repeat_without_new_arguments":
        disposal.setdefault("correspondence_ceased_on", sent_on.isoformat())
        a.set("disposal", disposal)


_AFTER_SENDING: dict[LetterKind, Callable[[Action, Letter, date], Awaitable[None]]] = {
    L.FORWARD: _out_by_letter,
    L.RETURN: _out_by_letter,
    L.WITHDRAWAL_ANSWER: _withdrawal_answered,
    L.LEFT_WITHOUT_CONSIDERATION: _left_notice_sent,
    L.TERMINATION: _termination_sent,
}


async def send_envelope_report(a: Action, body: b.ReportSendBody) -> None:
    """R-1.6 (§14): the report's second copy goes to the applicant, who is told of it."""
    letter = a.facts.envelope_report(LetterState.SIGNED)
    assert letter is not None and letter.signed_on is not None  # the guard checked it
    sent_on = a.check_date("sent_on", body.sent_on or a.today, not_before=letter.signed_on)
    letter.state = LetterState.SENT
    letter.letter_number, letter.sent_on, letter.sent_by = (
        body.letter_number,
        sent_on,
        a.principal.label,
    )
    a.note("letters.envelope_report", {"state": LetterState.SENT, "sent_on": sent_on})
    a.note("letter_number", body.letter_number)
    a.emit("appeal.applicant_notice", reason="envelope_report", sent_on=sent_on)


def ceased_note(number: tuple[int, int]) -> str:
    """R-7.5's record in the history: why the applicant is not told."""
    return (
        "Terminated without notifying the applicant: correspondence on this issue ceased with "
        f"{display_number(*number)} (§51, R-7.5)."
    )
