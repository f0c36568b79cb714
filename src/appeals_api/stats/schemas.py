"""Statistics and reports at the edge (R-10, R-2.2): the counters and their definitions."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from appeals_api.topics.schemas import TopicNames

# R-10.1 (policy): each counter counts appeals received in the range; the definitions are
# what the OpenAPI document, the XLSX report and the public summary say they are.
COUNTER_DEFINITIONS: dict[str, str] = {
    "received": "Appeals received (registered) in the range, by Tashkent date of receipt.",
    "reviewed": "A final response was sent: answered or closed with an outcome, or a "
    "duplicate joined to an appeal and answered with it (R-5.2, R-6.3).",
    "satisfied": "Reviewed with outcome satisfied or partially_satisfied.",
    "explained": "Reviewed with outcome explained (a clarification was given).",
    "not_satisfied": "Reviewed with outcome rejected.",
    "left_without_consideration": "Left without consideration (R-7.1).",
    "terminated": "Consideration terminated (R-7.2).",
    "withdrawn": "Withdrawn by the applicant (R-7.3).",
    "forwarded": "Out of scope, forwarded to the competent body (R-7.4, §31).",
    "returned": "Returned to the applicant for lack of information to forward it (§31); "
    "counted apart from forwarded.",
    "answered_as_duplicate": "A duplicate of an appeal already answered, answered with a "
    "notice saying so (§29).",
    "open": "Consideration has not ended (including duplicates joined to an appeal that is "
    "still open).",
    "overdue": "An answer deadline was violated (a recorded fact, R-9.4: no later extension, "
    "study decision or withdrawal undoes it), or the answer deadline has passed without the "
    "consideration having ended, or it ended after it (R-6.3), judged on the day of the request.",
}
# received = reviewed + left_without_consideration + terminated + withdrawn + forwarded
#            + returned + answered_as_duplicate + open; overdue overlaps them.
COUNTERS = tuple(COUNTER_DEFINITIONS)
# What the public summary publishes (R-10.1's list).
PUBLIC_COUNTERS = (
    "received",
    "reviewed",
    "satisfied",
    "explained",
    "not_satisfied",
    "left_without_consideration",
    "overdue",
)

GROUP_KEY_DEFINITIONS: dict[str, str] = {
    "year": "Year of receipt (Tashkent), e.g. 2026.",
    "quarter": "Quarter of receipt, e.g. `2026-Q1`.",
    "month": "Month of receipt, e.g. `2026-03`.",
    "kind": "application, proposal or complaint.",
    "channel": "The channel the appeal came by.",
    "form": "oral, written or electronic.",
    "unit": "Code of the lead unit (the first of the resolution); null while not routed.",
    "language": "Language tag of the appeal.",
    "outcome": "Outcome of the final response; null without one.",
    "on_time": "`on_time` (consideration ended by the deadline), `late` (after it) or `open`.",
    "topic": "Code of a topic of the classifier (R-13.2), exactly as the appeal carries it (a "
    "sub-topic is its own group); null for appeals without one. An appeal with two topics "
    "counts under each, so the rows' sums exceed the appeals received.",
}


class Output(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class Counters(Output):
    """R-10.1 counters (definitions: policy, see each field)."""

    received: int = Field(description=COUNTER_DEFINITIONS["received"])
    reviewed: int = Field(description=COUNTER_DEFINITIONS["reviewed"])
    satisfied: int = Field(description=COUNTER_DEFINITIONS["satisfied"])
    explained: int = Field(description=COUNTER_DEFINITIONS["explained"])
    not_satisfied: int = Field(description=COUNTER_DEFINITIONS["not_satisfied"])
    left_without_consideration: int = Field(
        description=COUNTER_DEFINITIONS["left_without_consideration"]
    )
    terminated: int = Field(description=COUNTER_DEFINITIONS["terminated"])
    withdrawn: int = Field(description=COUNTER_DEFINITIONS["withdrawn"])
    forwarded: int = Field(description=COUNTER_DEFINITIONS["forwarded"])
    returned: int = Field(description=COUNTER_DEFINITIONS["returned"])
    answered_as_duplicate: int = Field(description=COUNTER_DEFINITIONS["answered_as_duplicate"])
    open: int = Field(description=COUNTER_DEFINITIONS["open"])
    overdue: int = Field(description=COUNTER_DEFINITIONS["overdue"])


class _GroupKeys(Output):
    year: int | None = Field(default=None, description=GROUP_KEY_DEFINITIONS["year"])
    quarter: str | None = Field(default=None, description=GROUP_KEY_DEFINITIONS["quarter"])
    month: str | None = Field(default=None, description=GROUP_KEY_DEFINITIONS["month"])
    kind: str | None = Field(default=None, description=GROUP_KEY_DEFINITIONS["kind"])
    channel: str | None = Field(default=None, description=GROUP_KEY_DEFINITIONS["channel"])
    form: str | None = Field(default=None, description=GROUP_KEY_DEFINITIONS["form"])
    unit: str | None = Field(default=None, description=GROUP_KEY_DEFINITIONS["unit"])
    language: str | None = Field(default=None, description=GROUP_KEY_DEFINITIONS["language"])
    outcome: str | None = Field(default=None, description=GROUP_KEY_DEFINITIONS["outcome"])
    on_time: str | None = Field(default=None, description=GROUP_KEY_DEFINITIONS["on_time"])
    topic: str | None = Field(default=None, description=GROUP_KEY_DEFINITIONS["topic"])


class StatsRow(Counters, _GroupKeys):
    """One group: the group-by keys asked for (and only those), then the counters."""


class StatsAnswer(Output):
    """GET /stats: one row per combination of the group-by keys that has appeals."""

    from_: date = Field(alias="from")
    to: date
    group_by: list[str]
    as_of: date = Field(description="The Tashkent date `overdue` and `open` are judged on.")
    rows: list[StatsRow]
    resolved_at_reception: int = Field(
        default=0,
        description="Matters resolved on the spot at mass receptions held in the range (R-1.7, "
        "§60): recorded in the protocol, never registered, so counted apart from the appeals.",
    )


class _ReportKey(Output):
    key: str | None = Field(description="The breakdown's value (null: none, e.g. unrouted).")
    name: str | None = Field(default=None, description="The unit's name (unit breakdown).")


class ReportRow(Counters, _ReportKey):
    """One value of a breakdown, with its counters."""


class Breakdowns(Output):
    kind: list[ReportRow]
    channel: list[ReportRow]
    unit: list[ReportRow]
    outcome: list[ReportRow]
    on_time: list[ReportRow]


class TopicTrend(Output):
    """R-10.3 (§67): one question of the classifier, this quarter against the previous one."""

    topic: str | None = Field(description="The topic's code; null: appeals without a topic.")
    names: TopicNames | None = Field(description="The topic's names in the four languages.")
    count: int = Field(description="Appeals received in the quarter carrying this topic.")
    previous: int = Field(description="The same in the previous quarter.")
    change: int = Field(description="`count` − `previous`.")
    recurring: bool = Field(description="Raised in both quarters: a recurring issue.")
    units: list[str] = Field(
        description="The units it concerns: the lead units of the quarter's appeals (routed)."
    )


class QuarterlyReport(Output):
    """R-10.2 (§67): the quarter's totals and breakdowns, for the Appeals Department."""

    year: int
    quarter: int
    from_: date = Field(alias="from")
    to: date
    as_of: date
    totals: Counters
    breakdowns: Breakdowns
    by_topic: list[TopicTrend] = Field(
        default_factory=list,
        description="R-10.3: per topic (as carried: a sub-topic on its own row), by code, with "
        "appeals in this quarter or the previous one; an appeal with two topics counts under "
        "each.",
    )


def _withheld(name: str) -> str:
    return COUNTER_DEFINITIONS[name] + " Null when withheld."


class PublicCounters(Output):
    """Counters of the public summary; a withheld cell is null and named in `suppressed`."""

    received: int | None = Field(description=_withheld("received"))
    reviewed: int | None = Field(description=_withheld("reviewed"))
    satisfied: int | None = Field(description=_withheld("satisfied"))
    explained: int | None = Field(description=_withheld("explained"))
    not_satisfied: int | None = Field(description=_withheld("not_satisfied"))
    left_without_consideration: int | None = Field(
        description=_withheld("left_without_consideration")
    )
    overdue: int | None = Field(description=_withheld("overdue"))
    suppressed: list[str] = Field(description="The counters withheld in this row.")


class _PublicKey(Output):
    key: str | None = Field(description="The breakdown's value.")


class PublicRow(PublicCounters, _PublicKey):
    """One value of a breakdown, with its counters as published."""


class PublicBreakdowns(Output):
    kind: list[PublicRow]
    channel: list[PublicRow]
    on_time: list[PublicRow]


class PublicSummary(Output):
    """R-10.2: aggregates only, no personal data; small cells withheld (see `min_cell`)."""

    year: int
    quarter: int
    from_: date = Field(alias="from")
    to: date
    as_of: date
    min_cell: int = Field(
        description="Counts below this are published as null, and so are the fewest others "
        "needed so that no withheld count can be worked out from a published sum."
    )
    totals: PublicCounters
    breakdowns: PublicBreakdowns


class LogEntry(Output):
    """One line of the registration log (R-2.2, §24)."""

    number: str
    date_of_receipt: date = Field(description="Tashkent date the appeal was received.")
    applicant: str
    brief_content: str
    responsible_unit: str | None


class RegistrationLog(Output):
    """The registration log of a range (R-2.2, §24), in number order."""

    from_: date = Field(alias="from")
    to: date
    items: list[LogEntry]
