from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from appeals_api.db import SessionDep
from appeals_api.deps import AdminKey, AnyKey, NowDep
from appeals_api.errors import problem_responses
from appeals_api.topics import service
from appeals_api.topics.schemas import (
    TopicCode,
    TopicCreate,
    TopicList,
    TopicRead,
    TopicRetire,
    TopicUpdate,
)

router = APIRouter(prefix="/api/v1/topics", tags=["topics"])


@router.get("", response_model=TopicList, responses=problem_responses(401, 403, 422))
async def list_topics(
    session: SessionDep,
    _: AnyKey,
    include_retired: Annotated[
        bool, Query(description="Also the retired topics (they stay on old appeals).")
    ] = False,
) -> TopicList:
    """The classifier of questions (R-13.1), by code: a sub-topic follows its parent."""
    topics = await service.list_topics(session, include_retired=include_retired)
    return TopicList(items=[service.to_read(t) for t in topics])


@router.post(
    "", status_code=201, response_model=TopicRead, responses=problem_responses(401, 403, 409, 422)
)
async def create_topic(session: SessionDep, _: AdminKey, body: TopicCreate) -> TopicRead:
    """Add a topic (admin); a sub-topic's parent must exist and be active (R-13.1)."""
    return service.to_read(await service.create(session, data=body))


@router.patch("/{code}", response_model=TopicRead, responses=problem_responses(401, 403, 404, 422))
async def update_topic(
    session: SessionDep, _: AdminKey, code: TopicCode, body: TopicUpdate
) -> TopicRead:
    """Change a topic's names or defaults (admin); its code never changes (R-13.1)."""
    return service.to_read(await service.update(session, code=code, data=body))


@router.post(
    "/{code}/retire", response_model=TopicRead, responses=problem_responses(401, 403, 404, 409, 422)
)
async def retire_topic(
    session: SessionDep, _: AdminKey, now: NowDep, code: TopicCode, body: TopicRetire
) -> TopicRead:
    """Retire a topic with a reason (admin): it stays on old appeals and in statistics, and can
    no longer be set on new ones (R-13.1)."""
    return service.to_read(await service.retire(session, code=code, reason=body.reason, now=now))
