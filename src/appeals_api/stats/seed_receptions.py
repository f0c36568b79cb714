"""The demo's receptions (R-11): a schedule around today, personal receptions and mass
reception protocols, some linked to seeded reception appeals. Its own random stream, so the
appeals the seeder makes stay the same for a given seed."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

SEEDER = "demo seeder"
OFFICIALS = (
    ("B. Yusupov", "Chairman of the Board"),
    ("A. Karimov", "Deputy Chairman of the Board"),
    ("N. Saidova", "Head of the Appeals Department"),
)
PLACE = "Almalyk, Amir Temur street 53"
PEOPLE = (
    ("Toshmatov Bekzod", "Almalyk, 5th district"),
    ("Rahimova Dilnoza", "Almalyk, Navoi street 12"),
    ("Ergashev Sardor", "Olmaliq, Mustaqillik 3"),
    ("Qodirova Malika", "Ohangaron, Bog'ishamol 7"),
)
MATTERS = (
    "Asked about the bus schedule to the mine.",
    "Asked how to apply for a job at the concentrator.",
    "Asked about the dates of the summer camp for children.",
)

_SCHEDULE = text(
    """INSERT INTO reception_schedule (id, official_name, official_post, kind, starts_at,
    ends_at, place, note, weekly, cancelled_at, cancelled_by, created_at, created_by, updated_at)
    VALUES (:id, :name, :post, :kind, :starts, :ends, :place, NULL, CAST(:weekly AS jsonb),
            :cancelled, :cancelled_by, :now, :by, :now)"""
)
_RECEPTIONS = text(
    """SELECT id, received_at, applicants, text FROM appeals
    WHERE channel = :channel AND reception_id IS NULL ORDER BY received_at DESC LIMIT :n"""
)
_PERSONAL = text(
    """INSERT INTO personal_receptions (id, schedule_id, received_at, official, person,
    identity_document, recording_notice, matter, result, competent_body,
    written_answer_requested, note, appeal_id, created_at, created_by)
    VALUES (:id, NULL, :at, CAST(:official AS jsonb), CAST(:person AS jsonb),
            CAST(:document AS jsonb), :notice, :matter, :result, :body, false, NULL, :appeal,
            :at, :by)"""
)
_PROTOCOL = text(
    """INSERT INTO reception_protocols (id, schedule_id, held_on, place, officials, created_at,
    created_by) VALUES (:id, NULL, :held_on, :place, CAST(:officials AS jsonb), :now, :by)"""
)
_ENTRY = text(
    """INSERT INTO reception_protocol_entries (id, protocol_id, position, name, residence,
    summary, result, resolved_on_the_spot, appeal_id)
    VALUES (:id, :protocol, :position, :name, :residence, :summary, :result, :spot, :appeal)"""
)
# The seeder makes its appeals as they would have been registered at the reception.
_LINK = text("UPDATE appeals SET reception_id = :reception WHERE id = :appeal")


async def seed_receptions(
    engine: AsyncEngine, *, seed: int | None, today: date, tz: ZoneInfo
) -> int:
    """A schedule, personal receptions and protocols; answers how many records it made."""
    rng = random.Random(f"receptions-{seed}")
    now = datetime.combine(today, time(9), tzinfo=tz)
    made = 0
    async with engine.begin() as conn:
        for i, (name, post) in enumerate(OFFICIALS):
            starts = datetime.combine(today + timedelta(days=i + 1), time(10), tzinfo=tz)
            weekly = {"weekday": starts.isoweekday(), "until": str(today + timedelta(days=180))}
            await conn.execute(_SCHEDULE, {
                "id": uuid.uuid4(), "name": name, "post": post,
                "kind": ("personal", "mass", "video")[i], "starts": starts,
                "ends": starts + timedelta(hours=2), "place": PLACE,
                "weekly": json.dumps(weekly) if i != 1 else None,
                "cancelled": now if i == 2 else None, "cancelled_by": SEEDER if i == 2 else None,
                "now": now, "by": SEEDER,
            })  # fmt: skip
            made += 1
        made += await _personal(conn, rng)
        made += await _protocols(conn, rng, today=today, now=now)
    return made


async def _personal(conn: AsyncConnection, rng: random.Random) -> int:
    rows = (await conn.execute(_RECEPTIONS, {"channel": "personal_reception", "n": 5})).all()
    for row in rows:
        reception = uuid.uuid4()
        name, post = rng.choice(OFFICIALS)
        person = row.applicants[0] if row.applicants else {"type": "individual"}
        await conn.execute(_PERSONAL, {
            "id": reception, "at": row.received_at,
            "official": json.dumps({"name": name, "post": post}), "person": json.dumps(person),
            "document": json.dumps({"type": "passport", "number": f"AB{rng.randrange(10**7):07d}"}),
            "notice": rng.random() < 0.3, "matter": row.text[:300], "result": "appeal_registered",
            "body": None, "appeal": row.id, "by": SEEDER,
        })  # fmt: skip
        await conn.execute(_LINK, {"reception": reception, "appeal": row.id})
    return len(rows)


async def _protocols(
    conn: AsyncConnection, rng: random.Random, *, today: date, now: datetime
) -> int:
    """Two protocols: three matters resolved on the spot each (R-1.7), and the seeded
    mass-reception appeals linked as the entries registered."""
    appeals = (await conn.execute(_RECEPTIONS, {"channel": "mass_reception", "n": 4})).all()
    for p in range(2):
        protocol = uuid.uuid4()
        await conn.execute(_PROTOCOL, {
            "id": protocol, "held_on": today - timedelta(days=7 * (p + 1)), "place": PLACE,
            "officials": json.dumps([{"name": OFFICIALS[0][0], "post": OFFICIALS[0][1]}]),
            "now": now, "by": SEEDER,
        })  # fmt: skip
        entries = [
            (name, residence, rng.choice(MATTERS), None)
            for name, residence in rng.sample(PEOPLE, 3)
        ]
        for row in appeals[2 * p : 2 * p + 2]:
            applicant = row.applicants[0] if row.applicants else {}
            name = " ".join(filter(None, (applicant.get("last_name"), applicant.get("first_name"))))
            entries.append((name or "—", applicant.get("address") or "—", row.text[:300], row.id))
        for position, (name, residence, summary, appeal) in enumerate(entries, 1):
            await conn.execute(_ENTRY, {
                "id": uuid.uuid4(), "protocol": protocol, "position": position, "name": name,
                "residence": residence, "summary": summary,
                "result": "Registered as an appeal." if appeal else "Explained on the spot.",
                "spot": appeal is None, "appeal": appeal,
            })  # fmt: skip
            if appeal is not None:
                await conn.execute(_LINK, {"reception": protocol, "appeal": appeal})
    return 2
