"""The code sets JSON carries, by the name a frontend knows them by: each enum of the domains,
the lifecycle's actions (`allowed_actions`) and the named legal periods (deadlines, violations).
A code's label is in `codes.po` (context "code") in every language; a test walks them all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType

from appeals_api.appeals import enums
from appeals_api.appeals.lifecycle.workflow import ACTIONS
from appeals_api.audit.schemas import FindingKind
from appeals_api.auth.roles import Role
from appeals_api.calendar.rules import RULES, PeriodUnit
from appeals_api.directum.models import CallbackKind, CallbackOutcome
from appeals_api.documents.models import DocumentKind
from appeals_api.events.webhook_models import DeliveryStatus
from appeals_api.notices.models import NoticeChannel, NoticeStatus
from appeals_api.receptions.models import ReceptionKind, ReceptionResult


def _codes(values: Iterable[str] | type[StrEnum]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


CODE_SETS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "kind": _codes(enums.Kind),
        "form": _codes(enums.Form),
        "channel": _codes(enums.Channel),
        "status": _codes(enums.Status),
        "outcome": _codes(enums.Outcome),
        "relation": _codes(enums.Relation),
        "control_type": _codes(enums.ControlType),
        "envelope_check": _codes(enums.EnvelopeCheck),
        "measure_type": _codes(enums.MeasureType),
        "letter_kind": _codes(enums.LetterKind),
        "letter_state": _codes(enums.LetterState),
        "leave_ground": _codes(enums.LeaveGround),
        "termination_ground": _codes(enums.TerminationGround),
        "dispatch_status": _codes(enums.DispatchStatus),
        "dispatch_channel": _codes(enums.DispatchChannel),
        "action": _codes(ACTIONS),
        "rule": _codes(RULES),
        "period_unit": _codes(PeriodUnit),
        "role": _codes(Role),
        "document_kind": _codes(DocumentKind),
        "reception_kind": _codes(ReceptionKind),
        "reception_result": _codes(ReceptionResult),
        "directum_callback_kind": _codes(CallbackKind),
        "directum_callback_outcome": _codes(CallbackOutcome),
        "webhook_delivery_status": _codes(DeliveryStatus),
        "audit_finding": _codes(FindingKind),
        "notice_channel": _codes(NoticeChannel),
        "notice_status": _codes(NoticeStatus),
    }
)
