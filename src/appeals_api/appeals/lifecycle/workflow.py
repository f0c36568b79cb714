"""The appeal's state machine: which action moves which status where, and who may take it.

`TRANSITIONS` is the whole map: an action not listed for the current status is refused (409).
`ACTIONS` says which roles may take each action (anything else is 403) and what body it takes.
Guards look at the facts beyond the status (a unit already accepted, a letter already sent).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from appeals_api.appeals.enums import LetterKind, LetterState, Status
from appeals_api.appeals.lifecycle import schemas as bodies
from appeals_api.appeals.models import Appeal, AppealDeadline, Assignment, Letter
from appeals_api.auth.roles import Principal, Role
from appeals_api.errors import details

S, L = Status, LetterKind
# Consideration has not ended: the appeal can still be routed, answered, or leave another way.
BEFORE_RESPONSE = (S.REGISTERED, S.RESOLVED, S.DISPATCHED, S.IN_CONSIDERATION)
OPEN = (*BEFORE_RESPONSE, S.RESPONSE_DRAFTED, S.RESPONSE_SIGNED)
# §31: a forwarding or return letter is drafted, signed by a manager, then sent; sending it is
# the way out, so `send` moves the appeal to the status its letter names (not one per status).
LETTER_EXITS: Mapping[LetterKind, Status] = MappingProxyType(
    {L.FORWARD: S.FORWARDED, L.RETURN: S.RETURNED}
)
# who signs each letter of a way out before the registrar sends it.
SIGNERS: Mapping[LetterKind, str] = MappingProxyType(
    {
        L.FORWARD: "the Chairman or a deputy signs the forwarding letter (§31, R-6.4)",
        L.RETURN: "a manager signs the return letter (§31, R-6.4)",
        L.WITHDRAWAL_ANSWER: "the deputy chairman signs the answer to a withdrawal (§51, R-7.3)",
        L.LEFT_WITHOUT_CONSIDERATION: "a deputy chairman approves the conclusion (§49, R-7.1)",
        L.TERMINATION: "a deputy chairman decides the termination (§51, R-7.2)",
    }
)
# While a forwarding or return letter is on its way, the appeal waits for it: nothing but the
# letter's own steps, the record of measures and the deadlines' management.
WHILE_LETTER_PENDING = frozenset(
    {
        "sign",
        "send",
        "return_for_revision",
        "record_measure",
        "record_measure_result",
        "extend",
        "shorten",
        "notify_study",
        "restore_term",
        "send_envelope_report",
    }
)


def _stay(*statuses: Status) -> dict[Status, Status]:
    return {s: s for s in statuses}


def _to(target: Status, *statuses: Status) -> dict[Status, Status]:
    return dict.fromkeys(statuses, target)


TRANSITIONS: Mapping[str, Mapping[Status, Status]] = MappingProxyType(
    {
        # a resolution routes the appeal; a new one re-routes it.
        "resolve": _to(S.RESOLVED, *BEFORE_RESPONSE),
        "dispatch": _to(S.DISPATCHED, S.RESOLVED),
        "accept": _to(S.IN_CONSIDERATION, S.DISPATCHED, S.IN_CONSIDERATION),
        # measures against violations continue after a withdrawal (§51, R-7.3).
        "record_measure": _stay(S.IN_CONSIDERATION, S.WITHDRAWN),
        "record_measure_result": _stay(
            S.IN_CONSIDERATION, S.RESPONSE_DRAFTED, S.RESPONSE_SIGNED, S.WITHDRAWN
        ),
        # an interim response leaves the status as it is.
        "respond": _to(S.RESPONSE_DRAFTED, S.IN_CONSIDERATION),
        # The response draft back to the unit; or a forwarding or return draft not signed.
        "return_for_revision": {S.RESPONSE_DRAFTED: S.IN_CONSIDERATION, **_stay(*BEFORE_RESPONSE)},
        # the response; or a way out's letter, which leaves the status as it is.
        "sign": {
            S.RESPONSE_DRAFTED: S.RESPONSE_SIGNED,
            **_stay(*BEFORE_RESPONSE, S.WITHDRAWN, S.TERMINATED),
        },
        # the response goes out; or a way out's signed letter: the forwarding or return
        # letter (to the status LETTER_EXITS names), the answer to a withdrawal (R-7.3, owed
        # also once terminated, §17), the notice of a conclusion (§47–49, §51).
        "send": {
            S.RESPONSE_SIGNED: S.ANSWERED,
            **_stay(*BEFORE_RESPONSE, S.WITHDRAWN, S.TERMINATED, S.LEFT_WITHOUT_CONSIDERATION),
        },
        "remove_from_control": {S.ANSWERED: S.CLOSED, S.WITHDRAWN: S.WITHDRAWN},  # §66
        "extend": _stay(*OPEN),
        "shorten": _stay(*OPEN),
        "notify_study": _stay(*OPEN),  # §37
        # R-7.3 (§17, §61): before the decision, that is before the response is signed.
        "withdraw": _to(S.WITHDRAWN, *BEFORE_RESPONSE, S.RESPONSE_DRAFTED),
        # §31: the letter is drafted here; `send` takes the appeal out (LETTER_EXITS).
        "forward": _stay(*BEFORE_RESPONSE),
        "return": _stay(*BEFORE_RESPONSE),
        "leave_without_consideration": _to(S.LEFT_WITHOUT_CONSIDERATION, *BEFORE_RESPONSE),
        "terminate": _to(S.TERMINATED, *BEFORE_RESPONSE, S.RESPONSE_DRAFTED, S.WITHDRAWN),
        "join": _to(S.JOINED, *BEFORE_RESPONSE),
        "answer_duplicate": _to(S.JOINED, *BEFORE_RESPONSE),
        "request_clarification": _stay(S.ANSWERED, S.CLOSED),  # §42
        "send_clarification": _stay(S.ANSWERED, S.CLOSED),
        # R-3.5 (§16): before the appeal leaves consideration on the late complaint's ground.
        "restore_term": _stay(*OPEN),
        # R-1.6 (§14): the report's copy goes to the applicant whatever became of the appeal.
        "send_envelope_report": _stay(*S),
    }
)


@dataclass(frozen=True)
class ActionSpec:
    name: str
    title: str
    roles: frozenset[Role]
    body: type[bodies.ActionBody]


def _spec(name: str, title: str, body: type[bodies.ActionBody], *roles: Role) -> ActionSpec:
    return ActionSpec(name=name, title=title, roles=frozenset(roles), body=body)


M, R, E = Role.MANAGER, Role.REGISTRAR, Role.EXECUTOR
_SPECS = (
    _spec("resolve", "Sign a resolution routing the appeal to units", bodies.ResolveBody, M),
    _spec("dispatch", "Send the appeal to the units", bodies.ActionBody, R),
    _spec("accept", "Accept the appeal for consideration (a routed unit)", bodies.ActionBody, E),
    _spec("record_measure", "Record a step of consideration", bodies.MeasureBody, E, R),
    _spec("record_measure_result", "Record a step's result", bodies.MeasureResultBody, E, R),
    _spec("respond", "Draft the response (the lead unit)", bodies.RespondBody, E),
    _spec("return_for_revision", "Send the draft back to the unit", bodies.RevisionBody, M),
    _spec("sign", "Sign the letter awaiting a signature", bodies.ActionBody, M),
    _spec("send", "Send the signed letter", bodies.SendBody, R),
    _spec("remove_from_control", "Remove the appeal from control", bodies.ActionBody, M, R),
    _spec("extend", "Extend a deadline", bodies.DeadlineChangeBody, M),
    _spec("shorten", "Shorten a deadline", bodies.DeadlineChangeBody, M),
    _spec(
        "notify_study",
        "Send the notice that a proposal needs additional study",
        bodies.StudyNoticeBody,
        R,
    ),
    _spec(
        "withdraw",
        "Record the applicant's withdrawal and draft its answer",
        bodies.WithdrawBody,
        R,
    ),
    _spec("forward", "Draft the letter forwarding to the competent body", bodies.ForwardBody, R),
    _spec(
        "return",
        "Draft the letter returning the appeal for lack of information",
        bodies.ReturnBody,
        R,
    ),
    _spec(
        "leave_without_consideration",
        "Approve the conclusion to leave without consideration",
        bodies.LeaveBody,
        M,
    ),
    _spec("terminate", "Terminate consideration", bodies.TerminateBody, M),
    _spec("join", "Join a duplicate to its original", bodies.OriginalRef, R),
    _spec(
        "answer_duplicate",
        "Answer a duplicate of an answered appeal with a notice",
        bodies.DuplicateNoticeBody,
        R,
    ),
    _spec(
        "request_clarification",
        "Record a request to clarify the response",
        bodies.ClarificationRequestBody,
        R,
    ),
    _spec("send_clarification", "Send the clarification", bodies.ClarificationSendBody, R),
    _spec("restore_term", "Restore the term of a late complaint (§16)", bodies.RestoreTermBody, M),
    _spec(
        "send_envelope_report",
        "Send the envelope report's copy to the applicant (§14)",
        bodies.ReportSendBody,
        R,
    ),
)
ACTIONS: Mapping[str, ActionSpec] = MappingProxyType({s.name: s for s in _SPECS})
assert set(ACTIONS) == set(TRANSITIONS), "every action has its transitions and its roles"


@dataclass
class Facts:
    """What the guards need beyond the status, loaded with the appeal."""

    appeal: Appeal
    deadlines: list[AppealDeadline] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)  # the current resolution's
    letters: list[Letter] = field(default_factory=list)

    def open_deadline(self, rule: str) -> AppealDeadline | None:
        return next((d for d in reversed(self.deadlines) if d.rule == rule and not d.done_on), None)

    def assignment(self, unit: str | None) -> Assignment | None:
        return next((a for a in self.assignments if a.unit_code == unit), None)

    def sent(self, kind: LetterKind) -> bool:
        return any(x.kind == kind and x.state == LetterState.SENT for x in self.letters)

    def way_out_letter(self, *states: LetterState) -> Letter | None:
        """The last letter of a way out (R-6.4) in one of `states`: one is on its way at most."""
        return next(
            (x for x in reversed(self.letters) if x.kind in SIGNERS and x.state in states), None
        )

    def envelope_report(self, state: LetterState) -> Letter | None:
        """The last envelope report (§14) in `state`."""
        reports = (x for x in reversed(self.letters) if x.kind == L.ENVELOPE_REPORT)
        return next((x for x in reports if x.state == state), None)

    def exit_pending(self) -> Letter | None:
        """A forwarding or return letter drafted or signed, not yet sent (§31)."""
        letter = self.way_out_letter(LetterState.DRAFT, LetterState.SIGNED)
        return letter if letter is not None and letter.kind in LETTER_EXITS else None


def who_refuses(name: str, facts: Facts, principal: Principal) -> str | None:
    """Why this caller may not take the action on this appeal whatever its state (403), if so."""
    spec = ACTIONS[name]
    if principal.role not in spec.roles:
        return details.gettext(
            "The role '{role}' may not {action}.", role=principal.role, action=name
        )
    if principal.role is Role.EXECUTOR:
        units = facts.appeal.units
        if name == "respond" and (not units or units[0] != principal.unit_code):
            return "Only the lead unit (the first of the resolution) drafts the response (§27)."
        if principal.unit_code not in units:
            return "The appeal is not routed to this unit."
    return None


def state_refuses(name: str, facts: Facts, principal: Principal) -> str | None:
    """Why the appeal's state does not allow the action now (409), if so."""
    status = Status(facts.appeal.status)
    if status not in TRANSITIONS[name]:
        said = details.gettext(
            "An appeal that is {status} cannot {action}.", status=status, action=name
        )
        return _NOT_NOW.get((name, status), said)
    pending = facts.exit_pending()
    if pending is not None and name not in WHILE_LETTER_PENDING:
        return details.gettext(
            "A {kind} letter is on its way (§31): it is signed and sent, or returned for "
            "revision, before anything else.",
            kind=pending.kind,
        )
    guard = _GUARDS.get(name)
    return guard(facts, principal, status) if guard else None


_TOO_LATE_TO_WITHDRAW = (
    "A withdrawal is accepted only before the decision: the response is signed (§17, §61; R-7.3)."
)
# Why the map refuses, where a clause says why (409's detail).
_NOT_NOW = {
    ("withdraw", S.RESPONSE_SIGNED): _TOO_LATE_TO_WITHDRAW,
    ("withdraw", S.ANSWERED): _TOO_LATE_TO_WITHDRAW,
    ("withdraw", S.CLOSED): _TOO_LATE_TO_WITHDRAW,
}


def _accept(facts: Facts, principal: Principal, _: Status) -> str | None:
    mine = facts.assignment(principal.unit_code)
    if mine is None or mine.dispatched_at is None:
        return "The appeal has not been sent to this unit yet."
    if mine.accepted_at is not None:
        return "This unit has already accepted the appeal."
    return None


def _sign(facts: Facts, _: Principal, status: Status) -> str | None:
    if status is S.RESPONSE_DRAFTED or facts.way_out_letter(LetterState.DRAFT) is not None:
        return None
    return "No letter awaits a signature."


def _return_for_revision(facts: Facts, _: Principal, status: Status) -> str | None:
    if status is S.RESPONSE_DRAFTED:
        return None
    pending = facts.exit_pending()
    if pending is None or pending.state != LetterState.DRAFT:
        return "No draft awaits a signature."
    return None


def _send(facts: Facts, _: Principal, status: Status) -> str | None:
    if status is S.RESPONSE_SIGNED or facts.way_out_letter(LetterState.SIGNED) is not None:
        return None
    draft = facts.way_out_letter(LetterState.DRAFT)
    if draft is not None:
        return f"The {draft.kind} letter is not signed: {SIGNERS[draft.kind]}."
    if status is S.WITHDRAWN and facts.sent(LetterKind.WITHDRAWAL_ANSWER):
        return "The answer to the withdrawal has already been sent."
    return "No signed letter awaits sending."


def _notify_study(facts: Facts, _: Principal, __: Status) -> str | None:
    if facts.open_deadline("proposal_study_notice") is None:
        return "No study notice is due (§37: a proposal that needs additional study)."
    return None


def _remove(facts: Facts, _: Principal, status: Status) -> str | None:
    if facts.appeal.control_removed_at is not None:
        return "The appeal is no longer on control."
    if status is S.WITHDRAWN and not facts.sent(LetterKind.WITHDRAWAL_ANSWER):
        return "The written answer to the withdrawal has not been sent (§17)."
    return None


def _clarification_open(facts: Facts, _: Principal, __: Status) -> str | None:
    if facts.open_deadline("clarification") is not None:
        return "A clarification is already being prepared."
    return None


def _clarification_pending(facts: Facts, _: Principal, __: Status) -> str | None:
    if facts.open_deadline("clarification") is None:
        return "No request for clarification is open."
    return None


def _restore_term(facts: Facts, _: Principal, __: Status) -> str | None:
    if not facts.appeal.filed_late:
        return "§16 restores the term of a complaint filed over a year late: not this one (R-3.5)."
    if facts.appeal.term_restored is not None:
        return "The term was restored already (§16, R-3.5)."
    return None


def _send_envelope_report(facts: Facts, _: Principal, __: Status) -> str | None:
    if facts.envelope_report(LetterState.SIGNED) is None:
        return "No envelope report awaits sending (§14, R-1.6)."
    return None


_GUARDS: dict[str, Any] = {
    "accept": _accept,
    "return_for_revision": _return_for_revision,
    "sign": _sign,
    "send": _send,
    "notify_study": _notify_study,
    "remove_from_control": _remove,
    "request_clarification": _clarification_open,
    "send_clarification": _clarification_pending,
    "restore_term": _restore_term,
    "send_envelope_report": _send_envelope_report,
}


def allowed(facts: Facts, principal: Principal) -> list[str]:
    """R-4–R-7: the actions this caller may take on this appeal now, in the map's order."""
    return [
        name
        for name in ACTIONS
        if who_refuses(name, facts, principal) is None
        and state_refuses(name, facts, principal) is None
    ]
