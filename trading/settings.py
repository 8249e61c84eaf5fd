"""One typed settings object, read from TRADING_* environment variables.

Nothing reads the environment at import time: `create_app(settings)` takes the object, so tests
build apps with their own settings and two apps can live in one process.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRADING_", extra="forbid", validate_default=True)

    data_dir: Path = Field(
        default=Path("var"),
        description="Where the embedded default keeps its SQLite file, uploads and generated keys.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL. Unset: a SQLite file in data_dir. "
        "PostgreSQL: postgresql+asyncpg://user@host:5432/db",
    )
    redis_url: str | None = Field(
        default=None,
        description="redis://host:6379/0. Unset: in-process stores and channels (one process only).",
    )
    redis_namespace: str = Field(
        default="trading",
        pattern=r"^[A-Za-z0-9_.:\-]{1,64}$",
        description="Prefix of every Redis key the platform writes, so several platforms (or test runs) "
        "can share one Redis server.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs login tokens. Unset on the embedded default: generated once and kept in "
        "data_dir/secret.key. Required with PostgreSQL, and the same on every instance.",
    )
    bank_feed_secret: SecretStr | None = Field(
        default=None,
        description="Shared secret with the escrow bank: signs its credit notifications (HMAC-SHA256). "
        "Unset on the embedded default: generated once and kept in data_dir/bank-feed.key.",
    )
    time_zone: str = Field(default="Asia/Shanghai", description="The center's wall-clock time zone.")
    token_hours: int = Field(default=8, ge=1, le=24 * 7, description="Lifetime of a login token in hours.")
    session_check_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="How long the account state a token check reads (active, token version) is cached: "
        "in Redis when configured, else in process memory. A token ended on another instance without "
        "Redis, or while Redis was down, may work this long. 0 reads the database on every request.",
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed logins per account before a lockout."
    )
    login_max_failures_per_client: int = Field(
        default=50,
        ge=1,
        description="Failed logins from one client address before it is locked out. Higher than the "
        "per-account limit: many users may share an address (an office, a proxy).",
    )
    login_lockout_minutes: int = Field(
        default=15,
        ge=1,
        description="How long an account's first lockout lasts; each further lockout within a day lasts "
        "twice as long (at most a day). An administrator lifts it at once: POST /api/users/{id}/unlock.",
    )
    login_client_lockout_minutes: int = Field(
        default=5,
        ge=1,
        description="How long a client address is locked out; it does not grow, so an office behind one "
        "address is never kept out for long.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks of the reverse proxies in front of the platform, as a JSON "
        'list (["10.0.0.5", "10.1.0.0/16"]). X-Forwarded-For is believed only from these; empty: never.',
    )
    migrate_on_start: bool | None = Field(
        default=None,
        description="Apply migrations when the app starts. Default: yes on SQLite, no on PostgreSQL "
        "(run `trading db upgrade` once per deployment instead).",
    )
    event_dispatch_seconds: float = Field(
        default=2.0,
        ge=0,
        description="How often each instance hands outbox events to their handlers; 0 turns the loop off "
        "(tests dispatch by hand).",
    )
    partial_upload_max_age_minutes: int = Field(
        default=60,
        ge=1,
        description="Temporary upload files and staging folders untouched this long are what a crash "
        "or a cut connection left behind: removed at start and every 10 minutes.",
    )
    served_over_tls: bool = Field(
        default=False,
        description="The center is served over HTTPS (directly or by a TLS-terminating proxy): answers "
        "carry Strict-Transport-Security, so browsers never use plain HTTP for it again.",
    )
    clock_at: AwareDatetime | None = Field(
        default=None,
        description="Run the center as if the time were this instant (ISO 8601 with offset), the clock "
        "running on from it: for rehearsals, demos and tests of the CLI. Never set in production.",
    )
    ocid_prefix: str = Field(
        default="ocds-xxxxxx",
        pattern=r"^ocds-[a-z0-9]{6}$",
        description="The OCDS ocid prefix registered for this center with the Open Contracting "
        "Partnership; every published contracting process is `<prefix>-<section code>`. The default "
        "is a placeholder, not a registered prefix: set it before publishing open data. Never change "
        "it once published (the ocids must stay stable).",
    )
    opendata_publisher: str = Field(
        default="公共资源交易中心",
        min_length=1,
        max_length=200,
        description="The publisher named in every OCDS package.",
    )
    center_name: str = Field(
        default="公共资源交易中心",
        min_length=2,
        max_length=60,
        description="The center's name on its letterhead and in its document-signing certificate.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
        description="The address the public reaches the platform at: documents print "
        "<public_url>/verify/<code> and its QR code.",
    )
    document_number_prefix: str = Field(
        default="文书",
        min_length=1,
        max_length=10,
        description="Start of every document number, e.g. 文书〔2026〕000017.",
    )
    document_workers: int = Field(
        default=1,
        ge=1,
        le=16,
        description="Worker processes that render documents (WeasyPrint is CPU-bound: at most one per "
        "core left free for the web server).",
    )
    document_render_seconds: float = Field(
        default=120,
        gt=0,
        description="Longest a document may take to render and sign before the request gets a 503.",
    )
    debug: bool = Field(default=False, description="Litestar debug mode: tracebacks in error answers.")

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "TRADING_DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("TRADING_REDIS_URL must start with redis://, rediss:// or unix://")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        import ipaddress

        for item in value:
            try:
                ipaddress.ip_network(item.strip(), strict=False)
            except ValueError as exc:
                raise ValueError(f"TRADING_TRUSTED_PROXIES: {item!r} is not an address or a network") from exc
        return value

    @field_validator("time_zone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"TRADING_TIME_ZONE {value!r} is not a known IANA time zone") from exc
        return value

    @model_validator(mode="after")
    def _distributed_needs_shared_secret(self) -> Settings:
        if self.is_postgresql and self.secret_key is None:
            raise ValueError(
                "TRADING_SECRET_KEY must be set when TRADING_DATABASE_URL is PostgreSQL: every instance "
                "must sign and accept the same tokens"
            )
        if self.is_postgresql and self.bank_feed_secret is None:
            raise ValueError(
                "TRADING_BANK_FEED_SECRET must be set when TRADING_DATABASE_URL is PostgreSQL: every "
                "instance must accept the bank's signed notifications"
            )
        for name, value in (("SECRET_KEY", self.secret_key), ("BANK_FEED_SECRET", self.bank_feed_secret)):
            if value is not None and len(value.get_secret_value()) < 32:
                raise ValueError(f"TRADING_{name} must be at least 32 characters")
        return self

    @property
    def is_postgresql(self) -> bool:
        return bool(self.database_url and self.database_url.startswith("postgresql"))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'trading.db').resolve()}"

    def should_migrate_on_start(self) -> bool:
        if self.migrate_on_start is not None:
            return self.migrate_on_start
        return not self.is_postgresql

    def resolved_secret_key(self) -> str:
        """The token signing key; on the embedded default, created once and kept in data_dir."""
        return self._secret(self.secret_key, "secret.key")

    def resolved_bank_feed_secret(self) -> str:
        return self._secret(self.bank_feed_secret, "bank-feed.key")

    def _secret(self, configured: SecretStr | None, file_name: str) -> str:
        if configured is not None:
            return configured.get_secret_value()
        path = self.data_dir / file_name
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def load_settings() -> Settings:
    """Read settings from the environment; a bad value stops start-up with a message naming it."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = "".join(str(part) for part in error["loc"])
            name = f"TRADING_{field.upper()}" if field else "settings"
            lines.append(f"  {name}: {error['msg'].removeprefix('Value error, ')}")
        raise SystemExit("Invalid configuration:\n" + "\n".join(lines)) from None
