"""The outbox: jobs written in the business transaction, claimed by the worker."""

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from workestra.db.models import OutboxJob
from workestra.enums import JobKind, JobStatus


class OutboxRepository:
    def __init__(self, session: AsyncSession, *, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    def add(
        self,
        kind: JobKind,
        *,
        now: datetime,
        booking_id: str | None = None,
        payload: Mapping[str, Any] | None = None,
        run_after: datetime | None = None,
    ) -> OutboxJob:
        job = OutboxJob(
            kind=kind,
            booking_id=booking_id,
            payload=json.dumps(payload or {}),
            status=JobStatus.PENDING,
            attempts=0,
            run_after=run_after or now,
            created_at=now,
            updated_at=now,
        )
        self._session.add(job)
        return job

    async def claim_due(self, *, now: datetime, limit: int, lease: timedelta) -> list[OutboxJob]:
        """Lease up to ``limit`` due jobs until ``now + lease`` and count their attempt, in this transaction.

        The attempt is counted when the job is taken, not when its handler returns, so a handler that
        kills its process (or outlives its lease) still uses up an attempt. A job whose lease expired
        is due again. A booking's jobs run in the order they were queued: a job waits while a job of its
        booking queued earlier (``created_at``) is pending or leased, so no email goes out before its
        event is made and no update overtakes its create. Jobs queued in one transaction (the two
        emails of a booking) don't wait on each other: a failing one never holds up the other.
        On PostgreSQL the rows are locked with ``SKIP LOCKED`` so several workers never take the
        same job; on SQLite the writing unit of work holds the database write lock.
        """
        earlier = aliased(OutboxJob)
        unfinished_earlier = (
            select(earlier.id)
            .where(
                earlier.booking_id == OutboxJob.booking_id,
                earlier.status.in_([JobStatus.PENDING, JobStatus.RUNNING]),
                earlier.created_at < OutboxJob.created_at,
            )
            .exists()
        )
        query = (
            select(OutboxJob)
            .where(
                or_(
                    (OutboxJob.status == JobStatus.PENDING) & (OutboxJob.run_after <= now),
                    (OutboxJob.status == JobStatus.RUNNING) & (OutboxJob.locked_until <= now),
                ),
                ~unfinished_earlier,
            )
            .order_by(OutboxJob.run_after, OutboxJob.created_at, OutboxJob.id)
            .limit(limit)
        )
        if self._dialect == "postgresql":
            query = query.with_for_update(skip_locked=True, of=OutboxJob)
        jobs = list(await self._session.scalars(query))
        for job in jobs:
            job.status = JobStatus.RUNNING
            job.attempts += 1
            job.locked_until = now + lease
            job.updated_at = now
        return jobs

    async def held(self, job_id: str, *, attempts: int) -> OutboxJob | None:
        """The job, locked for recording its outcome, if it is still leased by the claim that counted
        ``attempts`` (None once another worker took it again after the lease ran out)."""
        query = select(OutboxJob).where(
            OutboxJob.id == job_id,
            OutboxJob.status == JobStatus.RUNNING,
            OutboxJob.attempts == attempts,
        )
        if self._dialect == "postgresql":
            query = query.with_for_update()
        job: OutboxJob | None = await self._session.scalar(query)
        return job

    async def for_booking(self, booking_id: str) -> list[OutboxJob]:
        result = await self._session.scalars(
            select(OutboxJob).where(OutboxJob.booking_id == booking_id).order_by(OutboxJob.created_at)
        )
        return list(result)

    async def pending_count(self) -> int:
        result = await self._session.scalar(
            select(func.count())
            .select_from(OutboxJob)
            .where(OutboxJob.status.in_([JobStatus.PENDING, JobStatus.RUNNING]))
        )
        return int(result or 0)
