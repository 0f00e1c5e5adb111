"""The outbox: jobs written in the business transaction, claimed by the worker."""

import json
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

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
        payload: dict[str, str] | None = None,
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
        """Mark up to ``limit`` due jobs as running until ``now + lease`` (expired leases are due again)."""
        query = (
            select(OutboxJob)
            .where(
                or_(
                    (OutboxJob.status == JobStatus.PENDING) & (OutboxJob.run_after <= now),
                    (OutboxJob.status == JobStatus.RUNNING) & (OutboxJob.locked_until <= now),
                )
            )
            .order_by(OutboxJob.run_after)
            .limit(limit)
        )
        if self._dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        jobs = list(await self._session.scalars(query))
        for job in jobs:
            job.status = JobStatus.RUNNING
            job.locked_until = now + lease
            job.updated_at = now
        return jobs

    async def get(self, job_id: str) -> OutboxJob | None:
        return await self._session.get(OutboxJob, job_id)

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
