"""Browser sessions in Redis (``WORKESTRA_REDIS_URL``), shared by every ``serve`` process.

One key per session (the id's hash) that Redis expires on its own, and one set per user naming
their sessions so "log out everywhere" can find them. Same contract as the ``sessions`` table.
"""

import json
from datetime import datetime, timedelta

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from workestra.db.sessions import SessionRecord, reporting_outages


def _ttl_ms(record: SessionRecord) -> int:
    # Relative to the time the record was written (our clock), never below a second.
    return max(1000, int((record.expires_at - record.last_seen_at) / timedelta(milliseconds=1)))


def _encode(record: SessionRecord) -> str:
    return json.dumps(
        {
            "user_id": record.user_id,
            "data": record.data,
            "created_at": record.created_at.isoformat(),
            "last_seen_at": record.last_seen_at.isoformat(),
            "expires_at": record.expires_at.isoformat(),
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _decode(text: str) -> SessionRecord | None:
    try:
        value = json.loads(text)
        user_id = value["user_id"]
        data = value["data"]
        return SessionRecord(
            user_id=user_id if isinstance(user_id, str) else None,
            data=data if isinstance(data, dict) else {},
            created_at=datetime.fromisoformat(value["created_at"]),
            last_seen_at=datetime.fromisoformat(value["last_seen_at"]),
            expires_at=datetime.fromisoformat(value["expires_at"]),
        )
    except (ValueError, KeyError, TypeError):
        return None  # not a record of ours: treated as no session


class RedisSessionStore:
    def __init__(self, url: str, *, key_prefix: str = "workestra") -> None:
        self._redis: Redis = Redis.from_url(url, decode_responses=True)
        self._sessions = f"{key_prefix}:session:"
        self._users = f"{key_prefix}:user-sessions:"

    async def get(self, key: str) -> SessionRecord | None:
        async with reporting_outages(RedisError):
            text = await self._redis.get(self._sessions + key)
        return _decode(text) if isinstance(text, str) else None

    async def add(self, key: str, record: SessionRecord) -> None:
        ttl = _ttl_ms(record)
        async with reporting_outages(RedisError), self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._sessions + key, _encode(record), px=ttl, nx=True)
            if record.user_id is not None:
                self._remember(pipe, record.user_id, key, ttl)
            await pipe.execute()

    async def update(self, key: str, record: SessionRecord) -> bool:
        ttl = _ttl_ms(record)
        async with reporting_outages(RedisError):
            # XX: only while the key still exists, so an ended session is never written back.
            stored = await self._redis.set(self._sessions + key, _encode(record), px=ttl, xx=True)
            if stored and record.user_id is not None:
                async with self._redis.pipeline(transaction=True) as pipe:
                    self._remember(pipe, record.user_id, key, ttl)
                    await pipe.execute()
        return bool(stored)

    def _remember(self, pipe: Pipeline, user_id: str, key: str, ttl: int) -> None:
        members = self._users + user_id
        pipe.sadd(members, key)
        # The set lives as long as its longest-lived session (NX: first expiry; GT: only ever longer).
        pipe.pexpire(members, ttl, nx=True)
        pipe.pexpire(members, ttl, gt=True)

    async def delete(self, key: str) -> None:
        async with reporting_outages(RedisError):
            await self._redis.delete(self._sessions + key)

    async def delete_for_user(self, user_id: str) -> None:
        members = self._users + user_id
        async with reporting_outages(RedisError):
            keys = [k if isinstance(k, str) else k.decode() for k in await self._redis.smembers(members)]
            if not keys:
                return
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.delete(*(self._sessions + key for key in keys))
                pipe.srem(members, *keys)
                await pipe.execute()

    async def aclose(self) -> None:
        await self._redis.aclose()
