"""Connection slots in ``user_integrations`` and pending OAuth authorizations."""

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from workestra.db.models import OAuthState, UserIntegration


class IntegrationRepository:
    def __init__(self, session: AsyncSession, *, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    def add(self, integration: UserIntegration) -> None:
        self._session.add(integration)

    async def get(self, user_id: str, provider: str, *, for_update: bool = False) -> UserIntegration | None:
        query = select(UserIntegration).where(
            UserIntegration.user_id == user_id, UserIntegration.provider == provider
        )
        if for_update and self._dialect == "postgresql":
            query = query.with_for_update()
        if for_update:
            query = query.execution_options(populate_existing=True)
        return (await self._session.scalars(query)).first()

    async def for_user(self, user_id: str) -> list[UserIntegration]:
        result = await self._session.scalars(
            select(UserIntegration)
            .where(UserIntegration.user_id == user_id)
            .order_by(UserIntegration.provider)
        )
        return list(result)

    async def for_users(self, user_ids: list[str], providers: list[str]) -> list[UserIntegration]:
        """These users' connections in any of these provider slots, in one query."""
        result = await self._session.scalars(
            select(UserIntegration).where(
                UserIntegration.user_id.in_(user_ids), UserIntegration.provider.in_(providers)
            )
        )
        return list(result)

    async def remove(self, integration: UserIntegration) -> None:
        await self._session.delete(integration)

    def add_state(self, state: OAuthState) -> None:
        self._session.add(state)

    async def purge_states(self, *, created_before: datetime) -> None:
        """Forget authorizations nobody finished (abandoned sign-ins)."""
        await self._session.execute(delete(OAuthState).where(OAuthState.created_at < created_before))

    async def get_state(self, state: str, *, for_update: bool = False) -> OAuthState | None:
        """A pending authorization; ``for_update`` locks it until the transaction ends (a row lock
        on PostgreSQL; SQLite's write transaction is exclusive already) and reads it afresh."""
        query = select(OAuthState).where(OAuthState.state == state)
        if for_update and self._dialect == "postgresql":
            query = query.with_for_update()
        if for_update:
            query = query.execution_options(populate_existing=True)
        return (await self._session.scalars(query)).first()

    async def use_state(self, state: str) -> bool:
        """Delete a pending authorization: a state can be used once. False when it was gone
        already (another callback used it first)."""
        result = await self._session.execute(delete(OAuthState).where(OAuthState.state == state))
        return cast("CursorResult[Any]", result).rowcount == 1
