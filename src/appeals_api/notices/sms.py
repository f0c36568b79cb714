"""SMS through an HTTP gateway (R-8.4): `APPEALS_SMS_URL` receives a POST of JSON
`{"to": "+998…", "text": "…"}`; a 2xx means the gateway accepted the message. Each attempt of a
notice carries the same `Idempotency-Key`, so a gateway that dedupes sends it once. Sent through
the worker's one HTTP client (`outbound.post`), which never logs the URL or the body."""

from __future__ import annotations

import json
import re

import httpx

from appeals_api import outbound


def phone_number(phone: str) -> str:
    """International form, as gateways take it: `+998 90 123-45-67` → `+998901234567`; nine
    digits alone are a number in Uzbekistan (+998)."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 9:
        digits = "998" + digits
    return "+" + digits


async def send(
    client: httpx.AsyncClient,
    url: str,
    *,
    to: str,
    text: str,
    key: str,
    token: str | None,
    seconds: float,
) -> outbound.Outcome:
    headers = {"Content-Type": "application/json", "Idempotency-Key": key}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"to": to, "text": text}, ensure_ascii=False).encode()
    return await outbound.post(client, url, body=body, headers=headers, seconds=seconds)
