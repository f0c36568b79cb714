"""The notices as staff read them (R-8.4): how each delivery went, never its words."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from appeals_api.notices.models import NoticeChannel, NoticeStatus


class NoticeRead(BaseModel):
    id: int
    event_id: int = Field(description="The feed event the notice tells of (`GET /events`).")
    channel: NoticeChannel
    reason: str = Field(
        description="receipt, deadline_extended, forwarded, returned, "
        "left_without_consideration, terminated, response_sent, withdrawal_answered, "
        "study_notice, already_answered, envelope_report"
    )
    language: str = Field(description="The language it is written in: the appeal's.")
    status: NoticeStatus = Field(
        description="pending: to be sent (again) at next_attempt_at; sent: the SMTP server or "
        "SMS gateway accepted it; failed: given up after the last attempt; skipped: the "
        "channel is not configured."
    )
    attempts: int
    last_error: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    sent_at: datetime | None


class NoticePage(BaseModel):
    items: list[NoticeRead]
