"""Settings: the only reader of the environment (prefix APPEALS_)."""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from zoneinfo import ZoneInfo

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APPEALS_", extra="ignore")

    # Defaults: the embedded servers `make run` starts (see devstack.py), so the CLI finds them.
    database_url: str = "postgresql://postgres@127.0.0.1:55432/appeals"
    redis_url: str = "redis://127.0.0.1:56379/0"
    port: int = 8000
    db_pool_size: int = 20
    db_max_overflow: int = 20
    # Plain asyncpg connections of the hot statements (intake, read by id), besides the pool.
    db_fast_pool_size: int = Field(default=16, ge=1, le=200)
    # gc.freeze() once started (main.py); off where one process makes many apps (the tests).
    gc_freeze: bool = True

    # Policy (DOMAIN.md R-3): civil time zone, working hours, weekend days (ISO numbers).
    timezone: str = "Asia/Tashkent"
    work_start: time = time(9, 0)
    work_end: time = time(18, 0)
    weekend: list[int] = Field(default_factory=lambda: [6, 7])

    # Control (R-9.1, policy): reminders this many working days before a stage deadline.
    reminder_working_days: list[int] = Field(default_factory=lambda: [3, 1])
    # How often the worker runs the deadline watch; 60 (and more) means once a minute.
    watch_interval_seconds: int = Field(default=60, ge=1, le=60)

    # Abuse limits (R-8.1, OWASP API4), fixed windows counted in Redis. Without Redis they are
    # not enforced rather than refusing appeals: intake must answer when Redis is down. The
    # status lookup is limited per client address only: a limit per appeal number would let
    # strangers lock the holder of the right code out, and the code's 60 bits need none.
    public_lookups_per_address_per_minute: int = Field(default=30, ge=1)
    # Reverse proxies whose X-Forwarded-For names the client (comma-separated IPs or CIDRs;
    # empty: none, the direct peer is the client). See `ratelimit.client_address`.
    trusted_proxies: str = ""
    intake_per_key_per_minute: int = Field(default=600, ge=1)

    # Intake
    max_body_bytes: int = 1024 * 1024
    # Documents: one uploaded file's bytes at most (413 beyond); the JSON limit above
    # does not apply to the upload route, this one does.
    max_document_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
    request_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # Issue 19: a request cut off after its write was sent waits this much longer for the
    # outcome (a commit answers in milliseconds), so it answers the truth, not "unknown".
    request_grace_seconds: float = Field(default=5.0, ge=0, le=60)
    # Connections, per API process (`serving.py`, issue 19): a request head must arrive within
    # `header_timeout_seconds` of the connection opening or the previous response (408, or
    # just closed if nothing came), and within `max_header_bytes` (431); a keep-alive
    # connection idle for `keep_alive_timeout_seconds` after a response is closed; beyond
    # `concurrency_limit` open connections or running requests, a new request gets 503.
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, le=1024 * 1024)
    keep_alive_timeout_seconds: int = Field(default=5, ge=1, le=300)
    concurrency_limit: int = Field(default=512, ge=1, le=100_000)
    backdate_tolerance_seconds: int = 300
    idempotency_retention_hours: int = 24

    # Webhooks (API.md events): each delivery is retried with exponential backoff,
    # base * 2**(attempt-1) capped at max, and dead-lettered after `webhook_max_attempts`.
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Networks a webhook may be sent into although private, loopback or link-local (issue 19,
    # `events/targets.py`): none by default. JSON, e.g. ["10.20.0.0/16"].
    webhook_allowed_networks: list[IPvAnyNetwork] = Field(default_factory=list)
    webhook_max_attempts: int = Field(default=10, ge=1, le=100)
    webhook_backoff_base_seconds: float = Field(default=30.0, gt=0)
    webhook_backoff_max_seconds: float = Field(default=6 * 3600.0, gt=0)
    webhook_batch: int = Field(default=20, ge=1, le=500)

    # DIRECTUM: unset, dispatch is recorded as internal; set, every dispatch is POSTed
    # there and retried (backoff as above, never given up) until a 2xx acknowledges it.
    directum_url: str | None = None
    directum_token: SecretStr | None = None
    directum_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    directum_backoff_base_seconds: float = Field(default=30.0, gt=0)
    directum_backoff_max_seconds: float = Field(default=3600.0, gt=0)

    # Applicants' notices (R-8.4): e-mail over SMTP (`smtp://user:pass@host:port`, STARTTLS
    # where the server offers it, or `smtps://` for TLS from the start) from `mail_from`;
    # SMS through an HTTP gateway (POST JSON {"to", "text"}, a 2xx accepts it; `sms_token`, if
    # set, is sent as a bearer token). A channel whose URL is unset is off: its notices are
    # recorded as `skipped`. Each notice is retried with backoff (base * 2**(attempt-1), capped)
    # and recorded as `failed` after `notice_max_attempts`.
    smtp_url: SecretStr | None = None
    mail_from: str = "appeals-noreply@localhost"
    sms_url: str | None = None
    sms_token: SecretStr | None = None
    notice_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    notice_max_attempts: int = Field(default=8, ge=1, le=100)
    notice_backoff_base_seconds: float = Field(default=60.0, gt=0)
    notice_backoff_max_seconds: float = Field(default=6 * 3600.0, gt=0)

    # Worker: deliveries and the heartbeat run every `worker_tick_seconds`; a heartbeat older
    # than `worker_stale_after_seconds` shows the worker as stale in GET /api/v1/worker/health.
    worker_tick_seconds: int = Field(default=5, ge=1, le=60)
    worker_stale_after_seconds: int = Field(default=60, ge=1)
    # How long the worker keeps retrying a lost Redis before it exits for its supervisor to
    # restart it; PostgreSQL holds all the work, so nothing is lost either way.
    worker_redis_outage_seconds: int = Field(default=600, ge=1)
    # Issue 19: the deliveries' own lane (webhooks, DIRECTUM, notices) and its job slots, apart
    # from the core lane's (heartbeat, sequencing, search, the watch, recomputes); its database
    # connections are its own too, at most this many.
    worker_delivery_jobs: int = Field(default=4, ge=1, le=32)
    # R-3.6 (issue 18): how long the request entering a decree override recomputes the
    # deadlines it touches, in short transactions, before it answers; the worker does the rest.
    calendar_recompute_inline_seconds: float = Field(default=2.0, ge=0, le=25)

    # Duplicate and repeat suggestions (issue 15, R-2.3): how far apart in time two appeals of
    # one applicant are compared, and how long intake waits for them before answering
    # `similar: null` (the appeal is registered either way).
    similar_window_days: int = Field(default=365, ge=1, le=3660)
    similar_timeout_seconds: float = Field(default=0.5, gt=0, le=10)

    # Signed links (`links.py`): the HMAC secret (unset: a random one per process, so links
    # do not survive a restart nor work across several API processes) and their lifetime.
    link_secret: SecretStr | None = None
    link_ttl_seconds: int = Field(default=600, ge=10, le=86_400)

    # People signed in through the company's OpenID Connect provider (`auth/oidc.py`): a
    # `Bearer <JWT>` is verified against the issuer's JWKS (RS256/ES256), its `iss`, `aud`,
    # `exp`/`nbf` (within `oidc_leeway_seconds`); role, unit and name come from these claims.
    # Unset issuer: OIDC is off, every bearer token is taken for an API key.
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    oidc_leeway_seconds: int = Field(default=60, ge=0, le=600)
    oidc_role_claim: str = "appeals_role"
    oidc_unit_claim: str = "appeals_unit"
    oidc_name_claim: str = "name"
    # The JWKS is kept this long; a token's unknown `kid` fetches it again, at most once per
    # `oidc_jwks_min_refresh_seconds` (a flood of made-up kids cannot hammer the issuer).
    oidc_jwks_ttl_seconds: int = Field(default=3600, ge=10)
    oidc_jwks_min_refresh_seconds: float = Field(default=30.0, ge=0)
    oidc_jwks_timeout_seconds: float = Field(default=5.0, gt=0, le=60)

    # Observability. GET /metrics (Prometheus text format) answers without an API key, for a
    # scraper on the internal network: `metrics_enabled=false` removes the route (404), and
    # `metrics_token` set, a scrape must send `Authorization: Bearer <token>` (Prometheus'
    # `authorization` scrape option). Its PostgreSQL gauges are read at each scrape, each
    # query bounded by `metrics_db_timeout_seconds`.
    metrics_enabled: bool = True
    metrics_token: SecretStr | None = None
    metrics_db_timeout_seconds: float = Field(default=2.0, gt=0, le=30)

    @field_validator("weekend")
    @classmethod
    def _weekend_days(cls, value: list[int]) -> list[int]:
        if not all(1 <= d <= 7 for d in value) or len(set(value)) >= 7:
            raise ValueError("weekend must be ISO weekday numbers 1..7, not all of them")
        return value

    @field_validator("reminder_working_days")
    @classmethod
    def _reminder_days(cls, value: list[int]) -> list[int]:
        if not all(1 <= d <= 30 for d in value):
            raise ValueError("reminder days are working days between 1 and 30")
        return value

    @field_validator("directum_url")
    @classmethod
    def _directum_url(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None  # APPEALS_DIRECTUM_URL= (empty) means not configured
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("APPEALS_DIRECTUM_URL must be an http:// or https:// URL")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None  # APPEALS_SMTP_URL= (empty) means e-mail is off
        if not value.get_secret_value().startswith(("smtp://", "smtps://")):
            raise ValueError("APPEALS_SMTP_URL must be an smtp:// or smtps:// URL")
        return value

    @field_validator("sms_url")
    @classmethod
    def _sms_url(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None  # APPEALS_SMS_URL= (empty) means SMS is off
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("APPEALS_SMS_URL must be an http:// or https:// URL")
        return value

    @field_validator("metrics_token")
    @classmethod
    def _metrics_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            return None  # APPEALS_METRICS_TOKEN= (empty) means no token
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _trusted_proxies(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip():
                ip_network(part.strip(), strict=False)  # ValueError names the bad entry
        return value

    @property
    def trusted_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return _networks(self.trusted_proxies)

    @field_validator("oidc_issuer", "oidc_audience", "oidc_jwks_url")
    @classmethod
    def _oidc_blank(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None  # empty: not configured

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_audience and self.oidc_jwks_url)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def plain_database_url(self) -> str:
        """The URL asyncpg itself takes."""
        return "postgresql://" + self.async_database_url.removeprefix("postgresql+asyncpg://")

    @property
    def async_database_url(self) -> str:
        """The SQLAlchemy URL for asyncpg, from the plain postgresql:// URL of the contract."""
        url = self.database_url
        for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url[len(prefix) :]
        raise ValueError("APPEALS_DATABASE_URL must be a postgresql:// URL")

    # Statistics (R-10.2, policy): a count below `public_summary_min_cell` is withheld from the
    # public summary; that unauthenticated aggregate is limited per client address.
    public_summary_min_cell: int = Field(default=3, ge=1, le=100)
    public_summary_per_address_per_minute: int = Field(default=30, ge=1)

    # PgBouncer and a replica (issue 18; README "PgBouncer and a replica"). `database_pgbouncer`:
    # APPEALS_DATABASE_URL points at a PgBouncer in transaction mode: no prepared statement
    # outlives its statement, no setting outlives its transaction (`db.py`). A replica URL set,
    # statistics and reports read from that streaming replica (`replica.py`), each answer with
    # its lag; a replica that does not answer within `database_replica_timeout_seconds` is
    # passed over for the primary (logged).
    database_pgbouncer: bool = False
    database_replica_url: str | None = None
    database_replica_timeout_seconds: float = Field(default=2.0, gt=0, le=60)

    @field_validator("database_replica_url")
    @classmethod
    def _replica_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None  # APPEALS_DATABASE_REPLICA_URL= (empty) means no replica
        if not value.startswith(("postgresql://", "postgres://", "postgresql+asyncpg://")):
            raise ValueError("APPEALS_DATABASE_REPLICA_URL must be a postgresql:// URL")
        return value

    # Processes (issue 18): API processes (uvicorn --workers; `make run`, `make api`, the
    # Dockerfile) and arq worker processes under `make run`. Each process has its own pools:
    # (db_pool_size + db_max_overflow + db_fast_pool_size) x processes must stay below
    # PostgreSQL's max_connections (README, "Several processes").
    web_concurrency: int = Field(default=1, ge=1, le=64)
    workers: int = Field(default=1, ge=1, le=64)


@lru_cache
def _networks(value: str) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(p.strip(), strict=False) for p in value.split(",") if p.strip())


@lru_cache
def get_settings() -> Settings:
    return Settings()
