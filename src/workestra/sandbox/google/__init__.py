"""Emulator of Google OAuth 2.0 (web server flow) and the Google Calendar API v3.

Mounted by `workestra.sandbox.create_sandbox_app` under /google; imports nothing of workestra.
"""

from starlette.routing import BaseRoute, Mount

from .calendar import CalendarEndpoints, CalendarService
from .control import GoogleControl
from .oauth import OAuthEndpoints
from .state import GoogleState

__all__ = ["GoogleSandbox"]


class GoogleSandbox:
    """One emulated Google: its state, public routes and control routes."""

    name = "google"

    def __init__(self) -> None:
        self.state = GoogleState()

    def routes(self) -> list[BaseRoute]:
        calendar = CalendarEndpoints(CalendarService(self.state))
        return [Mount("", routes=OAuthEndpoints(self.state).routes() + calendar.routes())]

    def control_routes(self) -> list[BaseRoute]:
        return GoogleControl(self.state).routes()

    def reset(self) -> None:
        self.state.reset()
