"""Logs never carry applicant personal data or API keys (R-8.2, issue 5): a canary name goes
through intake, reading, the lifecycle, errors and the worker's watch with SQL logging on."""

from __future__ import annotations

import logging

from appeals_api.auth.roles import Role
from appeals_api.control import service as control_service
from tests.helpers import appeal_body, at_tashkent, auth
from tests.helpers.lifecycle import LEAD, make_staff

CANARY = "Qwertyuiopcanary"
CANARY_ADDRESS = "Canarystreet 77"


async def test_canary_personal_data_and_keys_never_reach_the_logs(
    app, client, keys, make_key, caplog
):
    caplog.set_level(logging.DEBUG)
    # The test client's own request log is not the service's: the service logs access lines
    # through uvicorn, redacted (see the test below).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # An operator debugging with SQL logging on must still not see applicants' data.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    try:
        staff = await make_staff(client, keys, make_key)
        person = {
            "type": "individual",
            "last_name": CANARY,
            "first_name": CANARY,
            "address": CANARY_ADDRESS,
            "email": f"{CANARY.lower()}@example.org",
        }
        h = auth(keys[Role.REGISTRAR])
        r = await client.post("/api/v1/appeals", json=appeal_body(applicants=[person]), headers=h)
        assert r.status_code == 201
        appeal = r.json()
        bad = appeal_body(applicants=[{**person, "nickname": CANARY}])
        assert (await client.post("/api/v1/appeals", json=bad, headers=h)).status_code == 422
        assert (await client.get(f"/api/v1/appeals/{appeal['id']}", headers=h)).status_code == 200
        card = await client.get(
            f"/api/v1/appeals/{appeal['id']}/card", headers={**h, "Accept": "text/html"}
        )
        assert CANARY in card.text  # the data is there for those entitled to it
        base = f"/api/v1/appeals/{appeal['id']}/actions"
        steps = [
            (keys[Role.MANAGER], "resolve", {"units": [LEAD], "instruction": "Answer."}),
            (keys[Role.REGISTRAR], "dispatch", {}),
            (staff.lead, "accept", {}),
            (staff.lead, "respond", {"outcome": "explained", "text": f"Dear {CANARY}, ..."}),
            (keys[Role.MANAGER], "sign", {}),
            (keys[Role.REGISTRAR], "send", {"letter_number": "1"}),
        ]
        for key, name, body in steps:
            r = await client.post(f"{base}/{name}", json=body, headers=auth(key))
            assert r.status_code == 200, (name, r.text)
        await client.get(
            f"/api/v1/public/appeals/{appeal['year']}/{appeal['seq']}",
            params={"code": appeal["tracking_code"]},
        )
        async with app.state.sessionmaker() as session, session.begin():
            await control_service.watch(session, app.state.settings, now=at_tashkent(2026, 6, 1))
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    text = caplog.text
    # SQL logging really was on (the letter quoting the applicant went through it): it can fail
    assert "INSERT INTO appeal_letters" in text
    for secret in (CANARY, CANARY.lower(), CANARY_ADDRESS, appeal["tracking_code"]):
        assert secret not in text, f"{secret!r} leaked into the logs"
    for role, key in keys.items():
        assert key not in text, f"the {role} key leaked into the logs"


def test_R_8_1_access_log_lines_show_the_tracking_code_redacted(app, caplog):
    """uvicorn's access line for the status lookup must not carry the tracking code."""
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d',
        "10.0.0.7:5123",
        "GET",
        "/api/v1/public/appeals/2026/17?code=9QVLK7N6CS7B&x=1",
        "1.1",
        200,
    )
    assert "9QVLK7N6CS7B" not in caplog.text
    assert "/api/v1/public/appeals/2026/17?code=[redacted]&x=1" in caplog.text
