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
