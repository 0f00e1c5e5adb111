"""Waiting on a condition with a deadline, instead of sleeping a guessed time."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]],
    *,
    within: float = 10.0,
    every: float = 0.05,
    what: str = "the condition",
) -> T:
    """Call ``probe`` until it returns something truthy, and return that; fail after ``within`` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = await probe()
        if result:
            return result
        if loop.time() >= deadline:
            raise AssertionError(f"{what} did not happen within {within} s (last: {result!r})")
        await asyncio.sleep(every)
