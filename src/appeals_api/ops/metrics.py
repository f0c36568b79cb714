"""Prometheus metrics of the API (issue 7): requests and their latency by route template,
appeals registered, and gauges read from PostgreSQL when GET /metrics is scraped.

The request series are plain numbers that ObservabilityMiddleware updates on the event loop;
they become metric families only at a scrape, which also runs on the event loop, so a request
pays a few dict operations and one bisect, with no lock and no label objects. They count what
this process served (one series per process: scrape each API process as its own target).
Labels are bounded: the route template (`scope["route"]`, never the raw path, so ids cannot
multiply the series; UNMATCHED for requests no route took), the method (OTHER beyond the
standard ones) and the status code.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from prometheus_client import GCCollector, PlatformCollector, ProcessCollector
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector, CollectorRegistry

# Seconds; the last finite bucket is the default request time-out (Settings).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_LE = (*(str(b) for b in BUCKETS), "+Inf")  # floats: "0.005" ... "1.0" ... "30.0"
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER = "OTHER"
# Intake: a 201 of this route that is not an idempotent replay is a new appeal.
INTAKE = ("POST", "/api/v1/appeals")
REPLAYED_HEADER = b"idempotent-replayed"


class _Series:
    """One route template and method: answers by status, and the latency histogram."""

    __slots__ = ("buckets", "statuses", "sum")

    def __init__(self) -> None:
        self.statuses: dict[int, int] = {}
        self.buckets = [0] * (len(BUCKETS) + 1)  # per bucket, made cumulative at a scrape
        self.sum = 0.0


class HttpMetrics(Collector):
    """What the API served, since this process started."""

    def __init__(self) -> None:
        self._series: dict[str, dict[str, _Series]] = {}
        self.intake = 0

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        by_method = self._series.get(route)
        if by_method is None:
            by_method = self._series[route] = {}
        series = by_method.get(method)
        if series is None:
            series = by_method[method] = _Series()
        series.statuses[status] = series.statuses.get(status, 0) + 1
        # bisect_left: the first bucket whose upper bound is >= seconds (`le` is inclusive).
        series.buckets[bisect_left(BUCKETS, seconds)] += 1
        series.sum += seconds

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "appeals_http_requests",
            "HTTP requests answered, by route template, method and status code.",
            labels=("route", "method", "status"),
        )
        latency = HistogramMetricFamily(
            "appeals_http_request_duration_seconds",
            "Time from the request's arrival to the end of its response, by route template.",
            labels=("route", "method"),
        )
        for route, by_method in self._series.items():
            for method, series in by_method.items():
                for status, count in series.statuses.items():
                    requests.add_metric((route, method, str(status)), count)
                cumulative, running = [], 0
                for le, count in zip(_LE, series.buckets, strict=True):
                    running += count
                    cumulative.append((le, running))
                latency.add_metric((route, method), cumulative, series.sum)
        yield requests
        yield latency
        yield CounterMetricFamily(
            "appeals_intake_registered",
            "Appeals registered through POST /api/v1/appeals by this process "
            "(201 answers; idempotent replays are not counted).",
            value=self.intake,
        )


@dataclass(frozen=True)
class DatabaseGauges:
    """The backlog and overdue counts, read from PostgreSQL at one scrape."""

    unsequenced_events: int
    webhook_pending: int
    webhook_dead: int
    directum_pending: int
    directum_failed: int
    overdue_deadlines: int


def database_families(gauges: DatabaseGauges | None) -> Iterator[Metric]:
    """The gauges of one scrape; without a reading (PostgreSQL failed or was too slow) only
    `appeals_metrics_database_up 0`, so no stale number passes for a current one."""
    yield GaugeMetricFamily(
        "appeals_metrics_database_up",
        "1 if this scrape read the PostgreSQL gauges, 0 if that failed or timed out.",
        value=0 if gauges is None else 1,
    )
    if gauges is None:
        return
    yield GaugeMetricFamily(
        "appeals_outbox_unsequenced_events",
        "Committed outbox events not yet given a feed position by the worker.",
        value=gauges.unsequenced_events,
    )
    webhooks = GaugeMetricFamily(
        "appeals_webhook_deliveries_unacknowledged",
        "Webhook deliveries not acknowledged: pending (retried) or dead (awaiting redelivery).",
        labels=("status",),
    )
    webhooks.add_metric(("pending",), gauges.webhook_pending)
    webhooks.add_metric(("dead",), gauges.webhook_dead)
    yield webhooks
    directum = GaugeMetricFamily(
        "appeals_directum_dispatches_unacknowledged",
        "Dispatches to DIRECTUM not acknowledged (R-4.2): pending, or failed and retried.",
        labels=("status",),
    )
    directum.add_metric(("pending",), gauges.directum_pending)
    directum.add_metric(("failed",), gauges.directum_failed)
    yield directum
    yield GaugeMetricFamily(
        "appeals_deadlines_overdue",
        "Open stage deadlines past due (R-9.1): not done, due before today in Tashkent.",
        value=gauges.overdue_deadlines,
    )


def make_registry(http: HttpMetrics) -> CollectorRegistry:
    """The app's registry: its request metrics and the process' own (CPU, memory, GC)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(http)
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


class Scrape(Collector):
    """One scrape: the app's registry and the database gauges just read."""

    def __init__(self, registry: CollectorRegistry, gauges: DatabaseGauges | None) -> None:
        self.registry = registry
        self.gauges = gauges

    def collect(self) -> Iterable[Metric]:
        yield from self.registry.collect()
        yield from database_families(self.gauges)
