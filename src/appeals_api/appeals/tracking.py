"""The applicant's tracking code (R-8.1): given once at intake, only its hash is kept."""

from __future__ import annotations

import hashlib
import secrets
import uuid

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
TRACKING_LENGTH = 12


def tracking_code() -> str:
    """Uniform over the alphabet: 256 is a multiple of its 32 letters."""
    return "".join(TRACKING_ALPHABET[b % 32] for b in secrets.token_bytes(TRACKING_LENGTH))


def hash_tracking_code(appeal_id: uuid.UUID, code: str) -> str:
    return hashlib.sha256(f"{appeal_id}:{code}".encode()).hexdigest()
