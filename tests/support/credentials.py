"""InMemoryCredentials: a CredentialSource holding one TokenGrant in memory (tests, demo scripts).

A real implementation of the port, not a mock: a forced refresh redeems the refresh token through
the adapter's OAuth client and keeps the newest refresh token, as the service's database-backed one
must (an answer without one, like Google's refreshes, keeps the one held).
"""

import asyncio
import dataclasses

from workestra.calendars.base import OAuthClient, TokenGrant
from workestra.calendars.errors import NeedsReauth


class InMemoryCredentials:
    def __init__(self, oauth: OAuthClient, grant: TokenGrant, *, connection_key: str) -> None:
        self._oauth = oauth
        self._grant = grant
        self._connection_key = connection_key
        self._lock = asyncio.Lock()
        self.refreshes = 0

    @property
    def connection_key(self) -> str:
        return self._connection_key

    @property
    def grant(self) -> TokenGrant:
        return self._grant

    async def access_token(self, *, rejected: str | None = None) -> str:
        if rejected is None or self._grant.access_token != rejected:
            return self._grant.access_token
        async with self._lock:
            if self._grant.access_token != rejected:  # another task refreshed while we waited
                return self._grant.access_token
            if self._grant.refresh_token is None:
                raise NeedsReauth("no refresh token held", reason="expired")
            fresh = await self._oauth.refresh(self._grant.refresh_token)
            # Each redemption returns a new refresh token (PROVIDER-APIS A7); keep ours if not.
            if fresh.refresh_token is None:
                fresh = dataclasses.replace(fresh, refresh_token=self._grant.refresh_token)
            self._grant = fresh
            self.refreshes += 1
            return fresh.access_token
