"""The outbox worker: claim due jobs, run each with a time limit, record the outcome, never stop.

The same runner serves ``workestra serve`` (in-process) and ``workestra worker`` (alone).
"""

import asyncio
import contextlib
import json
import logging
from datetime import timedelta

from workestra.calendars.errors import CalendarError
from workestra.enums import JobKind, JobStatus
from workestra.services.context import ServiceContext
from workestra.worker.jobs import JOB_HANDLERS, ON_GIVE_UP, Job
from workestra.worker.retry import DEFAULT_POLICY, RetryPolicy, next_attempt

logger = logging.getLogger(__name__)


class Worker:
    def __init__(
        self,
        ctx: ServiceContext,
        *,
        batch: int = 10,
        lease: timedelta = timedelta(minutes=2),
        attempt_timeout: float = 60.0,
        poll_seconds: float = 1.0,
        policy: RetryPolicy = DEFAULT_POLICY,
    ) -> None:
        self._ctx = ctx
        self._batch = batch
        self._lease = lease
        self._attempt_timeout = attempt_timeout
        self._poll_seconds = poll_seconds
        self._policy = policy

    async def run_once(self) -> int:
        """Claim and run one batch of due jobs concurrently; return how many ran."""
        ctx = self._ctx
        async with ctx.uow(write=True) as uow:
            rows = await uow.outbox.claim_due(now=ctx.clock.now(), limit=self._batch, lease=self._lease)
            claimed = [
                Job(
                    id=r.id,
                    kind=JobKind(r.kind),
                    booking_id=r.booking_id or "",
                    payload=json.loads(r.payload or "{}"),
                    attempts=r.attempts,
                )
                for r in rows
            ]
            await uow.commit()
        async with asyncio.TaskGroup() as group:
            for job in claimed:
                group.create_task(self._run_isolated(job))
        return len(claimed)

    async def _run_isolated(self, job: Job) -> None:
        try:
            await self._run(job)
        except Exception:  # bookkeeping failed (database hiccup): the lease expires and it runs again
            logger.exception("recording the outcome of job %s failed", job.id)

    async def _run(self, job: Job) -> None:
        ctx = self._ctx
        error: Exception | None = None
        try:
            async with asyncio.timeout(self._attempt_timeout):
                await JOB_HANDLERS[job.kind](ctx, job)
        except Exception as exc:  # the process edge: a poison job must never stop the loop
            error = exc
        attempts = job.attempts + 1
        now = ctx.clock.now()
        async with ctx.uow(write=True) as uow:
            row = await uow.outbox.get(job.id)
            if row is None:
                return
            row.attempts = attempts
            row.updated_at = now
            row.locked_until = None
            if error is None:
                row.status = JobStatus.DONE
                row.last_error = None
            else:
                when = next_attempt(attempts=attempts, error=error, now=now, policy=self._policy)
                row.last_error = f"{type(error).__name__}: {error}"[:1000]
                if when is not None:
                    row.status = JobStatus.PENDING
                    row.run_after = when
                else:
                    row.status = JobStatus.FAILED
                    if job.kind in ON_GIVE_UP:
                        follow_up, payload = ON_GIVE_UP[job.kind]
                        uow.outbox.add(follow_up, now=now, booking_id=job.booking_id, payload=payload(error))
            await uow.commit()
        if error is not None:
            logger.warning(
                "job %s (%s) attempt %d failed: %s",
                job.id,
                job.kind,
                attempts,
                type(error).__name__,
                exc_info=_unexpected(error),
            )

    async def run_until_idle(self, *, max_rounds: int = 100) -> None:
        """Run batches until nothing is due (tests and the CLI use it; due-later jobs stay)."""
        for _ in range(max_rounds):
            if await self.run_once() == 0:
                return

    async def run_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                ran = await self.run_once()
            except Exception:  # database hiccup: log and keep polling
                logger.exception("worker round failed")
                ran = 0
            if ran == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self._poll_seconds)


def _unexpected(error: Exception) -> bool:
    return not isinstance(error, CalendarError) and not hasattr(error, "temporary")
