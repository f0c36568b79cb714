"""Who reaches which appeal: one rule, one 404 (an appeal outside the caller's reach does not
exist for them).

No `from __future__ import annotations`: `visible_to` builds its dependency's annotations at
run time, and FastAPI reads them as objects.
"""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import repository
from appeals_api.appeals.models import Appeal
from appeals_api.appeals.reading.fields import Row
from appeals_api.auth.dependencies import require
from appeals_api.auth.roles import APPEAL_READERS, Principal, Role
from appeals_api.db import SessionDep
from appeals_api.errors import NotFound

NO_SUCH_APPEAL = "No such appeal."


def can_see(principal: Principal, appeal: Appeal | Row) -> bool:
    """Executors reach only appeals routed to their unit; for others they do not exist."""
    if principal.role is Role.EXECUTOR:
        return principal.unit_code is not None and principal.unit_code in appeal.units
    return True


async def get_visible(
    session: AsyncSession, *, appeal_id: uuid.UUID, principal: Principal
) -> Appeal:
    appeal = await repository.get(session, appeal_id)
    if appeal is None or not can_see(principal, appeal):
        raise NotFound(NO_SUCH_APPEAL)
    return appeal


@dataclass(frozen=True)
class Visible:
    """The caller and an appeal within their reach."""

    principal: Principal
    appeal: Appeal


def visible_to(*roles: Role) -> Callable[..., Awaitable[Visible]]:
    """A dependency: the `{appeal_id}` of the path, for a caller of `roles` who may see it
    (401/403 for the key, 404 for an appeal outside the caller's reach)."""
    caller = Annotated[Principal, Depends(require(*roles))]

    async def dependency(session: SessionDep, principal: caller, appeal_id: uuid.UUID) -> Visible:
        return Visible(
            principal, await get_visible(session, appeal_id=appeal_id, principal=principal)
        )

    return dependency


VisibleAppeal = Annotated[Visible, Depends(visible_to(*APPEAL_READERS))]
