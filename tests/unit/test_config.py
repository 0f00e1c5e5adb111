"""Configuration comes from WORKESTRA_* variables (names checked from outside) and refuses bad values."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from workestra.config import SECRET_KEY_FILE, Settings, load_settings

DOCUMENTED = {
    "WORKESTRA_DATABASE_URL": ("database_url", "postgresql+asyncpg://u:p@db/workestra"),
    "WORKESTRA_BASE_URL": ("base_url", "https://book.example.com"),
    "WORKESTRA_MICROSOFT_CLIENT_ID": ("microsoft_client_id", "client-id"),
    "WORKESTRA_MICROSOFT_TENANT": ("microsoft_tenant", "organizations"),
    "WORKESTRA_MICROSOFT_LOGIN_URL": ("microsoft_login_url", "http://127.0.0.1:9/ms"),
    "WORKESTRA_MICROSOFT_GRAPH_URL": ("microsoft_graph_url", "http://127.0.0.1:9/graph/v1.0"),
    "WORKESTRA_GOOGLE_CLIENT_ID": ("google_client_id", "g-client"),
    "WORKESTRA_GOOGLE_AUTH_URL": ("google_auth_url", "http://127.0.0.1:9/auth"),
    "WORKESTRA_GOOGLE_TOKEN_URL": ("google_token_url", "http://127.0.0.1:9/token"),
    "WORKESTRA_GOOGLE_CALENDAR_URL": ("google_calendar_url", "http://127.0.0.1:9/calendar/v3"),
    "WORKESTRA_GOOGLE_REVOKE_URL": ("google_revoke_url", "http://127.0.0.1:9/revoke"),
    "WORKESTRA_SMTP_URL": ("smtp_url", "smtp://127.0.0.1:2525"),
    "WORKESTRA_MAIL_FROM": ("mail_from", "Bookings <bookings@example.com>"),
    "WORKESTRA_REDIS_URL": ("redis_url", "redis://127.0.0.1:6379/3"),
    "WORKESTRA_REDIS_KEY_PREFIX": ("redis_key_prefix", "booking-site"),
    "WORKESTRA_FORWARDED_ALLOW_IPS": ("forwarded_allow_ips", "10.0.0.1,10.0.0.2"),
}
SECRETS = {
    "WORKESTRA_SECRET_KEY": "secret_key",
    "WORKESTRA_MICROSOFT_CLIENT_SECRET": "microsoft_client_secret",
    "WORKESTRA_GOOGLE_CLIENT_SECRET": "google_client_secret",
}


def test_every_documented_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, (_, value) in DOCUMENTED.items():
        monkeypatch.setenv(name, value)
    for name in SECRETS:
        monkeypatch.setenv(name, f"{name.lower()}-0123456789abcdef")
    settings = Settings(_env_file=None)
    for field, value in DOCUMENTED.values():
        assert getattr(settings, field) == value
    for name, field in SECRETS.items():
        secret = getattr(settings, field)
        assert secret.get_secret_value() == f"{name.lower()}-0123456789abcdef"
        assert secret.get_secret_value() not in repr(settings)


def test_defaults_match_the_documentation() -> None:
    settings = Settings(_env_file=None)
    assert settings.database_url == "sqlite+aiosqlite:///./workestra.sqlite3"
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.microsoft_tenant == "common"
    assert settings.microsoft_login_url == "https://login.microsoftonline.com"
    assert settings.microsoft_graph_url == "https://graph.microsoft.com/v1.0"
    assert settings.google_calendar_url == "https://www.googleapis.com/calendar/v3"
    assert settings.smtp_url is None
    assert settings.mail_from == "Workestra <no-reply@localhost>"
    assert settings.redis_url is None
    assert settings.redis_key_prefix == "workestra"
    assert settings.forwarded_allow_ips == ""
    assert settings.rate_limits == {}


def test_rate_limits_are_read_as_a_json_object(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKESTRA_RATE_LIMITS", '{"slots_per_client": "120/minute;1200/hour"}')
    assert Settings(_env_file=None).rate_limits == {"slots_per_client": "120/minute;1200/hour"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("base_url", "example.com"),
        ("microsoft_graph_url", "ftp://graph"),
        ("smtp_url", "mail.example.com"),
        ("secret_key", "changethis"),
    ],
)
def test_unusable_values_are_refused(field: str, value: str) -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, **{field: value})  # type: ignore[arg-type]  # field names


def test_the_embedded_default_makes_and_keeps_a_secret_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    first = load_settings(_env_file=None).require_secret_key()
    assert (tmp_path / SECRET_KEY_FILE).read_text().strip() == first
    assert load_settings(_env_file=None).require_secret_key() == first
    assert len(first) >= 32


def test_a_production_database_needs_an_explicit_secret_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RuntimeError, match="WORKESTRA_SECRET_KEY"):
        load_settings(_env_file=None, database_url="postgresql+asyncpg://u@db/w")
