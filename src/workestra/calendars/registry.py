"""Provider name → adapter. Built once by the composition root.

Asking for a provider this server has no app registration for raises ``ProviderNotConfigured`` (a
CalendarError), so a link pointing at it is treated like any unreadable calendar, never as free.
"""

__all__ = ["CalendarRegistry", "ProviderNotConfigured"]

from collections.abc import Mapping

from workestra.calendars.base import CalendarProvider, OAuthClient
from workestra.calendars.errors import ProviderNotConfigured
from workestra.enums import CalendarProviderName, IntegrationProvider


class CalendarRegistry:
    def __init__(
        self,
        calendars: Mapping[CalendarProviderName, CalendarProvider],
        oauth_clients: Mapping[IntegrationProvider, OAuthClient],
    ) -> None:
        if CalendarProviderName.NONE not in calendars:
            raise ValueError("the registry needs the NoCalendar provider")
        self._calendars = dict(calendars)
        self._oauth = dict(oauth_clients)

    def calendar(self, name: CalendarProviderName | str) -> CalendarProvider:
        try:
            return self._calendars[CalendarProviderName(name)]
        except (KeyError, ValueError) as exc:
            raise ProviderNotConfigured(f"calendar provider {name!r} is not configured") from exc

    def oauth(self, provider: IntegrationProvider) -> OAuthClient:
        try:
            return self._oauth[provider]
        except KeyError as exc:
            raise ProviderNotConfigured(f"{provider} is not configured on this server") from exc

    def is_configured(self, name: CalendarProviderName) -> bool:
        return name in self._calendars
