"""HTTP for the lifecycle: what the caller may do now, and one POST route per action.

No `from __future__ import annotations` here: each action's route is built in a loop with its
own body model, and FastAPI reads those annotations as objects.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Header, Request, Response
from pydantic import BaseModel, Field

from appeals_api.appeals.lifecycle import service as lifecycle
from appeals_api.appeals.lifecycle.workflow import ACTIONS, ActionSpec
from appeals_api.appeals.reading import service
from appeals_api.appeals.reading.viewer import viewer_of
from appeals_api.appeals.schemas import AppealRead
from appeals_api.auth.dependencies import require
from appeals_api.auth.roles import APPEAL_READERS, Principal, Role
from appeals_api.db import SessionDep
from appeals_api.errors import problem_responses
from appeals_api.state import state_of
from appeals_api.topics import service as topics
from appeals_api.topics.schemas import Suggested

# R-13.1: the registrar and the manager see the topics' defaults as suggestions.
SUGGESTED_TO = frozenset({Role.REGISTRAR, Role.MANAGER})
router = APIRouter(prefix="/api/v1/appeals", tags=["lifecycle"])

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=200,
        description="The appeal's ETag as read: a stale one gets 412.",
    ),
]


class ActionField(BaseModel):
    name: str
    required: bool
    type: str
    description: str | None


class ActionInfo(BaseModel):
    name: str
    title: str
    method: str
    href: str
    fields: list[ActionField]


class ActionList(BaseModel):
    appeal_id: UUID
    etag: str
    status: str
    items: list[ActionInfo]
    suggested: Suggested | None = Field(
        default=None,
        description="R-13.1, for the registrar and the manager (else null): what the appeal's "
        "topics suggest — a lead unit for `resolve`'s `units`, confidentiality for a correction "
        "(PATCH). Never applied by themselves.",
    )


@router.get(
    "/{appeal_id}/actions",
    response_model=ActionList,
    responses=problem_responses(401, 403, 404, 422),
    summary="What the caller may do with the appeal now",
)
async def list_actions(
    response: Response,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(*APPEAL_READERS))],
    appeal_id: UUID,
) -> ActionList:
    """Exactly the actions this caller's role, unit and the appeal's state allow (API.md)."""
    appeal, names = await lifecycle.available(session, appeal_id=appeal_id, principal=principal)
    response.headers["ETag"] = lifecycle.etag(appeal)
    items = [
        ActionInfo(
            href=f"/api/v1/appeals/{appeal_id}/actions/{name}",
            **lifecycle.describe(name),
        )
        for name in names
    ]
    suggested = (
        await topics.suggested(session, appeal.topics) if principal.role in SUGGESTED_TO else None
    )
    return ActionList(
        appeal_id=appeal_id,
        etag=lifecycle.etag(appeal),
        status=appeal.status,
        items=items,
        suggested=suggested,
    )


def _endpoint(spec: ActionSpec) -> Callable[..., Awaitable[AppealRead]]:
    """The route of one action, with its own body model and roles."""
    Model: Any = spec.body
    Caller = Annotated[Principal, Depends(require(*spec.roles))]
    takes_required = bool(Model.model_json_schema().get("required"))
    body_param = Body() if takes_required else Body(default=None)

    async def take_action(
        request: Request,
        response: Response,
        session: SessionDep,
        principal: Caller,
        appeal_id: UUID,
        body: Model = body_param,
        if_match: IfMatch = None,
    ) -> AppealRead:
        appeal = await lifecycle.perform(
            session,
            state_of(request).settings,
            appeal_id=appeal_id,
            name=spec.name,
            body=body if body is not None else Model(),
            principal=principal,
            now=state_of(request).clock(),
            if_match=if_match,
        )
        response.headers["ETag"] = lifecycle.etag(appeal)
        return await service.read(session, appeal, viewer_of(request, principal), via=spec.name)

    return take_action


def _add_action_route(spec: ActionSpec) -> None:
    roles = ", ".join(sorted(r.value for r in spec.roles))
    router.add_api_route(
        f"/{{appeal_id}}/actions/{spec.name}",
        _endpoint(spec),
        methods=["POST"],
        response_model=AppealRead,
        responses=problem_responses(400, 401, 403, 404, 409, 412, 413, 422),
        summary=spec.title,
        description=f"Action `{spec.name}` (roles: {roles}). Accepts `If-Match`.",
        name=f"action_{spec.name}",
        operation_id=f"action_{spec.name}",
    )


for _spec in ACTIONS.values():
    _add_action_route(_spec)
