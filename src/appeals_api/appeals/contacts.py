"""Where the applicant is told (R-8.4): the e-mail and phone of the applicant answered (§41),
and none for an anonymous appeal (§46: no applicant with a name and an address)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Contacts:
    email: str | None = None
    phone: str | None = None

    def __bool__(self) -> bool:
        return bool(self.email or self.phone)


def _identified(person: dict[str, Any]) -> bool:
    if person.get("type") == "legal_entity":
        return bool(person.get("name") and person.get("address"))
    return bool(person.get("last_name") and person.get("first_name") and person.get("address"))


def notice_contacts(applicants: list[dict[str, Any]], respond_to: int | None) -> Contacts:
    """R-8.4: the answered applicant's e-mail and phone; nothing for an anonymous appeal."""
    if not any(_identified(p) for p in applicants):
        return Contacts()
    index = respond_to or 0
    person = applicants[index] if index < len(applicants) else applicants[0]
    return Contacts(email=person.get("email") or None, phone=person.get("phone") or None)
