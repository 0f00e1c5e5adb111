"""The sandbox as an ASGI app, and a uvicorn server for it in a daemon thread on loopback.

Used by tests (a session fixture) and by `python -m workestra.sandbox`; imports nothing of ours.
"""

import socket
import threading
import time
from types import TracebackType
from typing import Self

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount

from .control import ProviderSandbox, control_routes
from .google import GoogleSandbox
from .microsoft import MicrosoftSandbox


def create_sandbox_app(providers: list[ProviderSandbox] | None = None) -> Starlette:
    """Every provider's public routes under /<name>, and the control API under /_sandbox."""
    chosen: list[ProviderSandbox] = (
        providers if providers is not None else [MicrosoftSandbox(), GoogleSandbox()]
    )
    routes: list[BaseRoute] = [Mount(f"/{p.name}", routes=p.routes()) for p in chosen]
    routes.append(Mount("/_sandbox", routes=control_routes(chosen)))
    return Starlette(routes=routes)


class SandboxServer:
    """uvicorn serving `create_sandbox_app()` in a daemon thread; a context manager."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose
        # proto says TCP; without it every JSON response waits ~40 ms for a delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self._port}"

    @property
    def microsoft_login_url(self) -> str:
        return f"{self.url}/microsoft/login"

    @property
    def microsoft_graph_url(self) -> str:
        return f"{self.url}/microsoft/graph/v1.0"

    @property
    def google_auth_url(self) -> str:
        return f"{self.url}/google/o/oauth2/v2/auth"

    @property
    def google_token_url(self) -> str:
        return f"{self.url}/google/token"

    @property
    def google_revoke_url(self) -> str:
        return f"{self.url}/google/revoke"

    @property
    def google_calendar_url(self) -> str:
        return f"{self.url}/google/calendar/v3"

    def start(self) -> None:
        """Bind, start serving, and return once connections are accepted."""
        self._socket.bind((self._host, self._port))
        self._port = self._socket.getsockname()[1]
        config = uvicorn.Config(
            create_sandbox_app(),
            log_level="warning",
            lifespan="off",
            ws="none",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [self._socket]}, name="sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._socket.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
