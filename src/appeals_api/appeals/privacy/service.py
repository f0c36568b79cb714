"""Confidential applicants (R-8.2, §9): their identity reaches only those who need it, and every
read of it is recorded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.models import Appeal, PersonalDataAccess
from appeals_api.appeals.privacy import repository
from appeals_api.auth.roles import Principal, Role

# Who sees a confidential applicant's identity: the Appeals Department and management.
CONFIDENTIAL_READERS = frozenset({Role.REGISTRAR, Role.MANAGER})
# What of an applicant stays visible when masked: its kind, not who it is or where.
_KEPT = ("type",)
_KEPT_REPRESENTATIVE = ("legal_representative", "authority_documents")


def sees_personal_data(principal: Principal, appeal: Appeal | SimpleNamespace) -> bool:
    return not appeal.confidential or principal.role in CONFIDENTIAL_READERS


def sees_all_personal_data(principal: Principal) -> bool:
    """Whether this reader sees every appeal's applicants, confidential ones too (R-8.2)."""
    return principal.role in CONFIDENTIAL_READERS


def masked_applicants(applicants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: a[k] for k in _KEPT if k in a} for a in applicants]


def masked_representative(representative: dict[str, Any] | None) -> dict[str, Any] | None:
    if representative is None:
        return None
    return {k: representative[k] for k in _KEPT_REPRESENTATIVE if k in representative}


async def record_reads(
    session: AsyncSession,
    *,
    principal: Principal,
    appeals: Sequence[Appeal | SimpleNamespace],
    via: str,
    now: datetime,
) -> None:
    """R-8.2: one access row per confidential appeal whose personal data this answer shows."""
    rows = [
        {
            "appeal_id": a.id,
            "at": now,
            "principal_id": principal.id,
            "principal": principal.label,
            "role": principal.role.value,
            "via": via,
        }
        for a in appeals
        if a.confidential and sees_personal_data(principal, a)
    ]
    if rows:
        await repository.insert_accesses(session, rows)


async def access_log(
    session: AsyncSession, *, appeal_id: Any | None, after: int, limit: int
) -> list[PersonalDataAccess]:
    """R-8.2: who saw a confidential applicant's identity, when and through which route."""
    return await repository.accesses(session, appeal_id=appeal_id, after=after, limit=limit)


# History fields that carry an applicant's identity (a correction's before → after, R-12.2).
_PERSONAL_CHANGES = {"applicants": masked_applicants, "representative": masked_representative}


def carries_personal_data(changes: dict[str, Any]) -> bool:
    return any(k in changes for k in _PERSONAL_CHANGES)


def masked_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """A history row's changes with a confidential applicant's identity withheld (R-8.2)."""
    if not carries_personal_data(changes):
        return changes
    out = dict(changes)
    for key, mask in _PERSONAL_CHANGES.items():
        value = changes.get(key)
        if isinstance(value, list) and len(value) == 2:
            out[key] = [mask(v) if v is not None else None for v in value]  # type: ignore[operator]
    return out
