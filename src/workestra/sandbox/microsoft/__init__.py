"""Emulator of the Microsoft identity platform v2.0 and Microsoft Graph calendar APIs.

Mounted by `workestra.sandbox.create_sandbox_app` under /microsoft; imports nothing of workestra.
"""

from starlette.routing import BaseRoute, Mount

from .control import MicrosoftControl
from .graph import GraphEndpoints, GraphService
from .identity import IdentityEndpoints
from .state import MicrosoftState

__all__ = ["MicrosoftSandbox"]


class MicrosoftSandbox:
    """One emulated Microsoft cloud: its state, public routes and control routes."""

    name = "microsoft"

    def __init__(self) -> None:
        self.state = MicrosoftState()

    def routes(self) -> list[BaseRoute]:
        graph = GraphEndpoints(GraphService(self.state))
        return [Mount("", routes=IdentityEndpoints(self.state).routes() + graph.routes())]

    def control_routes(self) -> list[BaseRoute]:
        return MicrosoftControl(self.state).routes()

    def reset(self) -> None:
        self.state.reset()
