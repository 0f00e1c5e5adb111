"""The outbox worker: claim due jobs, run each with a time limit, record the outcome, never stop.

The same runner serves ``workestra serve`` (in-process) and ``workestra worker`` (alone).
"""

import asyncio
import contextlib
import logging
from datetime import timedelta

from workestra.enums import JobKind, JobStatus
from workestra.services.context import ServiceContext
from workestra.worker.jobs import JOB_HANDLERS, ON_GIVE_UP
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
            jobs = await uow.outbox.claim_due(now=ctx.clock.now(), limit=self._batch, lease=self._lease)
            claimed = [(job.id, JobKind(job.kind), job.booking_id or "", job.attempts) for job in jobs]
            await uow.commit()
        async with asyncio.TaskGroup() as group:
            for job_id, kind, booking_id, attempts in claimed:
                group.create_task(self._run(job_id, kind, booking_id, attempts))
        return len(claimed)

    async def _run(self, job_id: str, kind: JobKind, booking_id: str, attempts: int) -> None:
        ctx = self._ctx
        error: Exception | None = None
        try:
            async with asyncio.timeout(self._attempt_timeout):
                await JOB_HANDLERS[kind](ctx, booking_id)
        except Exception as exc:  # the process edge: a poison job must never stop the loop
            error = exc
        attempts += 1
        now = ctx.clock.now()
        give_up = False
        async with ctx.uow(write=True) as uow:
            job = await uow.outbox.get(job_id)
            if job is None:
                return
            job.attempts = attempts
            job.updated_at = now
            job.locked_until = None
            if error is None:
                job.status = JobStatus.DONE
                job.last_error = None
            else:
                when = next_attempt(attempts=attempts, error=error, now=now, policy=self._policy)
                job.last_error = f"{type(error).__name__}: {error}"[:1000]
                if when is None:
                    job.status = JobStatus.FAILED
                    give_up = True
                else:
                    job.status = JobStatus.PENDING
                    job.run_after = when
            await uow.commit()
        if error is not None:
            logger.warning(
                "job %s (%s) attempt %d failed: %s",
                job_id,
                kind,
                attempts,
                type(error).__name__,
                exc_info=not give_up and _unexpected(error),
            )
        if give_up and kind in ON_GIVE_UP and error is not None:
            try:
                await ON_GIVE_UP[kind](ctx, booking_id, error)
            except Exception:
                logger.exception("give-up handler for job %s failed", job_id)

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
    from workestra.calendars.errors import CalendarError

    return not isinstance(error, CalendarError) and not hasattr(error, "temporary")
