"""The event types the service publishes (API.md events): what a webhook may subscribe to.

Every `emit`/`events=` of an event type names one of these; `tests/test_paper_cuts.py` reads
the source to keep this list and the emitters in step.
"""

from __future__ import annotations

EVENT_TYPES: tuple[str, ...] = (
    "appeal.registered",
    "appeal.status_changed",
    "appeal.updated",
    "appeal.dispatched",
    "appeal.deadline_approaching",
    "appeal.overdue",
    "appeal.deadline_changed",
    "appeal.interim_response",
    "appeal.response_sent",
    "appeal.applicant_notice",
)
