"""Readiness for load balancers and orchestrators: the database answers and its schema is the one
this code was built for (migrations at head). Liveness needs nothing: the process answered."""

import asyncio
from dataclasses import dataclass

from workestra.db.migrate import DatabaseUnreachable, applied_revisions, head_revisions
from workestra.services.context import ServiceContext

READINESS_TIMEOUT_SECONDS = 3.0  # a probe must answer quickly, even while the database hangs


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    reason: str | None = None


def _names(revisions: frozenset[str]) -> str:
    return ", ".join(sorted(revisions)) or "none"


async def readiness(ctx: ServiceContext) -> Readiness:
    """Ready when a `SELECT 1` answers and the applied migrations are the head ones."""
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            applied = await applied_revisions(ctx.uow.database)
    except TimeoutError:
        return Readiness(False, f"database did not answer within {READINESS_TIMEOUT_SECONDS:g} s")
    except DatabaseUnreachable as exc:
        return Readiness(False, f"database unreachable ({exc})")
    head = head_revisions()
    if applied != head:
        return Readiness(False, f"database schema at {_names(applied)}, this code needs {_names(head)}")
    return Readiness(True)
