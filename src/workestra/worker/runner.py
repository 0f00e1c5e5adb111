"""The outbox worker: claim due jobs, run each with a time limit, record the outcome, never stop.

The same runner serves ``workestra serve`` (in-process) and ``workestra worker`` (alone).
"""

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from workestra.calendars.errors import CalendarError
from workestra.db.models import OutboxJob
from workestra.db.unit_of_work import UnitOfWork
from workestra.enums import JobKind, JobStatus
from workestra.services.context import ServiceContext
from workestra.services.jobs import InvalidPayload, read_payload
from workestra.worker.jobs import JOB_HANDLERS, ON_GIVE_UP, POLICIES, Job
from workestra.worker.retry import (
    DEFAULT_POLICY,
    AttemptAbandoned,
    RetryPolicy,
    next_attempt,
    out_of_attempts,
)

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
        policies: dict[JobKind, RetryPolicy] | None = None,
    ) -> None:
        self._ctx = ctx
        self._batch = batch
        self._lease = lease
        self._attempt_timeout = attempt_timeout
        self._poll_seconds = poll_seconds
        self._policy = policy
        self._policies = POLICIES if policies is None else policies

    def _policy_for(self, kind: str) -> RetryPolicy:
        return self._policies.get(JobKind(kind), self._policy)

    async def run_once(self) -> int:
        """Claim one batch of due jobs and run them concurrently; return how many were claimed.

        Claiming counts the attempt. A job claimed again after all its attempts (its earlier runs
        never reported back: the process died or the lease ran out) is given up here instead of run.
        """
        ctx = self._ctx
        async with ctx.uow(write=True) as uow:
            now = ctx.clock.now()
            rows = await uow.outbox.claim_due(now=now, limit=self._batch, lease=self._lease)
            claimed: list[Job] = []
            for row in rows:
                if out_of_attempts(attempts=row.attempts, policy=self._policy_for(row.kind)):
                    row.attempts -= 1  # this claim runs nothing: the count stays at what ran
                    error = AttemptAbandoned(row.attempts)
                    _give_up(uow, row, error, now=now)
                    logger.warning("job %s (%s) given up: %s", row.id, row.kind, error)
                    continue
                try:
                    payload = read_payload(JobKind(row.kind), row.payload)
                except InvalidPayload as invalid:  # a bug, not bad luck: retrying can't help
                    _give_up(uow, row, invalid, now=now)
                    logger.error("job %s (%s) given up: %s", row.id, row.kind, invalid)
                    continue
                claimed.append(
                    Job(
                        id=row.id,
                        kind=JobKind(row.kind),
                        booking_id=row.booking_id or "",
                        payload=payload,
                        attempts=row.attempts,
                    )
                )
            await uow.commit()
        async with asyncio.TaskGroup() as group:
            for job in claimed:
                group.create_task(self._run_isolated(job))
        return len(rows)

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
        now = ctx.clock.now()
        async with ctx.uow(write=True) as uow:
            row = await uow.outbox.held(job.id, attempts=job.attempts)
            if row is None:  # our lease ran out and another worker took the job: its run decides
                logger.warning("job %s: attempt %d outlived its lease; outcome dropped", job.id, job.attempts)
                return
            row.updated_at = now
            row.locked_until = None
            if error is None:
                row.status = JobStatus.DONE
                row.last_error = None
            else:
                policy = self._policy_for(job.kind)
                when = next_attempt(attempts=job.attempts, error=error, now=now, policy=policy)
                if when is not None:
                    row.status = JobStatus.PENDING
                    row.run_after = when
                    row.last_error = _describe(error)
                else:
                    _give_up(uow, row, error, now=now)
            await uow.commit()
        if error is not None:
            logger.warning(
                "job %s (%s) attempt %d failed: %s",
                job.id,
                job.kind,
                job.attempts,
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


def _give_up(uow: UnitOfWork, row: OutboxJob, error: Exception, *, now: datetime) -> None:
    """Mark the job failed and queue its kind's follow-up in the same transaction (it can't be lost)."""
    row.status = JobStatus.FAILED
    row.locked_until = None
    row.updated_at = now
    row.last_error = _describe(error)
    kind = JobKind(row.kind)
    if kind in ON_GIVE_UP:
        follow_up, payload = ON_GIVE_UP[kind]
        uow.outbox.add(follow_up, now=now, booking_id=row.booking_id, payload=payload(error).payload())


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


def _unexpected(error: Exception) -> bool:
    return not isinstance(error, CalendarError) and not hasattr(error, "temporary")
