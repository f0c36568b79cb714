"""The schedule as an iCalendar feed (RFC 5545, R-11.1): one VEVENT per occurrence, its UID
stable, cancelled ones STATUS:CANCELLED."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from icalendar import Calendar, Event

from appeals_api.receptions.schemas import Occurrence

KIND_TITLES = {
    "personal": "Personal reception",
    "mass": "Mass reception",
    "on_site": "On-site reception",
    "video": "Video reception",
}


def calendar(items: Sequence[Occurrence], *, stamp: datetime) -> bytes:
    """The feed; DTSTAMP is when it was made, the times are UTC."""
    cal = Calendar()
    cal.add("prodid", "-//JSC Almalyk MMC//appeals-api receptions//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Almalyk MMC: reception schedule")
    for item in items:
        cal.add_component(_event(item, stamp))
    feed: bytes = cal.to_ical()
    return feed


def _event(item: Occurrence, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", item.starts_at.astimezone(UTC))
    event.add("dtend", item.ends_at.astimezone(UTC))
    title = KIND_TITLES[item.kind.value]
    event.add("summary", f"{title}: {item.official_name}, {item.official_post}")
    event.add("location", item.place)
    if item.note:
        event.add("description", item.note)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    return event
