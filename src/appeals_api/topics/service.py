"""The classifier of questions: kept by the admin, retired rather than deleted (R-13.1)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.errors import Conflict, FieldError, NotFound, Unprocessable
from appeals_api.topics import repository
from appeals_api.topics.models import Topic
from appeals_api.topics.schemas import (
    Suggested,
    TopicCreate,
    TopicLabel,
    TopicNames,
    TopicRead,
    TopicUpdate,
)
from appeals_api.units import service as units

NO_SUCH_TOPIC = "No such topic."
# Units migration 0018 creates with the starting classifier: the Compliance Service.
MIGRATED_UNITS = frozenset({"COMPLIANCE"})


def to_read(topic: Topic) -> TopicRead:
    names = TopicNames(
        uz=topic.name_uz, uz_cyrl=topic.name_uz_cyrl, ru=topic.name_ru, en=topic.name_en
    )
    return TopicRead(
        code=topic.code,
        parent=topic.parent,
        names=names,
        lead_unit=topic.lead_unit,
        confidential=topic.confidential,
        active=topic.active,
        retired_at=topic.retired_at,
        retired_reason=topic.retired_reason,
        created_at=topic.created_at,
    )


async def list_topics(session: AsyncSession, *, include_retired: bool) -> list[Topic]:
    return await repository.list_topics(session, include_retired=include_retired)


def _name_columns(names: TopicNames) -> dict[str, str]:
    return {
        "name_uz": names.uz,
        "name_uz_cyrl": names.uz_cyrl,
        "name_ru": names.ru,
        "name_en": names.en,
    }


async def _check_lead_unit(session: AsyncSession, code: str | None) -> None:
    if code is not None and await units.unknown_codes(session, [code]):
        raise Unprocessable(
            f"unit {code!r} does not exist (R-13.1)",
            [FieldError(field="lead_unit", message="no such unit", type="unknown_unit")],
        )


async def create(session: AsyncSession, *, data: TopicCreate) -> Topic:
    """R-13.1: a sub-topic goes under an active topic; a code is never reused."""
    parent = data.code.rpartition(".")[0] or None
    if parent is not None:
        found = await repository.get(session, parent)
        if found is None or not found.active:
            raise Unprocessable(
                f"a sub-topic needs its parent {parent!r} active in the classifier (R-13.1)",
                [FieldError(field="code", message="no such active parent", type="no_parent")],
            )
    await _check_lead_unit(session, data.lead_unit)
    values: dict[str, Any] = {"code": data.code, "parent": parent, **_name_columns(data.names)}
    values |= {"lead_unit": data.lead_unit, "confidential": data.confidential}
    created = await repository.insert(session, values)
    if created is None:
        raise Conflict(f"topic {data.code!r} already exists; codes are never reused (R-13.1)")
    return created


async def _existing(session: AsyncSession, code: str) -> Topic:
    topic = await repository.get(session, code, for_update=True)
    if topic is None:
        raise NotFound(NO_SUCH_TOPIC)
    return topic


async def update(session: AsyncSession, *, code: str, data: TopicUpdate) -> Topic:
    """Names and defaults change; the code, which appeals carry, never does (R-13.1)."""
    await _existing(session, code)
    values: dict[str, Any] = {}
    if data.names is not None:
        values |= _name_columns(data.names)
    if "lead_unit" in data.model_fields_set:
        await _check_lead_unit(session, data.lead_unit)
        values["lead_unit"] = data.lead_unit
    if data.confidential is not None:
        values["confidential"] = data.confidential
    if values:
        await repository.change(session, code, values)
    return await _fresh(session, code)


async def retire(session: AsyncSession, *, code: str, reason: str, now: datetime) -> Topic:
    """R-13.1: retired, not deleted: it stays on old appeals and in statistics."""
    topic = await _existing(session, code)
    if not topic.active:
        raise Conflict(f"topic {code!r} is already retired (R-13.1)")
    await repository.retire(session, code, at=now, reason=reason)
    return await _fresh(session, code)


async def _fresh(session: AsyncSession, code: str) -> Topic:
    session.expire_all()
    topic = await repository.get(session, code)
    assert topic is not None
    return topic


def refuse_unusable(
    codes: Sequence[str], active: Mapping[str, bool], field: str, kept: Collection[str] = ()
) -> None:
    """422 for a code the classifier does not know, or has retired unless the appeal carries it
    already (`kept`): a retired topic stays on old appeals, is set on none (R-13.1)."""
    errors = [
        FieldError(field=f"{field}[{i}]", message="no such topic", type="unknown_topic")
        for i, c in enumerate(codes)
        if c not in active
    ] + [
        FieldError(field=f"{field}[{i}]", message="topic is retired", type="retired_topic")
        for i, c in enumerate(codes)
        if active.get(c) is False and c not in kept
    ]
    if errors:
        raise Unprocessable(
            "an appeal's topics are active codes of the classifier (R-13.1, Appendix 2)", errors
        )


async def check_codes_pool(pool: asyncpg.Pool, codes: Sequence[str], *, field: str) -> None:
    """Intake's check of the body's topics (it reads through the pool)."""
    if codes:
        refuse_unusable(codes, await repository.activity(pool, list(codes)), field)


async def check_codes(
    session: AsyncSession, codes: Sequence[str], *, field: str, kept: Collection[str] = ()
) -> None:
    """A correction's check of the topics it sets (the appeal's own retired ones may stay)."""
    found = await repository.with_codes(session, codes)
    refuse_unusable(codes, {c: t.active for c, t in found.items()}, field, kept)


async def codes_under(session: AsyncSession, code: str) -> list[str]:
    """A filter by topic matches its sub-topics too."""
    return await repository.codes_under(session, code)


async def labels(session: AsyncSession, codes: Sequence[str]) -> list[TopicLabel]:
    """The topics' names in the four languages, in the appeal's order (retired ones too)."""
    found = await repository.with_codes(session, codes)
    return [TopicLabel(code=c, names=to_read(found[c]).names) for c in codes if c in found]


async def suggested(session: AsyncSession, codes: Sequence[str]) -> Suggested:
    """R-13.1: the topics' defaults, a sub-topic without its own taking its parent's."""
    ancestry = {c: _lineage(c) for c in codes}
    found = await repository.with_codes(session, [a for line in ancestry.values() for a in line])
    lead: str | None = None
    confidential = False
    for code in codes:
        line = [found[a] for a in ancestry[code] if a in found]
        lead = lead or next((t.lead_unit for t in line if t.lead_unit), None)
        confidential = confidential or any(t.confidential for t in line)
    return Suggested(lead_unit=lead, confidential=confidential)


def _lineage(code: str) -> list[str]:
    """`02.01.03` → [`02.01.03`, `02.01`, `02`]: the nearest first."""
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
