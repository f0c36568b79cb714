"""R-2.3: how an appeal records the earlier one it duplicates or repeats — at intake, or later
by a correction when the registrar confirms a suggestion (`appeals.similar`)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from appeals_api.appeals.numbering import display_number
from appeals_api.appeals.schemas import RelatedRef


def related_record(
    ref: RelatedRef, *, earlier_id: uuid.UUID | None, received_on: date | None
) -> dict[str, Any]:
    """The earlier appeal's number and date, kept as given (it may predate this system)."""
    return {
        "relation": ref.relation,
        "year": ref.year,
        "number": ref.number,
        "display": display_number(ref.year, ref.number),
        "appeal_id": str(earlier_id) if earlier_id else None,
        "received_on": received_on.isoformat() if received_on else None,
    }
