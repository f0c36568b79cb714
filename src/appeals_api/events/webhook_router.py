"""HTTP for webhook subscriptions and their deliveries: admin only."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from appeals_api.db import SessionDep
from appeals_api.deps import AdminKey, NowDep, SettingsDep
from appeals_api.errors import BadRequest, problem_responses
from appeals_api.events import webhook_service as service
from appeals_api.events.webhook_models import DeliveryStatus
from appeals_api.events.webhook_schemas import (
    DeliveryPage,
    DeliveryRead,
    WebhookCreate,
    WebhookPage,
    WebhookRead,
)

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
Limit = Annotated[int, Query(ge=1, le=1000)]
Cursor = Annotated[str | None, Query(max_length=64)]


def _decode(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        if kind != "w":
            raise ValueError(kind)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadRequest("The cursor is not one this API gave out.") from exc


def _encode(value: int) -> str:
    return base64.urlsafe_b64encode(f"w:{value}".encode()).decode().rstrip("=")


@router.post(
    "",
    status_code=201,
    response_model=WebhookRead,
    responses=problem_responses(401, 403, 413, 422),
    summary="Subscribe a receiver to the event feed",
)
async def create_webhook(
    session: SessionDep,
    principal: AdminKey,
    now: NowDep,
    settings: SettingsDep,
    body: WebhookCreate,
) -> WebhookRead:
    """Events committed from now on are POSTed to `url`, signed with `secret` (never returned).
    A target inside this network (a private, loopback, link-local or reserved address, or a
    name that resolves to one) is refused with 422 unless its network is in
    `APPEALS_WEBHOOK_ALLOWED_NETWORKS`."""
    sub = await service.create_subscription(
        session, settings, data=body, principal=principal, now=now
    )
    return WebhookRead.model_validate(sub)


@router.get("", response_model=WebhookPage, responses=problem_responses(400, 401, 403, 422))
async def list_webhooks(
    session: SessionDep, _: AdminKey, limit: Limit = 100, cursor: Cursor = None
) -> WebhookPage:
    """The subscriptions, oldest first."""
    subs = await service.list_subscriptions(session, after=_decode(cursor) or 0, limit=limit)
    items = [WebhookRead.model_validate(s) for s in subs]
    return WebhookPage(
        items=items, next_cursor=_encode(subs[-1].id) if len(subs) == limit else None
    )


@router.get(
    "/{subscription_id}", response_model=WebhookRead, responses=problem_responses(401, 403, 404)
)
async def get_webhook(session: SessionDep, _: AdminKey, subscription_id: Id) -> WebhookRead:
    return WebhookRead.model_validate(await service.get_subscription(session, subscription_id))


@router.delete("/{subscription_id}", status_code=204, responses=problem_responses(401, 403, 404))
async def delete_webhook(
    session: SessionDep, _: AdminKey, now: NowDep, subscription_id: Id
) -> Response:
    """Unsubscribe: nothing more is sent, at once, even during a backlog; the subscription's
    deliveries are forgotten by the worker soon after."""
    await service.delete_subscription(session, subscription_id, now)
    return Response(status_code=204)


@router.get(
    "/{subscription_id}/deliveries",
    response_model=DeliveryPage,
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def list_deliveries(
    session: SessionDep,
    _: AdminKey,
    subscription_id: Id,
    status: DeliveryStatus | None = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> DeliveryPage:
    """Each delivery with its attempts, last error and next attempt; newest first."""
    rows = await service.list_deliveries(
        session,
        subscription_id=subscription_id,
        status=status,
        before=_decode(cursor),
        limit=limit,
    )
    return DeliveryPage(
        items=[DeliveryRead.model_validate(d) for d in rows],
        next_cursor=_encode(rows[-1].id) if len(rows) == limit else None,
    )


@router.post(
    "/deliveries/{delivery_id}/redeliver",
    response_model=DeliveryRead,
    responses=problem_responses(401, 403, 404),
)
async def redeliver(session: SessionDep, _: AdminKey, now: NowDep, delivery_id: Id) -> DeliveryRead:
    """Send again now with a fresh budget of attempts: a dead letter, or one to repeat."""
    delivery = await service.redeliver(session, delivery_id=delivery_id, now=now)
    return DeliveryRead.model_validate(delivery)
