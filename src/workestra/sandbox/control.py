"""The sandbox's control API root (/_sandbox): reset everything, plus each provider's routes.

Private to tests and the demo. Each provider adds its routes under /_sandbox/<provider>/.
"""

from typing import Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route


class ProviderSandbox(Protocol):
    """One emulated provider (Microsoft, Google)."""

    name: str

    def routes(self) -> list[BaseRoute]: ...

    def control_routes(self) -> list[BaseRoute]: ...

    def reset(self) -> None: ...


def control_routes(providers: list[ProviderSandbox]) -> list[BaseRoute]:
    async def reset(request: Request) -> Response:
        """POST /_sandbox/reset: forget every app, user, token, event, fault and clock shift."""
        for provider in providers:
            provider.reset()
        return Response(status_code=204)

    routes: list[BaseRoute] = [Route("/reset", reset, methods=["POST"])]
    routes += [Mount(f"/{p.name}", routes=p.control_routes()) for p in providers]
    return routes
