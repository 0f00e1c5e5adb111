"""Users and their API keys."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workestra.db.models import ApiKey, User


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, user: User) -> None:
        self._session.add(user)

    def add_api_key(self, key: ApiKey) -> None:
        self._session.add(key)

    async def get(self, user_id: str) -> User | None:
        return await self._session.get(User, user_id)

    async def by_email(self, email: str) -> User | None:
        result = await self._session.scalars(
            select(User).where(func.lower(User.email) == email.strip().lower())
        )
        return result.first()

    async def by_emails(self, emails: list[str]) -> list[User]:
        wanted = [e.strip().lower() for e in emails]
        result = await self._session.scalars(select(User).where(func.lower(User.email).in_(wanted)))
        return list(result)

    async def by_ids(self, user_ids: list[str]) -> list[User]:
        result = await self._session.scalars(select(User).where(User.id.in_(user_ids)))
        return list(result)

    async def api_key_by_prefix(self, prefix: str) -> tuple[ApiKey, User] | None:
        row = (
            await self._session.execute(
                select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(ApiKey.prefix == prefix)
            )
        ).first()
        return None if row is None else (row[0], row[1])
