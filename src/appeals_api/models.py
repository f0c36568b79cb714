"""Every table, imported in one place for Alembic and the schema check."""

from appeals_api.appeals.models import (
    Appeal,
    AppealDeadline,
    AppealHistory,
    Assignment,
    IdempotencyRecord,
    Letter,
    Measure,
    RegistrationCounter,
    Resolution,
)
from appeals_api.auth.models import ApiKey
from appeals_api.calendar.models import CalendarOverride
from appeals_api.control.models import DeadlineNotice
from appeals_api.db import Base
from appeals_api.events.models import Event
from appeals_api.units.models import Unit

metadata = Base.metadata

__all__ = [
    "ApiKey",
    "Appeal",
    "AppealDeadline",
    "AppealHistory",
    "Assignment",
    "CalendarOverride",
    "DeadlineNotice",
    "Event",
    "IdempotencyRecord",
    "Letter",
    "Measure",
    "RegistrationCounter",
    "Resolution",
    "Unit",
    "metadata",
]
