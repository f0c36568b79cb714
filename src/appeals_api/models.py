"""Every table, imported in one place for Alembic and the schema check."""

from appeals_api.appeals.models import (
    Appeal,
    AppealDeadline,
    AppealHistory,
    AppealViolation,
    Assignment,
    IdempotencyRecord,
    Letter,
    Measure,
    PersonalDataAccess,
    RegistrationCounter,
    Resolution,
)
from appeals_api.appeals.search.models import AppealSearch
from appeals_api.auth.models import ApiKey, Person
from appeals_api.calendar.models import CalendarOverride, CalendarState
from appeals_api.control.models import DeadlineNotice
from appeals_api.db import Base
from appeals_api.directum.models import DirectumCallback, DirectumDispatch, DirectumFeedCursor
from appeals_api.documents.models import Document, DocumentChunk
from appeals_api.events.models import Event
from appeals_api.events.webhook_models import WebhookDelivery, WebhookSubscription
from appeals_api.notices.models import Notice, NoticeCode, NoticeFeedCursor
from appeals_api.ops.models import WorkerHeartbeat
from appeals_api.receptions.models import (
    PersonalReception,
    Protocol,
    ProtocolEntry,
    ScheduleEntry,
)
from appeals_api.topics.models import Topic
from appeals_api.units.models import Unit

metadata = Base.metadata

__all__ = [
    "ApiKey",
    "Appeal",
    "AppealDeadline",
    "AppealHistory",
    "AppealSearch",
    "AppealViolation",
    "Assignment",
    "CalendarOverride",
    "CalendarState",
    "DeadlineNotice",
    "DirectumCallback",
    "DirectumDispatch",
    "DirectumFeedCursor",
    "Document",
    "DocumentChunk",
    "Event",
    "IdempotencyRecord",
    "Letter",
    "Measure",
    "Notice",
    "NoticeCode",
    "NoticeFeedCursor",
    "Person",
    "PersonalDataAccess",
    "PersonalReception",
    "Protocol",
    "ProtocolEntry",
    "RegistrationCounter",
    "Resolution",
    "ScheduleEntry",
    "Topic",
    "Unit",
    "WebhookDelivery",
    "WebhookSubscription",
    "WorkerHeartbeat",
    "metadata",
]
