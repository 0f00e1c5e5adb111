"""What the over-HTTP benchmarks share: settings pointed at the sandboxes, and the app served on
loopback in a thread for the length of a ``with`` block."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import uvicorn

from workestra.app import create_app
from workestra.clock import SystemClock
from workestra.config import Settings
from workestra.sandbox import SandboxServer


def sandbox_settings(
    folder: str, port: int, sandbox: SandboxServer, *, requests: int, **apps: str
) -> Settings:
    """SQLite in ``folder``, both providers' endpoints at the sandbox (``apps``: the client ids and
    secrets registered there), no worker, and a slots budget ``requests`` can't exhaust (these
    are latency figures, not budgets)."""
    return Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}",
        base_url=f"http://127.0.0.1:{port}",
        secret_key="bench-secret-key-0123456789abcdef",
        microsoft_login_url=sandbox.microsoft_login_url,
        microsoft_graph_url=sandbox.microsoft_graph_url,
        google_auth_url=sandbox.google_auth_url,
        google_token_url=sandbox.google_token_url,
        google_revoke_url=sandbox.google_revoke_url,
        google_calendar_url=sandbox.google_calendar_url,
        run_worker=False,
        rate_limits={"slots_per_client": f"{10 * requests}/minute"},
        **apps,  # type: ignore[arg-type]  # pydantic settings fields by name
    )


@contextmanager
def serving(settings: Settings, port: int) -> Iterator[str]:
    """The app on 127.0.0.1:``port`` until the block ends; yields its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_level="warning", proxy_headers=False
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def one_week() -> dict[str, str]:
    """The slots query of the booking page's first view: this week, in a zone not the link's."""
    today = SystemClock().now().date()
    return {
        "start": today.isoformat(),
        "end": (today + timedelta(days=6)).isoformat(),
        "timezone": "America/New_York",
    }
