from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from appeals_api.appeals.enums import (
    Channel,
    Form,
    Kind,
    LetterKind,
    LetterState,
    MeasureType,
    Outcome,
    Status,
)
from appeals_api.db import Base, StrEnumType


class RegistrationCounter(Base):
    """The last serial number given in a calendar year (R-2.1)."""

    __tablename__ = "registration_counters"

    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer)


class Appeal(Base):
    __tablename__ = "appeals"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[Kind] = mapped_column(StrEnumType(Kind, 32))
    form: Mapped[Form] = mapped_column(StrEnumType(Form, 32))
    channel: Mapped[Channel] = mapped_column(StrEnumType(Channel, 64))
    language: Mapped[str] = mapped_column(String(35))
    status: Mapped[Status] = mapped_column(StrEnumType(Status, 32))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    registered_on: Mapped[date] = mapped_column(Date)
    answer_rule: Mapped[str] = mapped_column(String(64))
    due_date: Mapped[date] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    addressee: Mapped[str | None] = mapped_column(Text)
    applicants: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    representative: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    respond_to: Mapped[int | None] = mapped_column(SmallInteger)
    needs_anonymity_check: Mapped[bool] = mapped_column(Boolean)
    needs_authority_check: Mapped[bool] = mapped_column(Boolean)
    confidential: Mapped[bool] = mapped_column(Boolean)
    control: Mapped[dict[str, Any]] = mapped_column(JSONB)
    related: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    external_ref: Mapped[str | None] = mapped_column(String(200))
    paper: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # R-3.5 (§16): a complaint to a higher authority: when the applicant learned of the
    # violation, whether it came more than a year later, and a manager's restoration of the term.
    violation_learned_on: Mapped[date | None] = mapped_column(Date)
    filed_late: Mapped[bool] = mapped_column(Boolean, server_default="false")
    term_restored: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    units: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default="{}")
    # the codes of its questions in the classifier (migration 0018).
    topics: Mapped[list[str]] = mapped_column(ARRAY(String(32)), server_default="{}")
    outcome: Mapped[Outcome | None] = mapped_column(StrEnumType(Outcome, 32))
    # rejections, R-7 ways out: ground, written conclusion, who decided, and where to.
    disposal: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # a duplicate joined to the appeal it copies is answered with it.
    joined_to: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("appeals.id"))
    # §66: removal from control is its own act, by the official who took control.
    control_removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    control_removed_by: Mapped[str | None] = mapped_column(String(200))
    tracking_code_hash: Mapped[str] = mapped_column(String(64))
    # The principal who registered it: an API key's id (`api_keys`) or a person's (`people`).
    created_by: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    # –11.3: the personal reception (or mass reception protocol) it was made at.
    reception_id: Mapped[uuid.UUID | None] = mapped_column()

    __table_args__ = (
        UniqueConstraint("year", "seq"),
        Index("ix_appeals_received_at", "received_at"),
        Index("ix_appeals_status_year_seq", "status", "year", "seq"),
        Index("ix_appeals_units", "units", postgresql_using="gin"),
        Index("ix_appeals_topics", "topics", postgresql_using="gin"),
        Index(
            "ix_appeals_open_due",
            "due_date",
            postgresql_where=sql_text("completed_on IS NULL"),
        ),
        Index(
            "ix_appeals_joined_to", "joined_to", postgresql_where=sql_text("joined_to IS NOT NULL")
        ),
        # the open e-appeals a decree override may re-date (migration 0012).
        Index(
            "ix_appeals_open_electronic_start",
            "registered_on",
            postgresql_where=sql_text("completed_on IS NULL AND form = 'electronic'"),
        ),
    )


class AppealDeadline(Base):
    """One stage deadline of an appeal, by its R-3.3 rule, with due and done dates."""

    __tablename__ = "appeal_deadlines"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    # Deferrable: checked at commit, so a row may be written before its appeal in the same
    # transaction (intake writes the appeal, its deadlines and history in one statement).
    appeal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE", deferrable=True, initially="DEFERRED"),
        index=True,
    )
    rule: Mapped[str] = mapped_column(String(64))
    start_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    original_due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    # Set by a manager's decision (extend/shorten): a calendar change does not recompute it.
    fixed: Mapped[bool] = mapped_column(Boolean, server_default="false")
    # A stage that no longer applies (the appeal was withdrawn, forwarded, left without
    # consideration...): closed on `done_on` without having been met.
    cancelled: Mapped[bool] = mapped_column(Boolean, server_default="false")

    __table_args__ = (
        Index(
            "ix_appeal_deadlines_open_due", "due_on", postgresql_where=sql_text("done_on IS NULL")
        ),
    )


class AppealHistory(Base):
    """Who did what to an appeal and when, with the values before and after; each entry chained
    by hash to the one before it of the same appeal (R-9.5, `journal.py`)."""

    __tablename__ = "appeal_history"
    __table_args__ = (UniqueConstraint("appeal_id", "position"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    appeal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE", deferrable=True, initially="DEFERRED"),
        index=True,
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[uuid.UUID | None] = mapped_column()
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 … in its appeal's chain
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AppealViolation(Base):
    """A stage deadline that passed unmet (R-9.4): a fact, inserted once, never changed.

    Who was responsible is kept as it was then (units, named executors); a later re-routing,
    extension, withdrawal or override leaves the row as it is. One per appeal, rule, due date:
    the deadline watch and an action that meets the same violation write one row.
    """

    __tablename__ = "appeal_violations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    appeal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    units: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default="{}")
    executors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    deadline_id: Mapped[int | None] = mapped_column(
        ForeignKey("appeal_deadlines.id", ondelete="SET NULL")
    )
    # Who noticed it: the deadline watch, an action (its name), or the migration that found it.
    recorded_by: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("appeal_id", "rule", "due_on"),)


class IdempotencyRecord(Base):
    """The first answer to a POST with an Idempotency-Key, replayed to its retries (R-1.8)."""

    __tablename__ = "idempotency_keys"

    principal_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    # The appeal the first request registered; its answer is kept without the number, which a
    # replay reads from the appeal (one format, migration 0007).
    appeal_id: Mapped[uuid.UUID] = mapped_column()
    response: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Resolution(Base):
    """A manager's resolution (instruction): which units consider the appeal, lead first (R-4.1).

    A new resolution re-routes the appeal and supersedes the previous one, which stays (R-4.3).
    """

    __tablename__ = "appeal_resolutions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    appeal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    signed_on: Mapped[date] = mapped_column(Date)
    signed_by_id: Mapped[uuid.UUID | None] = mapped_column()
    signed_by: Mapped[str] = mapped_column(String(200))
    instruction: Mapped[str] = mapped_column(Text)
    units: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    executors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    study_required: Mapped[bool] = mapped_column(Boolean)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Assignment(Base):
    """One unit of a resolution: when the appeal was sent to it and when it accepted (R-4.2)."""

    __tablename__ = "appeal_assignments"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    appeal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    resolution_id: Mapped[int] = mapped_column(
        ForeignKey("appeal_resolutions.id", ondelete="CASCADE")
    )
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    position: Mapped[int] = mapped_column(SmallInteger)  # 0 is the lead unit (§27)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dispatched_on: Mapped[date | None] = mapped_column(Date)
    dispatch_channel: Mapped[str | None] = mapped_column(String(32))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("resolution_id", "unit_code"),)


class Measure(Base):
    """A step of consideration: request for information, hearing, inspection, summons (R-5.1)."""

    __tablename__ = "appeal_measures"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    appeal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[MeasureType] = mapped_column(StrEnumType(MeasureType, 32))
    held_on: Mapped[date] = mapped_column(Date)
    party: Mapped[str | None] = mapped_column(Text)
    # §23: a collegial hearing: the other bodies and organisations, and where it was held.
    bodies: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    place: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    result_on: Mapped[date | None] = mapped_column(Date)
    unit_code: Mapped[str | None] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Letter(Base):
    """A letter of the appeal: the response (interim or final) and every notice (R-6.2).

    A final response is drafted by the lead unit, signed by a manager, then sent by the
    Appeals Department; the day it is sent ends consideration (R-6.3).
    """

    __tablename__ = "appeal_letters"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    appeal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[LetterKind] = mapped_column(StrEnumType(LetterKind, 32))
    state: Mapped[LetterState] = mapped_column(StrEnumType(LetterState, 16))
    outcome: Mapped[Outcome | None] = mapped_column(StrEnumType(Outcome, 32))
    text: Mapped[str | None] = mapped_column(Text)
    grounds: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(35))
    addressee: Mapped[str | None] = mapped_column(Text)
    unit_code: Mapped[str | None] = mapped_column(String(64))
    drafted_by: Mapped[str] = mapped_column(String(200))
    drafted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    signed_by: Mapped[str | None] = mapped_column(String(200))
    signed_on: Mapped[date | None] = mapped_column(Date)
    letter_number: Mapped[str | None] = mapped_column(String(100))
    sent_on: Mapped[date | None] = mapped_column(Date)
    sent_by: Mapped[str | None] = mapped_column(String(200))
    control_letter_number: Mapped[str | None] = mapped_column(String(100))


class PersonalDataAccess(Base):
    """A read of a confidential appeal's personal data: who, when, which appeal, how (R-8.2)."""

    __tablename__ = "personal_data_access"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    appeal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    principal_id: Mapped[uuid.UUID] = mapped_column()
    principal: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    via: Mapped[str] = mapped_column(String(32))
