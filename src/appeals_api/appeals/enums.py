from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """R-1.1: every kind has the same standing."""

    APPLICATION = "application"
    PROPOSAL = "proposal"
    COMPLAINT = "complaint"


class Form(StrEnum):
    ORAL = "oral"
    WRITTEN = "written"
    ELECTRONIC = "electronic"


class Channel(StrEnum):
    WEBSITE = "website"
    HELPLINE = "helpline"
    POST = "post"
    EMAIL = "email"
    PERSONAL_RECEPTION = "personal_reception"
    MASS_RECEPTION = "mass_reception"
    PRESIDENTIAL_VIRTUAL_RECEPTION = "presidential_virtual_reception"
    GOVERNMENT_PORTAL = "government_portal"
    MASS_MEDIA = "mass_media"
    OTHER = "other"


class Status(StrEnum):
    """The appeal's state; the lifecycle (resolution → response → closure) moves it on."""

    REGISTERED = "registered"
    RESOLVED = "resolved"
    DISPATCHED = "dispatched"
    IN_CONSIDERATION = "in_consideration"
    RESPONSE_DRAFTED = "response_drafted"
    RESPONSE_SIGNED = "response_signed"
    ANSWERED = "answered"
    CLOSED = "closed"
    LEFT_WITHOUT_CONSIDERATION = "left_without_consideration"
    TERMINATED = "terminated"
    WITHDRAWN = "withdrawn"
    FORWARDED = "forwarded"
    RETURNED = "returned"
    JOINED = "joined"


class Outcome(StrEnum):
    SATISFIED = "satisfied"
    PARTIALLY_SATISFIED = "partially_satisfied"
    EXPLAINED = "explained"
    REJECTED = "rejected"


class Relation(StrEnum):
    """R-2.3: a copy of an earlier appeal, or a disagreement with its answer."""

    DUPLICATE = "duplicate"
    REPEAT = "repeat"


class ControlType(StrEnum):
    """R-2.4: under internal control, or under the control of a higher body."""

    INTERNAL = "internal"
    HIGHER_BODY = "higher_body"


class EnvelopeCheck(StrEnum):
    """R-1.6: what the check of a posted envelope found."""

    OK = "ok"
    APPEAL_MISSING = "appeal_missing"
    DAMAGED = "damaged"
    ATTACHMENTS_MISSING = "attachments_missing"


class MeasureType(StrEnum):
    """R-5.1 (§28, §32–34): what a unit did to consider the appeal."""

    INFORMATION_REQUEST = "information_request"
    HEARING = "hearing"
    ON_SITE_INSPECTION = "on_site_inspection"
    SUMMONS = "summons"
    COLLEGIAL_HEARING = "collegial_hearing"  # §23: with other bodies and organisations


class LetterKind(StrEnum):
    RESPONSE = "response"  # the final answer
    INTERIM = "interim"  # keeps the appeal on control
    WITHDRAWAL_ANSWER = "withdrawal_answer"  # §17, §51
    FORWARD = "forward"  # to the competent body (§31)
    RETURN = "return"  # back to the applicant with an explanation (§31)
    DUPLICATE_NOTICE = "duplicate_notice"  # "already answered" (§29)
    CLARIFICATION = "clarification"  # §42
    STUDY_NOTICE = "study_notice"  # a proposal needs additional study (§37)
    LEFT_WITHOUT_CONSIDERATION = "left_without_consideration"  # the conclusion's notice (§47–49)
    TERMINATION = "termination"  # the notice of termination (§51)
    ENVELOPE_REPORT = "envelope_report"  # the report of a failed envelope check (§14, R-1.6)


class LetterState(StrEnum):
    DRAFT = "draft"
    RETURNED = "returned"  # sent back to the unit for revision by the manager
    SIGNED = "signed"
    SENT = "sent"


class LeaveGround(StrEnum):
    """R-7.1 (§46–49): why an appeal is left without consideration."""

    ANONYMOUS = "anonymous"
    NO_AUTHORITY_DOCUMENTS = "no_authority_documents"
    LATE_COMPLAINT = "late_complaint"  # filed more than a year after learning (§16, R-3.5)
    OTHER = "other"


class TerminationGround(StrEnum):
    """R-7.2 (§50): the grounds on which consideration is terminated."""

    REPEAT_WITHOUT_NEW_ARGUMENTS = "repeat_without_new_arguments"
    WITHDRAWAL = "withdrawal"
    CANNOT_SUMMON = "cannot_summon"
    FAILED_TO_APPEAR = "failed_to_appear"
    DEATH_WITHOUT_SUCCESSION = "death_without_succession"


class DispatchStatus(StrEnum):
    """R-4.2: how the dispatch of a routed appeal to DIRECTUM stands."""

    PENDING = "pending"  # not yet attempted
    FAILED = "failed"  # the last attempt failed; retried at `next_attempt_at`, never given up
    DELIVERED = "delivered"  # DIRECTUM acknowledged it (2xx)


class DispatchChannel(StrEnum):
    """R-4.2: how an appeal went to its units (`appeal.dispatched`'s `channel`)."""

    INTERNAL = "internal"  # recorded here; no DIRECTUM configured
    DIRECTUM = "directum"  # DIRECTUM delivers it: its worker consumes the event from the outbox
