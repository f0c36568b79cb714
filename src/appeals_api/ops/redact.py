"""Access logs without secrets: the applicant's tracking code travels in the lookup's query
string (API.md), so the web server's access log line shows it redacted (R-8.1)."""

from __future__ import annotations

import logging
import re

_SECRET_QUERY = re.compile(r"([?&]code=)[^&\s]*", re.IGNORECASE)


def redact(text: str) -> str:
    return _SECRET_QUERY.sub(r"\1[redacted]", text)


class SecretQueryFilter(logging.Filter):
    """Rewrites `code=` query values in a record's message and arguments; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install(logger_name: str = "uvicorn.access") -> None:
    """Idempotent: one filter on the access logger, whoever configures its handlers."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, SecretQueryFilter) for f in logger.filters):
        logger.addFilter(SecretQueryFilter())
