from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class Role(StrEnum):
    """The roles of API.md; each route names the ones it allows, all others are denied."""

    ADMIN = "admin"  # keys, units, calendar
    INTAKE = "intake"  # website, helpline: create appeals, nothing else
    REGISTRAR = "registrar"  # the Appeals Department
    MANAGER = "manager"  # Chairman of the Board and deputies
    EXECUTOR = "executor"  # a structural unit: only appeals routed to it
    SUPERVISOR = "supervisor"  # reads all, control reports
    ANALYST = "analyst"  # statistics only
    DIRECTUM = "directum"  # the document system's callbacks


# A key's name has up to 200 characters; with " (supervisor)" its label must still fit 200.
LABEL_NAME_CHARS = 180


@dataclass(frozen=True, slots=True)
class Principal:
    id: UUID
    name: str
    role: Role
    unit_code: str | None = None

    @property
    def label(self) -> str:
        """Who acted, as records show it: fits the 200-character actor columns whatever the name."""
        return f"{self.name[:LABEL_NAME_CHARS]} ({self.role})"


# Groups used by several routes, named so that a route's rule reads as a sentence.
APPEAL_READERS = (Role.REGISTRAR, Role.MANAGER, Role.SUPERVISOR, Role.EXECUTOR)
APPEAL_CREATORS = (Role.INTAKE, Role.REGISTRAR)
# Who may date an appeal's receipt in the past: the Appeals Department and above.
BACKDATERS = frozenset({Role.REGISTRAR, Role.MANAGER, Role.ADMIN})
ALL_ROLES = tuple(Role)
