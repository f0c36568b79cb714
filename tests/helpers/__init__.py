"""What test modules share: request bodies and headers, time, databases, the lifecycle walk,
a real local HTTP receiver. Test modules import from here, never from each other or conftest."""

from tests.helpers.common import (
    DEFAULT_NOW,
    REPO,
    TEST_UNIT,
    KeyMaker,
    appeal_body,
    at_tashkent,
    auth,
)

__all__ = ["DEFAULT_NOW", "REPO", "TEST_UNIT", "KeyMaker", "appeal_body", "at_tashkent", "auth"]
