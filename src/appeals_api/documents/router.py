"""HTTP for documents (R-12.1): upload (multipart, streamed), list, download (streamed),
withdrawal."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import StreamingResponse
from pydantic_core import to_json

from appeals_api.appeals.access import Visible, visible_to
from appeals_api.appeals.intake.router import IdempotencyKey
from appeals_api.auth.dependencies import require, require_or_link
from appeals_api.auth.roles import APPEAL_READERS, Principal, Role
from appeals_api.db import SessionDep
from appeals_api.deps import NowDep, SettingsDep
from appeals_api.documents import service
from appeals_api.documents.models import Document, DocumentKind
from appeals_api.documents.schemas import DocumentList, DocumentRead, DocumentWithdraw
from appeals_api.documents.storage import PostgresStorage, Storage
from appeals_api.documents.upload import Upload, file_bytes
from appeals_api.errors import problem_responses
from appeals_api.state import state_of

router = APIRouter(prefix="/api/v1", tags=["documents"])

# Who adds documents: the Appeals Department, management, the executors of a routed unit, and
# the intake systems (the website) to the appeals they registered themselves.
UPLOADERS = (Role.REGISTRAR, Role.MANAGER, Role.EXECUTOR, Role.INTAKE)
# Who withdraws one: the Appeals Department and management.
WITHDRAWERS = (Role.REGISTRAR, Role.MANAGER)

Uploader = Annotated[Principal, Depends(require(*UPLOADERS))]
Reader = Annotated[Principal, Depends(require(*APPEAL_READERS))]
# The content also opens from a signed link (`POST /api/v1/links`), without a header.
KeyOrLink = Annotated[Principal, Depends(require_or_link(*APPEAL_READERS))]
Withdrawer = Annotated[Principal, Depends(require(*WITHDRAWERS))]
ReaderOfAppeal = Annotated[Visible, Depends(visible_to(*APPEAL_READERS))]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match", max_length=200)]

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "kind"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "kind": {"type": "string", "enum": [k.value for k in DocumentKind]},
                    },
                }
            }
        },
    }
}
CONTENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The document's bytes, streamed, with its detected content type, its "
        "original name (Content-Disposition) and `ETag` (its SHA-256).",
        "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "*/*": {"schema": {"type": "string", "format": "binary"}},  # as detected (issue 19)
        },
    },
    304: {"description": "Not modified (`If-None-Match` names its ETag)."},
    **problem_responses(401, 403, 404, 422),
}


async def _storage(request: Request) -> Storage:
    return PostgresStorage(state_of(request).autocommit_sessionmaker)


StorageDep = Annotated[Storage, Depends(_storage)]


def _read(document: Document, tz: ZoneInfo) -> DocumentRead:
    withdrawn_at = document.withdrawn_at
    return DocumentRead(
        id=document.id, appeal_id=document.appeal_id, kind=document.kind, name=document.name,
        size=document.size, sha256=document.sha256, content_type=document.content_type,
        added_at=document.added_at.astimezone(tz), added_by=document.added_by,
        withdrawn=withdrawn_at is not None,
        withdrawn_at=withdrawn_at.astimezone(tz) if withdrawn_at is not None else None,
        withdrawn_by=document.withdrawn_by, withdrawal_reason=document.withdrawal_reason,
    )  # fmt: skip


def content_disposition(name: str) -> str:
    """RFC 6266: an ASCII fallback `filename`, and the name itself as UTF-8 in `filename*`
    (RFC 5987), so no name can break out of the header or lose its letters."""
    fallback = "".join(c if " " <= c < "\x7f" and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.post(
    "/appeals/{appeal_id}/documents",
    status_code=201,
    response_model=DocumentRead,
    responses=problem_responses(400, 401, 403, 404, 413, 415, 422),
    openapi_extra=UPLOAD_BODY,
    summary="Attach a document to the appeal (multipart `file` and `kind`)",
)
async def add_document(
    request: Request,
    appeal_id: uuid.UUID,
    session: SessionDep,
    principal: Uploader,
    storage: StorageDep,
    settings: SettingsDep,
    now: NowDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """R-12.1: the file streams into storage as it arrives, its SHA-256, size and type taken
    on the way; over `APPEALS_MAX_DOCUMENT_BYTES` it is refused (413) and nothing is kept; a
    type outside PDF, images, office documents and plain text is refused (415). A retry with
    the same `Idempotency-Key` returns the first document."""
    appeal = await service.reachable_for_upload(session, appeal_id=appeal_id, principal=principal)
    form = Upload()
    added = await service.add(
        session, storage, appeal=appeal, principal=principal, data=file_bytes(request, form),
        form=form, limit=settings.max_document_bytes, idempotency_key=idempotency_key, now=now,
    )  # fmt: skip
    document = added.document
    headers = {"Location": f"/api/v1/documents/{document.id}/content"}
    if added.replayed:
        headers["Idempotent-Replayed"] = "true"
    body = to_json(_read(document, settings.tz).model_dump(mode="json"))
    return Response(body, 201, headers, media_type="application/json")


@router.get(
    "/appeals/{appeal_id}/documents",
    response_model=DocumentList,
    responses=problem_responses(401, 403, 404),
    summary="The appeal's documents, withdrawn ones marked",
)
async def list_documents(
    session: SessionDep, seen: ReaderOfAppeal, settings: SettingsDep
) -> DocumentList:
    """R-12.1: every document kept with the appeal; a confidential appeal's only for those who
    see its personal data (R-8.2), else 403."""
    documents = await service.list_of(session, appeal=seen.appeal, principal=seen.principal)
    return DocumentList(items=[_read(d, settings.tz) for d in documents])


@router.get(
    "/documents/{document_id}/content",
    response_class=StreamingResponse,
    responses=CONTENT_RESPONSES,
    summary="The document's bytes (streamed)",
)
async def document_content(
    document_id: uuid.UUID,
    session: SessionDep,
    principal: KeyOrLink,
    storage: StorageDep,
    now: NowDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """R-12.1: streamed from storage a piece at a time; a confidential appeal's document only
    for those who see its personal data, each download in the access log (R-8.2). A withdrawn
    document is still given to those who may read it: withdrawal keeps the record."""
    document = await service.for_download(
        session, document_id=document_id, principal=principal, now=now
    )
    etag = f'"{document.sha256}"'
    if if_none_match is not None and etag in (t.strip() for t in if_none_match.split(",")):
        return Response(status_code=304, headers={"ETag": etag})
    headers = {
        "ETag": etag,
        "Content-Length": str(document.size),
        "Content-Disposition": content_disposition(document.name),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    return StreamingResponse(
        storage.read(document.storage_key), media_type=document.content_type, headers=headers
    )


@router.post(
    "/documents/{document_id}/withdraw",
    response_model=DocumentRead,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Withdraw a document with a reason (it is never erased)",
)
async def withdraw_document(
    document_id: uuid.UUID,
    data: DocumentWithdraw,
    session: SessionDep,
    principal: Withdrawer,
    settings: SettingsDep,
    now: NowDep,
) -> DocumentRead:
    """R-12.1: the document stays, marked withdrawn with who, when and why; its history notes
    it. Registrar and manager; a second withdrawal is 409."""
    document = await service.withdraw(
        session, document_id=document_id, principal=principal, reason=data.reason, now=now
    )
    return _read(document, settings.tz)
