"""The classifier of questions (R-13.1): the directory, and the topics an appeal carries."""

from __future__ import annotations

from appeals_api.auth.roles import Role
from tests.helpers import appeal_body, auth

NAMES = {"uz": "Yoʻllar", "uz-Cyrl": "Йўллар", "ru": "Дороги", "en": "Roads"}


async def _add(client, keys, code: str, **extra):
    body = {"code": code, "names": NAMES, **extra}
    return await client.post("/api/v1/topics", json=body, headers=auth(keys[Role.ADMIN]))


async def test_R_13_1_the_starting_classifier_is_there_in_four_languages(client, keys):
    r = await client.get("/api/v1/topics", headers=auth(keys[Role.EXECUTOR]))
    assert r.status_code == 200, r.text
    topics = {t["code"]: t for t in r.json()["items"]}
    assert {"01", "02", "03", "04", "05", "06", "07", "08", "99"} <= set(topics)
    assert topics["02.01"]["parent"] == "02"
    corruption = topics["08"]
    assert corruption["lead_unit"] == "COMPLIANCE"
    assert corruption["confidential"] is True
    assert corruption["names"] == {
        "uz": "Korrupsiya va manfaatlar toʻqnashuvi",
        "uz-Cyrl": "Коррупция ва манфаатлар тўқнашуви",
        "ru": "Коррупция и конфликт интересов",
        "en": "Corruption and conflict of interest",
    }
    units = await client.get("/api/v1/units", headers=auth(keys[Role.EXECUTOR]))
    assert "COMPLIANCE" in {u["code"] for u in units.json()["items"]}


async def test_R_13_1_the_admin_adds_a_topic_under_an_existing_parent_only(client, keys):
    assert (await _add(client, keys, "41")).status_code == 201
    child = await _add(client, keys, "41.01", lead_unit="TEST-UNIT", confidential=True)
    assert child.status_code == 201, child.text
    assert child.json()["parent"] == "41"
    orphan = await _add(client, keys, "42.01")
    assert orphan.status_code == 422
    assert "R-13.1" in orphan.json()["detail"]
    assert (await _add(client, keys, "41")).status_code == 409
    assert (await _add(client, keys, "4x")).status_code == 422
    assert (await _add(client, keys, "43", lead_unit="NO-SUCH")).status_code == 422
    registrar = await client.post(
        "/api/v1/topics", json={"code": "44", "names": NAMES}, headers=auth(keys[Role.REGISTRAR])
    )
    assert registrar.status_code == 403


async def test_R_13_1_patch_changes_names_and_defaults_never_the_code(client, keys):
    await _add(client, keys, "45", lead_unit="TEST-UNIT")
    admin = auth(keys[Role.ADMIN])
    names = NAMES | {"en": "Roads and bridges"}
    r = await client.patch(
        "/api/v1/topics/45", json={"names": names, "lead_unit": None}, headers=admin
    )
    assert r.status_code == 200, r.text
    assert r.json()["names"]["en"] == "Roads and bridges"
    assert r.json()["lead_unit"] is None
    moved = await client.patch("/api/v1/topics/45", json={"code": "46"}, headers=admin)
    assert moved.status_code == 422
    missing = await client.patch("/api/v1/topics/47", json={}, headers=admin)
    assert missing.status_code == 404


async def test_R_13_1_a_retired_topic_stays_on_old_appeals_and_is_refused_on_new_ones(client, keys):
    await _add(client, keys, "48")
    registrar, admin = auth(keys[Role.REGISTRAR]), auth(keys[Role.ADMIN])
    old = await client.post(
        "/api/v1/appeals", json=appeal_body(topics=["48", "05"]), headers=registrar
    )
    assert old.status_code == 201, old.text
    assert old.json()["topics"] == ["48", "05"]
    r = await client.post("/api/v1/topics/48/retire", json={"reason": "Merged"}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False and r.json()["retired_reason"] == "Merged"
    again = await client.post("/api/v1/topics/48/retire", json={"reason": "x"}, headers=admin)
    assert again.status_code == 409
    new = await client.post("/api/v1/appeals", json=appeal_body(topics=["48"]), headers=registrar)
    assert new.status_code == 422
    assert new.json()["errors"][0]["type"] == "retired_topic"
    unknown = await client.post(
        "/api/v1/appeals", json=appeal_body(topics=["05", "77"]), headers=registrar
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [
        {"field": "topics[1]", "message": "no such topic", "type": "unknown_topic"}
    ]
    read = await client.get(f"/api/v1/appeals/{old.json()['id']}", headers=registrar)
    assert read.json()["topics"] == ["48", "05"]
    active = await client.get("/api/v1/topics", headers=registrar)
    assert "48" not in {t["code"] for t in active.json()["items"]}
    every = await client.get("/api/v1/topics?include_retired=true", headers=registrar)
    assert "48" in {t["code"] for t in every.json()["items"]}


async def test_R_13_2_the_list_filters_by_topic_a_parent_matching_its_sub_topics(client, keys):
    registrar = auth(keys[Role.REGISTRAR])
    made = {}
    for name, codes in {"wages": ["01"], "arrears": ["01.01", "03"], "dust": ["03.01"]}.items():
        r = await client.post("/api/v1/appeals", json=appeal_body(topics=codes), headers=registrar)
        made[name] = r.json()["id"]

    async def listed(code: str) -> set[str]:
        r = await client.get(f"/api/v1/appeals?topic={code}&limit=1000", headers=registrar)
        assert r.status_code == 200, r.text
        return {a["id"] for a in r.json()["items"]}

    assert {made["wages"], made["arrears"]} <= await listed("01")
    assert made["dust"] not in await listed("01")
    assert made["arrears"] in await listed("01.01") and made["wages"] not in await listed("01.01")
    assert {made["arrears"], made["dust"]} <= await listed("03")
    bad = await client.get("/api/v1/appeals?topic=drop", headers=registrar)
    assert bad.status_code == 422


async def test_R_13_1_the_registrar_corrects_the_topics_with_a_reason_in_the_history(client, keys):
    registrar = auth(keys[Role.REGISTRAR])
    made = await client.post("/api/v1/appeals", json=appeal_body(topics=["05"]), headers=registrar)
    appeal_id = made.json()["id"]
    await _add(client, keys, "49")
    await client.post(
        "/api/v1/topics/49/retire", json={"reason": "x"}, headers=auth(keys[Role.ADMIN])
    )
    url = f"/api/v1/appeals/{appeal_id}"
    retired = await client.patch(url, json={"topics": ["49"], "reason": "r"}, headers=registrar)
    assert retired.status_code == 422
    assert "R-13.1" in retired.json()["detail"]
    empty = await client.patch(url, json={"topics": [], "reason": "r"}, headers=registrar)
    assert empty.status_code == 422
    r = await client.patch(
        url, json={"topics": ["03.01", "04"], "reason": "dust, not land"}, headers=registrar
    )
    assert r.status_code == 200, r.text
    assert r.json()["topics"] == ["03.01", "04"]
    history = (await client.get(url + "/history", headers=registrar)).json()["items"]
    last = history[-1]
    assert last["action"] == "correct" and last["note"] == "dust, not land"
    assert last["changes"]["topics"] == [["05"], ["03.01", "04"]]


async def test_R_13_1_the_card_names_the_question_in_its_language(client, keys):
    registrar = auth(keys[Role.REGISTRAR])
    made = await client.post(
        "/api/v1/appeals", json=appeal_body(topics=["03.01", "02"]), headers=registrar
    )
    url = f"/api/v1/appeals/{made.json()['id']}/card"
    card = (await client.get(url, headers=registrar)).json()
    assert [t["code"] for t in card["front"]["topics"]] == ["03.01", "02"]
    expected = {
        "uz": "03.01 Havoga chang va gaz chiqarilishi",
        "uz-Cyrl": "03.01 Ҳавога чанг ва газ чиқарилиши",
        "ru": "03.01 Выбросы пыли и газов в атмосферу",
        "en": "03.01 Dust and gas emissions",
    }
    for lang, name in expected.items():
        page = await client.get(url, params={"format": "html", "lang": lang}, headers=registrar)
        assert page.status_code == 200
        assert name in page.text
        assert (
            "02 " + {"uz": "Uy-joy", "uz-Cyrl": "Уй-жой", "ru": "Жильё", "en": "Housing"}[lang]
            in page.text
        )


async def test_R_13_1_the_topics_defaults_are_suggested_to_registrar_and_manager_only(client, keys):
    registrar = auth(keys[Role.REGISTRAR])
    made = await client.post(
        "/api/v1/appeals", json=appeal_body(topics=["05", "08"]), headers=registrar
    )
    appeal = made.json()
    # Suggested, never applied: the appeal stays as registered.
    assert appeal["confidential"] is False and appeal["units"] == []
    url = f"/api/v1/appeals/{appeal['id']}/actions"
    for who in (Role.REGISTRAR, Role.MANAGER):
        listed = (await client.get(url, headers=auth(keys[who]))).json()
        assert listed["suggested"] == {"lead_unit": "COMPLIANCE", "confidential": True}
    supervisor = (await client.get(url, headers=auth(keys[Role.SUPERVISOR]))).json()
    assert supervisor["suggested"] is None
    # A sub-topic without defaults of its own takes its parent's.
    await _add(client, keys, "08.01")
    child = await client.post(
        "/api/v1/appeals", json=appeal_body(topics=["08.01"]), headers=registrar
    )
    listed = await client.get(f"/api/v1/appeals/{child.json()['id']}/actions", headers=registrar)
    assert listed.json()["suggested"] == {"lead_unit": "COMPLIANCE", "confidential": True}
    plain = await client.post("/api/v1/appeals", json=appeal_body(topics=["05"]), headers=registrar)
    listed = await client.get(f"/api/v1/appeals/{plain.json()['id']}/actions", headers=registrar)
    assert listed.json()["suggested"] == {"lead_unit": None, "confidential": False}
