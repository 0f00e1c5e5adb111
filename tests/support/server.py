"""A real Workestra server (uvicorn) in a thread on a free loopback port, for tests that go over HTTP."""

import asyncio
import socket
import threading
import time
from types import TracebackType
from typing import Self

import uvicorn
from fastapi import FastAPI

from workestra.app import create_app
from workestra.clock import Clock
from workestra.config import Settings
from workestra.db.migrate import upgrade_to_head


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """``create_app(settings)`` served by uvicorn; the database is migrated before it starts."""

    def __init__(
        self, settings: Settings, *, port: int, clock: Clock | None = None, migrate: bool = True
    ) -> None:
        self.settings = settings
        self._migrate = migrate  # False: serve the database as it is (a readiness test's old schema)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.app: FastAPI = create_app(settings, clock=clock)
        # Proxy headers exactly as `workestra serve` has them: trusted by create_app, never by uvicorn.
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", proxy_headers=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> None:
        if self._migrate:
            asyncio.run(upgrade_to_head(self.settings.database_url))
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the Workestra test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
