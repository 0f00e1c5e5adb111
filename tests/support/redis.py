"""The Redis server for tests: its URL and a fresh key prefix per test, whose keys go afterwards."""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from tests.support.databases import missing_service

REDIS_URL = os.environ.get("WORKESTRA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass(frozen=True, slots=True)
class RedisForTest:
    url: str
    key_prefix: str
    client: Redis

    @property
    def rate_limit_prefix(self) -> str:
        return f"{self.key_prefix}:limits"

    async def keys(self) -> list[str]:
        """Every key the app wrote under this test's prefix, rate-limit counters aside."""
        found = [key.decode() async for key in self.client.scan_iter(match=f"{self.key_prefix}:*")]
        return sorted(key for key in found if not key.startswith(self.rate_limit_prefix))


@asynccontextmanager
async def redis_for_test() -> AsyncIterator[RedisForTest]:
    """Redis at REDIS_URL with a key prefix no other test uses; skips (fails with CI=true) without it."""
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        try:
            await client.ping()
        except (RedisError, OSError) as exc:
            missing_service(f"Redis is not reachable at {REDIS_URL} ({exc}); scripts/services starts it")
        space = RedisForTest(REDIS_URL, f"wk-test-{uuid.uuid4().hex[:12]}", client)
        try:
            yield space
        finally:
            leftovers = [key async for key in client.scan_iter(match=f"{space.key_prefix}:*")]
            if leftovers:
                await client.delete(*leftovers)
    finally:
        await client.aclose()
