"""HTTP for statistics (R-10.1) and the public quarterly summary (R-10.2)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from appeals_api import export
from appeals_api.auth.dependencies import require
from appeals_api.auth.roles import Principal, Role
from appeals_api.deps import NowDep, SettingsDep, TodayDep
from appeals_api.errors import problem_responses
from appeals_api.export import TranslatorDep
from appeals_api.ratelimit import Limit, RateLimiter, client_address
from appeals_api.replica.sessions import ReplicaRoute, ReportSessionDep
from appeals_api.state import state_of
from appeals_api.stats import repository, service, tables
from appeals_api.stats.schemas import (
    COUNTER_DEFINITIONS,
    GROUP_KEY_DEFINITIONS,
    PublicSummary,
    StatsAnswer,
)

# Read from the replica when one is configured (issue 18), with its lag in a header.
router = APIRouter(prefix="/api/v1", tags=["statistics"], route_class=ReplicaRoute)
public_router = APIRouter(prefix="/api/v1/public", tags=["public"], route_class=ReplicaRoute)

# Statistics are for analysts and for those who answer for the appeals; not for units' staff.
STATS_READERS = (Role.ANALYST, Role.SUPERVISOR, Role.MANAGER, Role.REGISTRAR)
StatsReader = Annotated[Principal, Depends(require(*STATS_READERS))]

FromDate = Annotated[
    date, Query(alias="from", description="First Tashkent date of receipt, inclusive.")
]
ToDate = Annotated[date, Query(description="Last Tashkent date of receipt, inclusive.")]
Year = Annotated[int, Query(ge=1991, le=2200)]
Quarter = Annotated[int, Query(ge=1, le=4)]


def _bullets(items: dict[str, str]) -> str:
    return "\n".join(f"- `{name}`: {text}" for name, text in items.items())


STATS_DESCRIPTION = f"""R-10.1: counts of the appeals received from `from` to `to` (Tashkent
dates of receipt, both inclusive; at most {service.MAX_STATS_YEARS} years), one row per
combination of the `group_by` keys that has appeals, ordered by the keys (nulls last); without
`group_by`, one row of totals. One aggregate statement answers the request.

`group_by` takes keys separated by commas (`group_by=quarter,kind`) or repeated. The period is
a key like the others: `year`, `quarter` or `month`, so `group_by=month,channel` counts each
channel per month. Keys:

{_bullets(GROUP_KEY_DEFINITIONS)}

Counters (definitions are policy, DOMAIN.md R-10.1). `received` is the sum of `reviewed`,
`left_without_consideration`, `terminated`, `withdrawn`, `forwarded`, `returned`,
`answered_as_duplicate` and `open`; `overdue` overlaps them.

{_bullets(COUNTER_DEFINITIONS)}

A range or key the service cannot count is 422; more than {service.MAX_STATS_ROWS} groups is
422 too (narrow the range or group by fewer keys)."""


@router.get(
    "/stats",
    response_model=StatsAnswer,
    response_model_exclude_unset=True,
    responses={
        **problem_responses(401, 403, 422),
        200: export.file_responses(
            "JSON; CSV with `format=csv` or `Accept: text/csv`; XLSX with `format=xlsx` or an "
            "`Accept` naming its media type: the keys' labels and the counters' names in the "
            "reader's language (`?lang=`, else `Accept-Language`, else uz)."
        ),
    },
    summary="Statistics of appeals by period, kind, channel, form, unit, language, outcome",
    description=STATS_DESCRIPTION,
)
async def get_stats(
    request: Request,
    session: ReportSessionDep,
    _: StatsReader,
    settings: SettingsDep,
    today: TodayDep,
    t: TranslatorDep,
    from_: FromDate,
    to: ToDate,
    group_by: Annotated[
        list[str] | None,
        Query(
            max_length=len(repository.GROUP_KEYS),
            description="Keys: " + ", ".join(repository.GROUP_KEYS),
        ),
    ] = None,
    format: Annotated[Literal["json", "csv", "xlsx"] | None, Query()] = None,
) -> StatsAnswer | Response:
    keys = service.parse_group_by(group_by or [])
    answer = await service.stats(session, settings, from_=from_, to=to, group_by=keys, today=today)
    chosen = export.negotiate(format, request.headers.get("accept"), default="json")
    if chosen == "json":
        return answer
    table = tables.stats(t, answer)
    filename = f"stats-{from_.isoformat()}-{to.isoformat()}"
    if chosen == "xlsx":
        heading = export.Heading(t.pgettext("reports", "stats"), from_, to)
        return export.xlsx_response(t, heading, [table], filename=filename)
    return export.csv_response(t, table, filename=filename)


@public_router.get(
    "/summary",
    response_model=PublicSummary,
    responses=problem_responses(422, 429),
    summary="The quarter's public summary for the website (no key)",
)
async def public_summary(
    request: Request,
    response: Response,
    session: ReportSessionDep,
    settings: SettingsDep,
    now: NowDep,
    today: TodayDep,
    year: Year,
    quarter: Quarter,
) -> PublicSummary:
    """R-10.2 (§67): totals and breakdowns by kind, channel and on-time of the appeals received
    in the quarter. Aggregates only, no personal data: a count below `min_cell` (policy,
    default 3) is null and named in its row's `suppressed`, and so are the fewest further counts
    needed so that no withheld one can be worked out from a published sum. No key needed;
    limited per client address."""
    limiter: RateLimiter = state_of(request).limiter
    await limiter.hit(
        Limit("public-summary", settings.public_summary_per_address_per_minute, 60),
        client_address(request, settings.trusted_networks),
        now=now.timestamp(),
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return await service.public_summary(session, settings, year=year, quarter=quarter, today=today)
