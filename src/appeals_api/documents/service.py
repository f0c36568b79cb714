"""Documents kept with an appeal (R-12.1): added as streams, read as streams, never erased.

Who reaches a document is who reaches its appeal (`appeals.access`); a confidential appeal's
documents are personal data (R-8.2): only those who see it get them, and every download is
in the personal-data access log. Adding or withdrawing a document is a fact noted in the
appeal's history (`journal.note_on`); the appeal itself (its version, its ETag) is unchanged,
so an action under way with `If-Match` is not refused because a scan arrived meanwhile.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import journal
from appeals_api.appeals.access import get_visible
from appeals_api.appeals.models import Appeal
from appeals_api.appeals.privacy import service as privacy
from appeals_api.auth.roles import Principal, Role
from appeals_api.documents import detect, repository
from appeals_api.documents.models import Document, DocumentKind
from appeals_api.documents.storage import Storage
from appeals_api.documents.upload import Upload
from appeals_api.errors import (
    Conflict,
    FieldError,
    Forbidden,
    IdempotencyKeyReused,
    NotFound,
    PayloadTooLarge,
    Unprocessable,
    UnsupportedMediaType,
)

NO_SUCH_DOCUMENT = "No such document."
NAME_CHARS = 255


@dataclass(frozen=True)
class Added:
    document: Document
    replayed: bool


class Inspection:
    """The file's size, SHA-256 and content type, taken as its bytes pass through: refused
    (413) the moment it passes `limit`, and (415) as soon as its first bytes tell what it is."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.digest = hashlib.sha256()
        self.content_type: str | None = None
        self._head = bytearray()
        self._text: detect.TextCheck | None = None

    async def through(self, data: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        async for piece in data:
            self.size += len(piece)
            if self.size > self.limit:
                raise PayloadTooLarge(
                    f"The document exceeds {self.limit} bytes, the limit for one file "
                    "(APPEALS_MAX_DOCUMENT_BYTES, R-12.1); nothing was kept."
                )
            self.digest.update(piece)
            if self.content_type is None:
                self._head += piece
                if len(self._head) < detect.SNIFF_BYTES:
                    continue
                piece = self._decide()
            elif self._text is not None:
                self._text.feed(piece)
            yield piece
        if self.content_type is None and (head := self._decide()):
            yield head
        if self._text is not None:
            self._text.feed(b"", final=True)
            if not self._text.ok:
                raise _refused("text/plain that is not UTF-8 all through")

    def _decide(self) -> bytes:
        """Tell the type from the bytes held so far; hand them on."""
        head = bytes(self._head)
        self._head.clear()
        if not head:
            raise Unprocessable("The file is empty; a document has content (R-12.1).")
        self.content_type = detect.detect(head)
        if self.content_type not in detect.ALLOWED:
            raise _refused(self.content_type)
        if self.content_type == detect.TEXT:
            self._text = detect.TextCheck()
            self._text.feed(head)
        return head


def _refused(detected: str) -> UnsupportedMediaType:
    return UnsupportedMediaType(
        f"Documents are PDF, images (PNG, JPEG, TIFF, GIF, WebP), office documents (DOCX, XLSX, "
        f"PPTX, DOC, XLS, ODT, ODS) or plain UTF-8 text (R-12.1); this file's bytes are "
        f"{detected}."
    )


def safe_name(filename: str | None) -> str:
    """The original name as the applicant gave it, less any folders and control characters."""
    name = (filename or "").replace("\\", "/")
    name = PurePosixPath(name).name if name else ""
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[:NAME_CHARS] or "document"


def _kind(fields: dict[str, str]) -> DocumentKind:
    value = fields.get("kind")
    try:
        return DocumentKind(value or "")
    except ValueError:
        allowed = ", ".join(k.value for k in DocumentKind)
        detail = f"`kind` must be one of {allowed} (R-12.1)."
        raise Unprocessable(
            detail, [FieldError(field="kind", message=detail, type="enum")]
        ) from None


async def reachable_for_upload(
    session: AsyncSession, *, appeal_id: uuid.UUID, principal: Principal
) -> Appeal:
    """Who may add: those who reach the appeal; an intake key, only to an appeal it registered
    (the website uploads the files of the appeal it has just posted)."""
    if principal.role is not Role.INTAKE:
        return await get_visible(session, appeal_id=appeal_id, principal=principal)
    appeal = await get_visible(session, appeal_id=appeal_id, principal=principal)
    if appeal.created_by != principal.id:
        raise NotFound("No such appeal.")
    return appeal


async def add(
    session: AsyncSession,
    storage: Storage,
    *,
    appeal: Appeal,
    principal: Principal,
    data: AsyncIterable[bytes],
    form: Upload,
    limit: int,
    idempotency_key: str | None,
    now: datetime,
) -> Added:
    """R-12.1: the file is stored as it streams (SHA-256, size and type taken on the way) and
    recorded with its kind, name and who added it; a retry under the same Idempotency-Key
    returns the first document, whose bytes it must repeat."""
    inspection = Inspection(limit)
    key = await storage.write(session, inspection.through(data))
    if not form.has_file:
        detail = "The form has no `file` (R-12.1)."
        raise Unprocessable(detail, [FieldError(field="file", message=detail, type="missing")])
    assert inspection.content_type is not None
    values = {
        "id": uuid.uuid4(),
        "appeal_id": appeal.id,
        "kind": _kind(form.fields),
        "name": safe_name(form.filename),
        "size": inspection.size,
        "sha256": inspection.digest.hexdigest(),
        "content_type": inspection.content_type,
        "storage_key": key,
        "added_at": now,
        "added_by_id": principal.id,
        "added_by": principal.label,
        "idempotency_key": idempotency_key,
    }
    document = await repository.insert_document(session, values)
    if document is None:
        return await _replay(session, storage, values, idempotency_key=idempotency_key)
    await journal.note_on(
        session, appeal.id, actor=journal.Actor.of(principal), action="document_added", at=now,
        changes={"document": [None, _noted(document)]},
    )  # fmt: skip
    return Added(document, replayed=False)


async def _replay(
    session: AsyncSession, storage: Storage, values: dict[str, Any], *, idempotency_key: str | None
) -> Added:
    """The key was used: the first document if this is the same upload, else 422."""
    assert idempotency_key is not None
    await storage.discard(session, values["storage_key"])
    first = await repository.by_key(
        session, appeal_id=values["appeal_id"], added_by_id=values["added_by_id"],
        key=idempotency_key,
    )  # fmt: skip
    assert first is not None
    if (first.sha256, first.kind, first.name) != (values["sha256"], values["kind"], values["name"]):
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used on this appeal for another document (R-1.8)."
        )
    return Added(first, replayed=True)


def _noted(document: Document) -> dict[str, Any]:
    """What the history keeps of a document: not its name (a confidential appeal's files are
    often named after the applicant)."""
    return {
        "id": str(document.id),
        "kind": document.kind.value,
        "size": document.size,
        "sha256": document.sha256,
        "content_type": document.content_type,
    }


async def _document(
    session: AsyncSession, document_id: uuid.UUID, principal: Principal, *, lock: bool = False
) -> tuple[Document, Appeal]:
    """A document whose appeal the caller reaches; for others it does not exist (404)."""
    document = await repository.get(session, document_id, for_update=lock)
    if document is None:
        raise NotFound(NO_SUCH_DOCUMENT)
    try:
        appeal = await get_visible(session, appeal_id=document.appeal_id, principal=principal)
    except NotFound:
        raise NotFound(NO_SUCH_DOCUMENT) from None
    return document, appeal


def _personal_data(principal: Principal, appeal: Appeal) -> None:
    if not privacy.sees_personal_data(principal, appeal):
        raise Forbidden(
            "A confidential appeal's documents are personal data, shown only to the Appeals "
            "Department and management (R-12.1, R-8.2)."
        )


async def list_of(session: AsyncSession, *, appeal: Appeal, principal: Principal) -> list[Document]:
    """R-12.1: the appeal's documents, the withdrawn ones too (marked)."""
    _personal_data(principal, appeal)
    return await repository.of_appeal(session, appeal.id)


async def for_download(
    session: AsyncSession, *, document_id: uuid.UUID, principal: Principal, now: datetime
) -> Document:
    """R-12.1, R-8.2: a document for one who reaches it; a confidential appeal's, logged.
    A withdrawn document is still given: withdrawal keeps the record, bytes included."""
    document, appeal = await _document(session, document_id, principal)
    _personal_data(principal, appeal)
    await privacy.record_reads(
        session, principal=principal, appeals=[appeal], via="document", now=now
    )
    return document


async def withdraw(
    session: AsyncSession, *, document_id: uuid.UUID, principal: Principal, reason: str,
    now: datetime,
) -> Document:  # fmt: skip
    """R-12.1: a document is never erased; it is withdrawn with a reason, who and when kept."""
    document, appeal = await _document(session, document_id, principal, lock=True)
    _personal_data(principal, appeal)
    if document.withdrawn_at is not None:
        raise Conflict("The document was withdrawn already; a withdrawal is final (R-12.1).")
    values = {"withdrawn_at": now, "withdrawn_by": principal.label, "withdrawal_reason": reason}
    await repository.withdraw(session, document.id, values)
    await journal.note_on(
        session, appeal.id, actor=journal.Actor.of(principal), action="document_withdrawn",
        at=now, changes={"document": [_noted(document), None]}, note=reason,
    )  # fmt: skip
    refreshed = await repository.get(session, document.id)
    assert refreshed is not None
    return refreshed
