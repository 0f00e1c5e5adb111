"""Connection slots in ``user_integrations`` and pending OAuth authorizations."""

from datetime import datetime

from sqlalchemy import delete, select
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

    async def for_users(self, user_ids: list[str], provider: str) -> list[UserIntegration]:
        result = await self._session.scalars(
            select(UserIntegration).where(
                UserIntegration.user_id.in_(user_ids), UserIntegration.provider == provider
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

    async def get_state(self, state: str) -> OAuthState | None:
        return await self._session.get(OAuthState, state)

    async def pop_state(self, state: str) -> OAuthState | None:
        """Fetch and delete a pending authorization: a state can be used once."""
        found = await self._session.get(OAuthState, state)
        if found is not None:
            await self._session.execute(delete(OAuthState).where(OAuthState.state == state))
        return found
