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


async def consistently(
    probe: Callable[[], Awaitable[bool]],
    *,
    for_: float,
    every: float = 0.05,
    what: str = "the condition",
) -> None:
    """Call ``probe`` for ``for_`` s and fail the first time it returns False: for something that
    must *not* happen, watched for a set time (many of the watched process's poll intervals)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + for_
    while loop.time() < deadline:
        if not await probe():
            raise AssertionError(f"{what} stopped holding within {for_} s")
        await asyncio.sleep(every)
