"""The audit of the record (R-9.5): every appeal's history is a hash chain; this recomputes the
chains and names, per broken chain, the first entry changed, removed or inserted outside the
service; against heads exported earlier it also catches a chain cut short at its end or
rewritten consistently by hand."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.numbering import display_number
from appeals_api.audit import repository
from appeals_api.audit.schemas import AuditReport, ChainHead, ChainHeadPage, Finding, FindingKind

HEADS_PAGE = 10_000


async def verify(
    session: AsyncSession, *, heads: Sequence[ChainHead] = (), limit: int | None = None
) -> AuditReport:
    """R-9.5: recompute every chain (and compare it with `heads`, if given); at most `limit`
    findings, the first break of each broken chain."""
    rows = await repository.verify(session, limit=limit if limit is not None else 2**62)
    totals = rows[0]
    found = {f.appeal_id: f for f in (_chain_finding(r) for r in rows if r.fault is not None)}
    if heads:
        for head_row in await repository.check_heads(
            session, [(h.appeal_id, h.entries, h.head_hash, h.as_of) for h in heads]
        ):
            finding = _head_finding(head_row)
            earlier = found.get(finding.appeal_id)
            if earlier is None or finding.position < earlier.position:
                found[finding.appeal_id] = finding
    broken = max(int(totals.broken), len(found))
    findings = list(found.values())[: limit if limit is not None else len(found)]
    return AuditReport(
        ok=broken == 0,
        as_of=totals.as_of,
        appeals_checked=int(totals.appeals),
        entries_checked=int(totals.entries),
        broken_appeals=broken,
        findings=findings,
        truncated=len(findings) < broken,
    )


async def snapshot(session: AsyncSession) -> None:
    """One read-only snapshot for the whole transaction: a consistent export or check."""
    await repository.snapshot(session)


async def heads_page(
    session: AsyncSession, *, after: uuid.UUID | None, limit: int
) -> ChainHeadPage:
    """The chain heads of up to `limit` appeals after `after` (in the order of their ids)."""
    heads = [
        ChainHead(
            appeal_id=r.appeal_id,
            number=_number(r),
            entries=r.position,
            head_hash=r.hash,
            as_of=r.as_of,
        )
        for r in await repository.heads(session, after=after, limit=limit)
    ]
    return ChainHeadPage(
        as_of=heads[0].as_of if heads else await repository.now(session),
        heads=heads,
        next_after=heads[-1].appeal_id if len(heads) == limit else None,
    )


async def all_heads(session: AsyncSession) -> AsyncIterator[ChainHead]:
    """Every chain head, page by page (for the daily export)."""
    after: uuid.UUID | None = None
    while True:
        page = await heads_page(session, after=after, limit=HEADS_PAGE)
        for head in page.heads:
            yield head
        if page.next_after is None:
            return
        after = page.next_after


def _number(row: Row[Any]) -> str | None:
    return display_number(row.year, row.seq) if row.year is not None else None


_FAULTS = {
    "inserted": (
        FindingKind.INSERTED,
        "entry {entry_id} stands beside or before an entry written earlier at position "
        "{position}: inserted outside the service",
    ),
    "skipped": (
        FindingKind.REMOVED,
        "position {missing} is missing before entry {entry_id} (position {position}): removed",
    ),
    "unlinked": (
        FindingKind.REMOVED,
        "entry {entry_id} (position {position}) does not chain to the entry before it: that "
        "entry was removed or rewritten, or this one was written outside the service",
    ),
    "changed": (
        FindingKind.CHANGED,
        "entry {entry_id} (position {position}) does not match its hash: changed after it was "
        "written, or inserted outside the service",
    ),
}


def _chain_finding(row: Row[Any]) -> Finding:
    kind, text = _FAULTS[row.fault]
    missing = (row.before_position or 0) + 1
    return Finding(
        appeal_id=row.appeal_id,
        number=_number(row),
        entry_id=row.entry_id,
        position=missing if row.fault == "skipped" else row.position,
        kind=kind,
        detail=text.format(entry_id=row.entry_id, position=row.position, missing=missing),
    )


def _head_finding(row: Row[Any]) -> Finding:
    exported = f"the head exported as of {row.as_of.isoformat()} was position {row.position}"
    if row.entry_id is None:
        kind = FindingKind.REMOVED
        detail = f"{exported}; the chain now ends at position {row.last or 0}: entries removed"
    else:
        kind = FindingKind.REWRITTEN
        detail = f"{exported}; entry {row.entry_id} there now has another hash: rewritten"
    return Finding(
        appeal_id=row.appeal_id,
        number=_number(row),
        entry_id=row.entry_id,
        position=row.position if row.entry_id is not None else (row.last or 0) + 1,
        kind=kind,
        detail=detail,
    )
