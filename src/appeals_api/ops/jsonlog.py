"""Structured logs: one JSON object a line, with the `extra` fields of the call.

The API's logging as served is LOG_CONFIG, given to uvicorn (`--log-config`): these lines on
stderr with the request id in each (ops/requestlog.py), uvicorn's own access log off. Tests keep
the standard logging, so pytest's caplog sees every record.

The worker logs ids, counts, status codes and error names: never an applicant's data, a
request body, a URL or a secret (the callers keep to that; this only shapes the line).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

# `color_message`: uvicorn's copy of its own message with terminal colours.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "color_message",
}
# The API's logging as served (`make api`, `make run`): uvicorn --log-config this file.
LOG_CONFIG = Path(__file__).with_name("log_config.json")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def configure(logger_name: str = "appeals_api", level: int = logging.INFO) -> None:
    """Send the service's logs to stderr as JSON lines (idempotent)."""
    logger = logging.getLogger(logger_name)
    if any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
