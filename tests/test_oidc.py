"""People signed in through OpenID Connect act under their own name (issue 17, part 4):
`Authorization: Bearer <JWT>` beside API keys, verified against the issuer's JWKS served by a
real local HTTP server, with keys made here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import jwt
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from appeals_api.auth.roles import Role
from appeals_api.clock import FrozenClock
from appeals_api.config import Settings
from tests.helpers import KeyMaker, appeal_body, auth
from tests.helpers.apps import app_client
from tests.helpers.lifecycle import LEAD, Staff, Walk, make_staff
from tests.helpers.oidc import AUDIENCE, ISSUER, Issuer, rsa_key, token

pytestmark = pytest.mark.asyncio

REGISTRAR = "Karimova Dilnoza Anvarovna"
MANAGER = "Yusupov Bahodir Ergashevich"
EXECUTOR = "Rahimov Sardor Olimovich"


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    started = Issuer(published={"k1": rsa_key()}).start()
    yield started
    started.stop()


@pytest_asyncio.fixture
async def client(
    settings: Settings, clock: FrozenClock, issuer: Issuer
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(settings, clock, **issuer.settings()) as c:
        yield c


def signed(issuer: Issuer, clock: FrozenClock, kid: str = "k1", **claims: Any) -> str:
    return token(issuer.published[kid], kid, now=clock(), **claims)


async def people(
    client: httpx.AsyncClient, keys: dict[Role, str], make_key: KeyMaker, issuer: Issuer, clock
) -> Staff:
    """A registrar, a manager and the lead unit's executor signed in; other roles keep keys."""
    staff = await make_staff(client, keys, make_key)
    staff.keys = {
        **keys,
        Role.REGISTRAR: signed(issuer, clock, sub="u-reg", name=REGISTRAR, role="registrar"),
        Role.MANAGER: signed(issuer, clock, sub="u-mgr", name=MANAGER, role="manager"),
    }
    staff.lead = signed(issuer, clock, sub="u-exe", name=EXECUTOR, role="executor", unit=LEAD)
    return staff


async def test_R_9_5_a_person_registers_and_resolves_and_the_history_names_them(
    client, keys, make_key, issuer, clock, settings
):
    staff = await people(client, keys, make_key, issuer, clock)
    r = await client.post(
        "/api/v1/appeals", json=appeal_body(), headers=auth(staff.keys[Role.REGISTRAR])
    )
    assert r.status_code == 201, r.text
    walk = Walk(client=client, staff=staff, clock=clock, id=r.json()["id"], appeal=r.json())
    await walk.route(LEAD)
    await walk.answer()
    history = await walk.history()
    by_action = {h["action"]: (h["actor"], h["actor_role"]) for h in history}
    assert by_action["registered"] == (REGISTRAR, "registrar")
    assert by_action["resolve"] == (MANAGER, "manager")
    assert by_action["accept"] == (EXECUTOR, "executor")
    assert by_action["sign"] == (MANAGER, "manager")
    assert by_action["send"] == (REGISTRAR, "registrar")
    letters = await client.get(
        f"/api/v1/appeals/{walk.id}/letters", headers=auth(keys[Role.SUPERVISOR])
    )
    assert {item["signed_by"] for item in letters.json()["items"]} == {f"{MANAGER} (manager)"}
    card = await client.get(f"/api/v1/appeals/{walk.id}/card", headers=auth(keys[Role.SUPERVISOR]))
    assert f"{MANAGER} (manager)" in card.text and f"{EXECUTOR} (executor)" in card.text
    # The person's read by id (the hot statement) and the chain of their entries holds.
    assert (await walk.read(Role.REGISTRAR))["id"] == walk.id
    audit = await client.get("/api/v1/audit/verify", headers=auth(keys[Role.SUPERVISOR]))
    assert audit.status_code == 200 and audit.json()["findings"] == [], audit.text
    # The history's actor id names the person at the issuer (`people`), as the appeal's creator.
    connection = await asyncpg.connect(settings.database_url)
    try:
        rows = await connection.fetch(
            "SELECT DISTINCT p.issuer, p.subject, p.name FROM appeal_history h"
            " JOIN people p ON p.id = h.actor_id WHERE h.appeal_id = $1",
            uuid.UUID(walk.id),
        )
        creator = await connection.fetchval(
            "SELECT p.subject FROM appeals a JOIN people p ON p.id = a.created_by WHERE a.id = $1",
            uuid.UUID(walk.id),
        )
    finally:
        await connection.close()
    assert {(r["subject"], r["name"]) for r in rows} == {
        ("u-reg", REGISTRAR), ("u-mgr", MANAGER), ("u-exe", EXECUTOR),
    }  # fmt: skip
    assert {r["issuer"] for r in rows} == {ISSUER} and creator == "u-reg"


async def test_R_1_8_a_persons_retry_with_a_fresh_token_is_answered_once(
    client, keys, issuer, clock
):
    """Idempotency keys off the person, not the token: a retry after the token was refreshed
    gets the first answer."""
    body, key = appeal_body(), {"Idempotency-Key": "person-retry-1"}
    first = await client.post(
        "/api/v1/appeals", json=body, headers={**auth(signed(issuer, clock, sub="u-idem")), **key}
    )
    clock.set(clock() + timedelta(seconds=30))
    again = await client.post(
        "/api/v1/appeals", json=body, headers={**auth(signed(issuer, clock, sub="u-idem")), **key}
    )
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["number"] == first.json()["number"]
    assert again.headers["Idempotent-Replayed"] == "true"


def _tampered(value: str) -> str:
    header, payload, signature = value.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["appeals_role"] = "admin"
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


def _unsigned(clock: FrozenClock) -> str:
    now = int(clock().timestamp())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "u-x",
        "exp": now + 300,
        "appeals_role": "admin",
    }
    return jwt.encode(claims, None, algorithm="none", headers={"kid": "k1"})


def _hmac_with_public_key(issuer: Issuer, clock: FrozenClock) -> str:
    """HS256 "signed" with the issuer's public key (PEM) as the secret: the classic confusion,
    made by hand since the library refuses to make it."""
    public = issuer.published["k1"].public_key()
    secret = public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    now = int(clock().timestamp())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "u-x",
        "exp": now + 300,
        "appeals_role": "admin",
    }
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
    body = _b64(json.dumps(claims).encode())
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(mac)}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


BAD_TOKENS = {
    "expired": lambda i, c: signed(i, c, lifetime=-120),
    "not yet valid": lambda i, c: signed(i, c, nbf=int(c().timestamp()) + 600),
    "wrong audience": lambda i, c: signed(i, c, aud="another-service"),
    "wrong issuer": lambda i, c: signed(i, c, iss="https://evil.example/realms/ammc"),
    "unknown kid": lambda i, c: token(rsa_key(), "k-nobody", now=c()),
    "tampered": lambda i, c: _tampered(signed(i, c, role="registrar")),
    "alg none": lambda i, c: _unsigned(c),
    "HS256 with the public key": _hmac_with_public_key,
    "no expiry": lambda i, c: signed(i, c, exp=None),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_a_token_that_does_not_hold_is_401(client, issuer, clock, case):
    good = await client.get("/api/v1/units", headers=auth(signed(issuer, clock)))
    assert good.status_code == 200, good.text  # the same issuer's good token holds
    bad = BAD_TOKENS[case](issuer, clock)
    r = await client.get("/api/v1/units", headers=auth(bad))
    assert r.status_code == 401, (case, r.text)
    r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(bad))
    assert r.status_code == 401, (case, r.text)


async def test_within_the_leeway_a_token_still_holds(client, issuer, clock):
    r = await client.get("/api/v1/units", headers=auth(signed(issuer, clock, lifetime=-30)))
    assert r.status_code == 200, r.text


async def test_a_role_not_ours_or_an_executor_without_a_unit_is_403(client, issuer, clock):
    for claims in ({"role": "janitor"}, {"role": None}, {"role": "executor"}):
        r = await client.get("/api/v1/units", headers=auth(signed(issuer, clock, **claims)))
        assert r.status_code == 403, (claims, r.text)
    nowhere = signed(issuer, clock, role="executor", unit="NO-SUCH-UNIT")
    r = await client.get("/api/v1/appeals", headers=auth(nowhere))
    assert r.status_code == 403, r.text


async def test_rotation_a_new_kid_is_honoured_without_a_restart(client, issuer, clock):
    assert (
        await client.get("/api/v1/units", headers=auth(signed(issuer, clock)))
    ).status_code == 200
    issuer.published["k2"] = ec.generate_private_key(ec.SECP256R1())  # the issuer rotates
    r = await client.get("/api/v1/units", headers=auth(signed(issuer, clock, kid="k2")))
    assert r.status_code == 200, r.text
    del issuer.published["k2"]


async def test_a_flood_of_unknown_kids_fetches_the_jwks_at_most_once_per_floor(
    settings, clock, issuer
):
    async with app_client(
        settings, clock, **{**issuer.settings(), "oidc_jwks_min_refresh_seconds": 3600}
    ) as c:
        assert (
            await c.get("/api/v1/units", headers=auth(signed(issuer, clock)))
        ).status_code == 200
        before = issuer.fetches
        stranger = rsa_key()
        for n in range(20):
            r = await c.get("/api/v1/units", headers=auth(token(stranger, f"k-{n}", now=clock())))
            assert r.status_code == 401
        assert issuer.fetches == before


async def test_R_4_3_an_executors_unit_from_the_claim_limits_what_they_see(
    client, keys, make_key, issuer, clock
):
    staff = await people(client, keys, make_key, issuer, clock)
    mine = Walk(client=client, staff=staff, clock=clock, id="", appeal={})
    for walk_id in ("mine", "theirs"):
        r = await client.post(
            "/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.REGISTRAR])
        )
        assert r.status_code == 201, r.text
        walk = Walk(client=client, staff=staff, clock=clock, id=r.json()["id"], appeal=r.json())
        if walk_id == "mine":
            await walk.route(LEAD)
            mine = walk
        else:
            theirs = walk
            await walk.route("LC-SECOND")
    person = auth(staff.lead)
    listed = await client.get("/api/v1/appeals", headers=person)
    assert listed.status_code == 200, listed.text
    seen = {a["id"] for a in listed.json()["items"]}
    assert mine.id in seen and theirs.id not in seen
    assert (await client.get(f"/api/v1/appeals/{mine.id}", headers=person)).status_code == 200
    assert (await client.get(f"/api/v1/appeals/{theirs.id}", headers=person)).status_code == 404


async def test_without_oidc_configured_a_jwt_goes_the_api_key_way(settings, clock, issuer):
    async with app_client(settings, clock) as c:
        headers = {**auth(signed(issuer, clock)), "Accept-Language": "en"}
        r = await c.get("/api/v1/units", headers=headers)
    assert r.status_code == 401
    assert "API key" in r.json()["detail"]  # the key's problem, not a token's


async def test_R_8_2_a_persons_read_of_a_confidential_appeal_is_logged_under_their_name(
    client, keys, issuer, clock
):
    body = appeal_body(confidential=True)
    r = await client.post("/api/v1/appeals", json=body, headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 201, r.text
    appeal_id = r.json()["id"]
    manager = signed(issuer, clock, sub="u-mgr-2", name=MANAGER, role="manager")
    read = await client.get(f"/api/v1/appeals/{appeal_id}", headers=auth(manager))
    assert read.status_code == 200, read.text
    assert read.json()["applicants"][0]["last_name"] == "Karimov"  # unmasked: a manager
    log = await client.get(
        "/api/v1/access-log", params={"appeal_id": appeal_id}, headers=auth(keys[Role.SUPERVISOR])
    )
    assert log.status_code == 200, log.text
    assert [(i["principal"], i["role"]) for i in log.json()["items"]] == [
        (f"{MANAGER} (manager)", "manager")
    ]


async def test_R_6_4_a_persons_signed_link_opens_the_card_without_a_header(
    client, keys, issuer, clock
):
    r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 201, r.text
    path = f"/api/v1/appeals/{r.json()['id']}/card"
    registrar = signed(issuer, clock, sub="u-reg-link", name=REGISTRAR, role="registrar")
    link = await client.post("/api/v1/links", json={"path": path}, headers=auth(registrar))
    assert link.status_code == 200, link.text
    parts = httpx.URL(link.json()["url"])
    page = await client.get(f"{parts.path}?{parts.query.decode()}")  # no Authorization header
    assert page.status_code == 200, page.text
    assert "text/html" in page.headers["content-type"]
