"""Webhook signatures: `X-Appeals-Signature: t=<unix ts>,v1=<hex HMAC-SHA256>`.

The MAC is over "<ts>.<raw body>" with the subscription's secret, so a receiver can check
both who sent the body and, against its own clock, how old it is (replays).
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Appeals-Signature"
EVENT_ID_HEADER = "X-Appeals-Event-Id"
EVENT_TYPE_HEADER = "X-Appeals-Event-Type"
DELIVERY_ID_HEADER = "X-Appeals-Delivery-Id"


def mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header value for `body` sent at `timestamp`."""
    return f"t={timestamp},v1={mac(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes) -> bool:
    """What a receiver does: recompute the MAC for the header's timestamp, compare safely."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    return hmac.compare_digest(fields.get("v1", ""), mac(secret, timestamp, body))
