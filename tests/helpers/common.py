"""Request bodies, headers and instants the tests build their requests from."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[2]
# A Monday, 10:00 in Tashkent, inside working hours: the clock of every test that sets none.
DEFAULT_NOW = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
# The unit the `keys` fixture's executor key is bound to.
TEST_UNIT = "TEST-UNIT"

# make_key(role, *, unit=None, name=None) -> a new API key in the module's database.
KeyMaker = Callable[..., Awaitable[str]]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def appeal_body(**overrides: object) -> dict[str, object]:
    """A valid intake body: an electronic complaint from an identified individual."""
    body: dict[str, object] = {
        "kind": "complaint",
        "form": "electronic",
        "channel": "website",
        "language": "uz",
        "text": "The dust from the tailings reaches our street; please take measures.",
        "applicants": [
            {
                "type": "individual",
                "last_name": "Karimov",
                "first_name": "Aziz",
                "patronymic": "Bahodirovich",
                "address": "Almalyk, Navoi street 5",
                "phone": "+998 90 000 00 00",
            }
        ],
    }
    body.update(overrides)
    return body


def at_tashkent(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """An instant given by its Tashkent wall-clock time (UTC+5, no DST)."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Tashkent"))
