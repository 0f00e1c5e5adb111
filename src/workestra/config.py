"""Settings from ``WORKESTRA_*`` environment variables (or a ``.env`` file); read once, in cli.py."""

import secrets
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_FILE = "workestra.sqlite3"
SECRET_KEY_FILE = ".workestra-secret-key"  # noqa: S105  (a file name, not a secret)
_PLACEHOLDERS = {"changethis", "changeme", "secret", "dev", "test"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WORKESTRA_", env_file=".env", extra="ignore", frozen=True)

    database_url: str = f"sqlite+aiosqlite:///./{DEFAULT_SQLITE_FILE}"
    base_url: str = "http://127.0.0.1:8000"
    secret_key: SecretStr | None = None

    microsoft_client_id: str | None = None
    microsoft_client_secret: SecretStr | None = None
    microsoft_tenant: str = "common"
    microsoft_login_url: str = "https://login.microsoftonline.com"
    microsoft_graph_url: str = "https://graph.microsoft.com/v1.0"

    google_client_id: str | None = None
    google_client_secret: SecretStr | None = None
    google_auth_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    google_token_url: str = "https://oauth2.googleapis.com/token"  # noqa: S105  (a URL)
    google_calendar_url: str = "https://www.googleapis.com/calendar/v3"
    google_revoke_url: str = "https://oauth2.googleapis.com/revoke"

    smtp_url: str | None = None
    mail_from: str = "Workestra <no-reply@localhost>"

    # Redis (redis://host:port/db): when set, browser sessions and rate-limit budgets live there, so
    # every `serve` process shares them; every key starts with redis_key_prefix.
    redis_url: str | None = None
    redis_key_prefix: str = "workestra"
    # Rate-limit budgets by name, in the `limits` notation ("10/minute;30/hour"), replacing the
    # defaults in security/rate_limit.py (a JSON object in the environment).
    rate_limits: dict[str, str] = {}
    # Reverse proxies whose X-Forwarded-For is believed, comma-separated addresses or networks
    # (uvicorn's notation, "*" for any). Empty: no proxy is trusted; the client is the peer address.
    forwarded_allow_ips: str = ""

    # Not part of the documented surface: set by `workestra demo` and by tests.
    demo: bool = False
    run_worker: bool = True
    worker_poll_seconds: float = 1.0
    http_timeout_seconds: float = 10.0

    @field_validator(
        "base_url",
        "microsoft_login_url",
        "microsoft_graph_url",
        "google_auth_url",
        "google_token_url",
        "google_calendar_url",
        "google_revoke_url",
    )
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(f"must be an absolute http(s) URL, got {value!r}")
        return value.rstrip("/")

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value and urlsplit(value).scheme not in {"redis", "rediss", "unix"}:
            raise ValueError("must look like redis://host:port/db")
        return value or None

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str | None) -> str | None:
        if value and urlsplit(value).scheme not in {"smtp", "smtps"}:
            raise ValueError("must look like smtp://host:port")
        return value or None

    @model_validator(mode="after")
    def _usable_secret(self) -> Self:
        key = self.secret_key.get_secret_value() if self.secret_key else None
        if key is not None and (key.lower() in _PLACEHOLDERS or len(key) < 16) and not self.demo:
            raise ValueError("WORKESTRA_SECRET_KEY is a placeholder or shorter than 16 characters")
        return self

    @property
    def is_embedded_default(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def microsoft_enabled(self) -> bool:
        return bool(self.microsoft_client_id and self.microsoft_client_secret)

    @property
    def google_enabled(self) -> bool:
        return bool(self.google_client_id and self.google_client_secret)

    def require_secret_key(self) -> str:
        if self.secret_key is None:
            raise RuntimeError("WORKESTRA_SECRET_KEY is not set")
        return self.secret_key.get_secret_value()


def load_settings(**overrides: object) -> Settings:
    """Read the environment; on the embedded default, generate and keep a secret key on first run."""
    settings = Settings(**overrides)  # type: ignore[arg-type]  # pydantic-settings accepts field kwargs
    if settings.secret_key is None:
        if not settings.is_embedded_default:
            raise RuntimeError(
                "WORKESTRA_SECRET_KEY must be set when WORKESTRA_DATABASE_URL is not the embedded SQLite"
            )
        path = Path(SECRET_KEY_FILE)
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        settings = settings.model_copy(update={"secret_key": SecretStr(path.read_text().strip())})
    return settings
