"""The control report for the head of secretariat (R-9.2): overdue and soon-due stages per
unit and named executor, as JSON and CSV, with no personal data."""

from __future__ import annotations

import csv
import io

from appeals_api.auth.roles import Role
from tests.helpers import at_tashkent, auth
from tests.helpers.lifecycle import Staff, start

UNIT_A, UNIT_B = "CR-A", "CR-B"


async def test_R_9_2_control_report_per_unit_and_executor(client, keys, make_key, clock):
    admin = auth(keys[Role.ADMIN])
    for code in (UNIT_A, UNIT_B):
        r = await client.post("/api/v1/units", json={"code": code, "name": code}, headers=admin)
        assert r.status_code in (201, 409)
    staff = Staff(
        keys=keys,
        lead=await make_key(Role.EXECUTOR, unit=UNIT_A),
        second=await make_key(Role.EXECUTOR, unit=UNIT_B),
    )
    clock.set(at_tashkent(2026, 2, 6))  # a Friday; answers due 2026-02-21 (Saturday → 02-23)
    late = await start(
        client, staff, clock, applicants=[{"type": "individual", "last_name": "Secret"}]
    )
    await late.act(
        Role.MANAGER,
        "resolve",
        {
            "units": [UNIT_A, UNIT_B],
            "instruction": "Answer.",
            "executors": [{"unit": UNIT_A, "name": "B. Umarov"}],
        },
    )
    clock.set(at_tashkent(2026, 2, 18))  # a Wednesday; answers due 2026-03-05
    soon = await start(client, staff, clock)
    await soon.act(Role.MANAGER, "resolve", {"units": [UNIT_A], "instruction": "Answer."})
    answered = await start(client, staff, clock)
    await answered.act(Role.MANAGER, "resolve", {"units": [UNIT_A], "instruction": "Answer."})
    clock.set(at_tashkent(2026, 3, 2))  # late is 7 days overdue; soon is due in 3 working days
    ours = {late.id, soon.id, answered.id}
    await answered.out_by_letter("forward", {"body": "Ministry"})

    r = await client.get("/api/v1/reports/control", headers=auth(keys[Role.SUPERVISOR]))
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["as_of"] == "2026-03-02" and report["soon_working_days"] == 3
    rows = [row for row in report["rows"] if row["appeal_id"] in ours]
    assert answered.id not in {row["appeal_id"] for row in rows}  # nothing open: not listed
    answer_rows = {
        (row["unit"], row["executor"], row["appeal_id"]): row
        for row in rows
        if row["rule"] == "answer"
    }
    late_a = answer_rows[(UNIT_A, "B. Umarov", late.id)]
    assert late_a["overdue"] and late_a["lead"] and late_a["days_overdue"] == 7
    assert late_a["number"] == late.appeal["number"]
    late_b = answer_rows[(UNIT_B, None, late.id)]
    assert late_b["overdue"] and not late_b["lead"]
    soon_a = answer_rows[(UNIT_A, None, soon.id)]
    assert not soon_a["overdue"] and soon_a["working_days_left"] == 3
    groups = {
        (g["unit"], g["executor"]): g for g in report["groups"] if g["unit"] in (UNIT_A, UNIT_B)
    }
    # Never dispatched: the dispatch stage is overdue as well as the answer.
    assert groups[(UNIT_A, "B. Umarov")] == {
        "unit": UNIT_A,
        "executor": "B. Umarov",
        "overdue": 2,
        "due_soon": 0,
    }
    assert groups[(UNIT_B, None)]["overdue"] == 2
    assert (groups[(UNIT_A, None)]["overdue"], groups[(UNIT_A, None)]["due_soon"]) == (1, 1)
    assert "Secret" not in r.text  # no personal data in the report

    r = await client.get(
        "/api/v1/reports/control",
        params={"format": "csv", "lang": "en"},
        headers=auth(keys[Role.MANAGER]),
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(r.text)))
    mine = [t for t in table if t["Appeal ID"] == late.id and t["Deadline"] == "answer (15 days)"]
    assert {t["Unit"] for t in mine} == {UNIT_A, UNIT_B}

    for role in (Role.ANALYST, Role.EXECUTOR, Role.INTAKE):
        r = await client.get("/api/v1/reports/control", headers=auth(keys[role]))
        assert r.status_code == 403
