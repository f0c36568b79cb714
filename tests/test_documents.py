"""Documents kept with an appeal (R-12.1), through HTTP: streamed up and down with their
SHA-256, bounded in size, typed by their bytes, reached as the appeal is, withdrawn never
erased; a confidential appeal's downloads logged (R-8.2)."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import pytest_asyncio

from appeals_api.auth.roles import Role
from tests.helpers import appeal_body, auth
from tests.helpers.apps import app_client
from tests.helpers.documents import download, pdf, stored_counts, upload
from tests.helpers.lifecycle import LEAD, Staff, make_staff, start

MiB = 1024 * 1024


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


async def test_R_12_1_upload_list_download_keeps_the_bytes_and_their_sha256(
    client, keys, staff, clock
):
    w = await start(client, staff, clock)
    data = pdf(3 * MiB + 12345)
    name = 'Ariza №1 "final".pdf'
    r = await upload(client, keys[Role.REGISTRAR], w.id, data, kind="scan", name=name)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["sha256"] == hashlib.sha256(data).hexdigest()
    assert (made["size"], made["content_type"], made["kind"]) == (
        len(data),
        "application/pdf",
        "scan",
    )
    assert made["name"] == name and made["withdrawn"] is False

    listed = await client.get(
        f"/api/v1/appeals/{w.id}/documents", headers=auth(keys[Role.SUPERVISOR])
    )
    assert listed.status_code == 200
    assert [d["id"] for d in listed.json()["items"]] == [made["id"]]

    got, body = await download(client, keys[Role.SUPERVISOR], made["id"])
    assert got.status_code == 200
    assert body == data and hashlib.sha256(body).hexdigest() == made["sha256"]
    assert got.headers["etag"] == f'"{made["sha256"]}"'
    assert got.headers["content-type"] == "application/pdf"
    disposition = got.headers["content-disposition"]
    assert "filename*=UTF-8''" + quote(name, safe="") in disposition
    assert 'filename="Ariza _1 _final_.pdf"' in disposition


async def test_R_12_1_a_file_over_the_limit_is_413_and_nothing_is_stored(
    settings, clock, keys, make_key
):
    limit = 600_000  # over two storage chunks: some are written before the limit is passed
    async with app_client(settings, clock, max_document_bytes=limit) as client:
        staff = await make_staff(client, keys, make_key)
        w = await start(client, staff, clock)
        before = await stored_counts(settings)
        r = await upload(client, keys[Role.REGISTRAR], w.id, pdf(limit + 50_000))
        assert r.status_code == 413, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert "APPEALS_MAX_DOCUMENT_BYTES" in r.json()["detail"]
        assert await stored_counts(settings) == before
        # Declared larger than the limit and its framing: refused before a byte is read.
        r = await upload(client, keys[Role.REGISTRAR], w.id, pdf(limit + 200_000))
        assert r.status_code == 413
        assert await stored_counts(settings) == before
        r = await upload(client, keys[Role.REGISTRAR], w.id, pdf(limit))
        assert r.status_code == 201, r.text


async def test_R_12_1_a_type_outside_the_allow_list_is_refused_naming_what_was_found(
    client, keys, staff, clock
):
    w = await start(client, staff, clock)
    before = await stored_counts_of(client, keys, w.id)
    r = await upload(
        client, keys[Role.REGISTRAR], w.id, b"MZ\x90\x00" + bytes(5000), name="scan.pdf"
    )
    assert r.status_code == 415, r.text
    assert "application/octet-stream" in r.json()["detail"]
    r = await upload(client, keys[Role.REGISTRAR], w.id, b"PK\x03\x04" + bytes(100), name="a.docx")
    assert r.status_code == 415 and "application/zip" in r.json()["detail"]
    assert await stored_counts_of(client, keys, w.id) == before
    # The type is the bytes', not the name's: a PNG named .pdf is kept as a PNG.
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    r = await upload(client, keys[Role.REGISTRAR], w.id, png, name="scan.pdf")
    assert r.status_code == 201 and r.json()["content_type"] == "image/png"
    text = "Ариза матни — UTF-8.\n".encode() * 10_000
    r = await upload(client, keys[Role.REGISTRAR], w.id, text, name="a.txt")
    assert r.status_code == 201 and r.json()["content_type"] == "text/plain; charset=utf-8"
    r = await upload(client, keys[Role.REGISTRAR], w.id, text + b"\xff\xfe", name="b.txt")
    assert r.status_code == 415, r.text
    r = await upload(client, keys[Role.REGISTRAR], w.id, png, kind="photo")
    assert r.status_code == 422 and "kind" in r.json()["detail"]


async def stored_counts_of(client, keys, appeal_id):
    r = await client.get(
        f"/api/v1/appeals/{appeal_id}/documents", headers=auth(keys[Role.REGISTRAR])
    )
    return len(r.json()["items"])


async def test_R_12_1_an_executor_of_another_unit_gets_404(client, keys, staff, clock):
    w = await start(client, staff, clock)
    await w.act(Role.MANAGER, "resolve", {"units": [LEAD], "instruction": "Answer."})
    r = await upload(client, staff.lead, w.id, pdf(1000), kind="consideration_material")
    assert r.status_code == 201, r.text
    document = r.json()["id"]
    for token in (staff.second, keys[Role.EXECUTOR]):
        assert (
            await client.get(f"/api/v1/appeals/{w.id}/documents", headers=auth(token))
        ).status_code == 404
        assert (await upload(client, token, w.id, pdf(1000))).status_code == 404
        got, _ = await download(client, token, document)
        assert got.status_code == 404
    got, body = await download(client, staff.lead, document)
    assert got.status_code == 200 and len(body) == 1000


async def test_R_12_1_a_confidential_appeals_document_download_is_logged(
    client, keys, staff, clock
):
    w = await start(client, staff, clock, confidential=True)
    r = await upload(client, keys[Role.REGISTRAR], w.id, pdf(5000))
    document = r.json()["id"]

    got, _ = await download(client, keys[Role.MANAGER], document)
    assert got.status_code == 200
    got, _ = await download(client, keys[Role.SUPERVISOR], document)
    assert got.status_code == 403 and "R-8.2" in got.json()["detail"]
    listed = await client.get(
        f"/api/v1/appeals/{w.id}/documents", headers=auth(keys[Role.SUPERVISOR])
    )
    assert listed.status_code == 403

    log = await client.get(
        "/api/v1/access-log", params={"appeal_id": w.id}, headers=auth(keys[Role.SUPERVISOR])
    )
    assert [(e["role"], e["via"]) for e in log.json()["items"]] == [("manager", "document")]


async def test_R_12_1_withdrawal_keeps_the_record_with_its_reason(client, keys, staff, clock):
    w = await start(client, staff, clock)
    data = pdf(2000)
    document = (await upload(client, keys[Role.REGISTRAR], w.id, data)).json()["id"]
    url = f"/api/v1/documents/{document}/withdraw"
    r = await client.post(
        url, json={"reason": "Attached to the wrong appeal."}, headers=auth(staff.lead)
    )
    assert r.status_code == 403
    r = await client.post(
        url, json={"reason": "Attached to the wrong appeal."}, headers=auth(keys[Role.REGISTRAR])
    )
    assert r.status_code == 200, r.text
    assert r.json()["withdrawn"] is True
    assert r.json()["withdrawal_reason"] == "Attached to the wrong appeal."
    assert r.json()["withdrawn_by"].endswith("(registrar)")
    again = await client.post(url, json={"reason": "Twice."}, headers=auth(keys[Role.MANAGER]))
    assert again.status_code == 409

    listed = (
        await client.get(f"/api/v1/appeals/{w.id}/documents", headers=auth(keys[Role.REGISTRAR]))
    ).json()
    assert [(d["id"], d["withdrawn"]) for d in listed["items"]] == [(document, True)]
    got, body = await download(client, keys[Role.REGISTRAR], document)
    assert got.status_code == 200 and body == data
    history = (
        await client.get(f"/api/v1/appeals/{w.id}/history", headers=auth(keys[Role.REGISTRAR]))
    ).json()
    actions = [(h["action"], h.get("note")) for h in history["items"]]
    assert ("document_added", None) in actions
    assert ("document_withdrawn", "Attached to the wrong appeal.") in actions


async def test_R_12_1_the_json_body_limit_still_applies_to_other_routes(client, keys, staff, clock):
    w = await start(client, staff, clock)
    big = {"text": "x" * (MiB + 10)}
    r = await client.post("/api/v1/appeals", json=big, headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 413
    r = await client.post(
        f"/api/v1/appeals/{w.id}/actions/resolve", json=big, headers=auth(keys[Role.MANAGER])
    )
    assert r.status_code == 413
    r = await upload(client, keys[Role.REGISTRAR], w.id, pdf(2 * MiB))
    assert r.status_code == 201, r.text


async def test_R_12_1_a_retried_upload_with_the_same_idempotency_key_gives_one_document(
    client, keys, staff, clock, settings
):
    # The website: the appeal first (JSON), then each file with a key of its own.
    made = await client.post(
        "/api/v1/appeals",
        json=appeal_body(),
        headers=auth(keys[Role.INTAKE]) | {"Idempotency-Key": "appeal-1"},
    )
    assert made.status_code == 201, made.text
    appeal = made.json()["id"]
    data = pdf(300_000)
    first = await upload(client, keys[Role.INTAKE], appeal, data, key="file-1")
    assert first.status_code == 201, first.text
    before = await stored_counts(settings)
    second = await upload(client, keys[Role.INTAKE], appeal, data, key="file-1")
    assert second.status_code == 201 and second.headers["idempotent-replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]
    assert await stored_counts(settings) == before
    other = await upload(client, keys[Role.INTAKE], appeal, pdf(1000), key="file-1")
    assert other.status_code == 422
    listed = await client.get(
        f"/api/v1/appeals/{appeal}/documents", headers=auth(keys[Role.REGISTRAR])
    )
    assert len(listed.json()["items"]) == 1
    # An intake key reaches only the appeals it registered.
    w = await start(client, staff, clock)
    assert (await upload(client, keys[Role.INTAKE], w.id, data)).status_code == 404
