"""The command line as an operator uses it, and the outbox worker running as its own process."""

import asyncio
import json
import os
import signal
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2

from tests.conftest import CLIENT_ID, CLIENT_SECRET, SettingsFactory
from tests.support.builders import ALL_WEEK, make_host, make_link, service_context
from tests.support.clock import FixedClock
from tests.support.microsoft import connect_microsoft, register_app
from tests.support.processes import ALL_DAY_HOURS, WORKESTRA, ServeProcess, cli_env, create_host, run_cli
from tests.support.sandbox import SandboxControl
from tests.support.server import free_port
from tests.support.smtp import SmtpSink
from tests.support.waiting import consistently, eventually
from workestra.clock import SystemClock
from workestra.config import Settings
from workestra.db.models import OutboxJob
from workestra.enums import CalendarSyncStatus, JobKind, JobStatus
from workestra.mail import SmtpSender
from workestra.sandbox import SandboxServer
from workestra.services.booking import book, get_booking
from workestra.services.context import ServiceContext
from workestra.worker.retry import DEFAULT_POLICY
from workestra.worker.runner import Worker


def _env(tmp_path: Path, port: int, smtp: str | None = None) -> dict[str, str]:
    return cli_env(f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}", port, smtp_url=smtp)


def test_users_create_prints_json_with_an_id_and_an_api_key(tmp_path: Path) -> None:
    env = _env(tmp_path, 8000)
    created = json.loads(
        run_cli(
            [
                "users",
                "create",
                "--email",
                "Ops@Example.test",
                "--name",
                "Ops",
                "--password",
                "long-enough-password",
                "--timezone",
                "Europe/Berlin",
            ],
            env=env,
            cwd=tmp_path,
        )
    )
    assert set(created) >= {"id", "api_key"}
    assert created["email"] == "ops@example.test"
    again = subprocess.run(
        [
            *WORKESTRA,
            "users",
            "create",
            "--email",
            "ops@example.test",
            "--name",
            "Ops",
            "--password",
            "long-enough-password",
        ],
        env={**env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert again.returncode == 1  # click's exit status for a refused command
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr


def test_migrate_is_idempotent(tmp_path: Path) -> None:
    env = _env(tmp_path, 8000)
    assert "newest schema" in run_cli(["migrate"], env=env, cwd=tmp_path)
    assert "newest schema" in run_cli(["migrate"], env=env, cwd=tmp_path)


async def _emails(settings: Settings, booking_id: str) -> dict[str, tuple[JobStatus, int]]:
    """The booking's email jobs in the outbox, as the database holds them: status and attempts."""
    async with service_context(settings) as ctx, ctx.uow() as uow:
        jobs = await uow.outbox.for_booking(booking_id)
    return {job.kind: (JobStatus(job.status), job.attempts) for job in jobs}


async def test_the_worker_process_sends_what_serve_no_worker_queued(
    tmp_path: Path, smtp_sink: SmtpSink, make_settings: SettingsFactory
) -> None:
    port = free_port()
    env = {**_env(tmp_path, port, smtp_sink.url), "WORKESTRA_WORKER_POLL_SECONDS": "0.05"}
    database = make_settings(
        database_url=env["WORKESTRA_DATABASE_URL"], secret_key=env["WORKESTRA_SECRET_KEY"]
    )
    key = create_host(env, tmp_path)["api_key"]
    day = (SystemClock().now() + timedelta(days=3)).date().isoformat()
    with ServeProcess(port=port, env=env, cwd=tmp_path, worker=False) as server:
        async with httpx2.AsyncClient(base_url=server.url, timeout=30) as http:
            created = await http.post(
                "/api/v1/booking-links",
                headers={"Authorization": f"Bearer {key}"},
                json={
                    "slug": "call",
                    "title": "Call",
                    "duration_minutes": 30,
                    "timezone": "UTC",
                    "weekly_hours": ALL_DAY_HOURS,
                },
            )
            assert created.status_code == 201
            slots = await http.get("/api/v1/public/links/call/slots", params={"start": day, "end": day})
            start = slots.json()["slots"][0]["start"]
            booked = await http.post(
                "/api/v1/public/links/call/bookings",
                json={"start": start, "name": "Ivo", "email": "ivo@example.test", "timezone": "UTC"},
            )
            assert booked.status_code == 201
            booking_id = booked.json()["id"]
            untried = {
                JobKind.SEND_CONFIRMATION: (JobStatus.PENDING, 0),
                JobKind.NOTIFY_HOST: (JobStatus.PENDING, 0),
            }

            async def still_untried() -> bool:
                return await _emails(database, booking_id) == untried

            # While `serve --no-worker` runs for 20 of a worker's poll intervals, nobody tries them.
            await consistently(still_untried, for_=1.0, what="the emails staying untried")
        worker = await asyncio.create_subprocess_exec(
            *WORKESTRA,
            "worker",
            env={**os.environ, **env},
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            message = await smtp_sink.message_to("ivo@example.test", timeout=20)
            sent = await eventually(
                lambda: _all_done(database, booking_id), what="the worker marking both emails sent"
            )
        finally:
            worker.terminate()
            await asyncio.wait_for(worker.wait(), timeout=15)
    assert message["To"] == "ivo@example.test"
    assert sent == {JobKind.SEND_CONFIRMATION: (JobStatus.DONE, 1), JobKind.NOTIFY_HOST: (JobStatus.DONE, 1)}


async def _all_done(settings: Settings, booking_id: str) -> dict[str, tuple[JobStatus, int]] | None:
    emails = await _emails(settings, booking_id)
    return emails if all(status is JobStatus.DONE for status, _ in emails.values()) else None


LEASE = timedelta(minutes=2)  # the worker's default lease


async def _event_job(ctx: ServiceContext, booking_id: str) -> OutboxJob:
    async with ctx.uow() as uow:
        jobs = await uow.outbox.for_booking(booking_id)
    [job] = [j for j in jobs if j.kind == JobKind.CREATE_CALENDAR_EVENT]
    return job


async def test_a_job_whose_worker_is_killed_each_time_is_given_up_after_max_attempts(
    database_url: str,
    tmp_path: Path,
    make_settings: SettingsFactory,
    sandbox: SandboxControl,
    sandbox_server: SandboxServer,
    smtp_sink: SmtpSink,
) -> None:
    """A `workestra worker` SIGKILLed while it makes the Outlook event has used an attempt; when the
    job keeps dying (claimed, never reported back, lease runs out) up to the policy's last attempt,
    the next worker gives it up the usual way: the host is told on the booking, the invitee is
    still confirmed, and the job is never taken again."""
    port = free_port()
    env = {
        **cli_env(database_url, port),
        "WORKESTRA_MICROSOFT_CLIENT_ID": CLIENT_ID,
        "WORKESTRA_MICROSOFT_CLIENT_SECRET": CLIENT_SECRET,
        "WORKESTRA_MICROSOFT_LOGIN_URL": sandbox_server.microsoft_login_url,
        "WORKESTRA_MICROSOFT_GRAPH_URL": sandbox_server.microsoft_graph_url,
        "WORKESTRA_WORKER_POLL_SECONDS": "0.05",
    }
    settings = make_settings(
        database_url=database_url,
        base_url=env["WORKESTRA_BASE_URL"],
        secret_key=env["WORKESTRA_SECRET_KEY"],
        smtp_url=smtp_sink.url,
    )
    await register_app(sandbox, settings.base_url)
    await sandbox.create_microsoft_user(email="alice@contoso.test", display_name="Alice Contoso")
    clock = FixedClock(SystemClock().now())
    mail = SmtpSender(url=smtp_sink.url, mail_from=settings.mail_from)
    async with service_context(settings, clock=clock, mail=mail) as ctx:
        host = (await make_host(ctx, name="Alice Contoso"))[1]
        await connect_microsoft(ctx, host, sandbox, email="alice@contoso.test")
        link = await make_link(
            ctx, host, timezone="UTC", weekly_hours=ALL_WEEK, calendar_provider="microsoft"
        )
        day = (clock.now() + timedelta(days=3)).date()
        booking = await book(
            ctx,
            link.slug,
            start=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
            name="Ivo",
            email="ivo@example.test",
            timezone="UTC",
        )
        # Every attempt to make the event hangs in Graph, long enough to be killed in the middle.
        await sandbox.add_microsoft_fault(
            status=503, delay_seconds=8, count=50, method="POST", path_contains="/events"
        )

        async def event_posts() -> int:
            requests = await sandbox.microsoft_requests()
            return sum(1 for r in requests if r["method"] == "POST" and r["path"].endswith("/events"))

        worker = await asyncio.create_subprocess_exec(
            *WORKESTRA,
            "worker",
            env={**os.environ, **env},
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            async with asyncio.timeout(20):  # until the worker process is asking Graph for the event
                while await event_posts() == 0:  # noqa: ASYNC110 (polls the sandbox over HTTP)
                    await asyncio.sleep(0.05)
        finally:
            worker.send_signal(signal.SIGKILL)
            await asyncio.wait_for(worker.wait(), timeout=15)
        job = await _event_job(ctx, booking.id)
        assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)  # the killed attempt counted

        # The lease runs out; other workers take the job and die with it too, again and again.
        assert job.locked_until is not None
        clock.advance(job.locked_until - clock.now())
        for _ in range(2, DEFAULT_POLICY.max_attempts + 1):
            clock.advance(LEASE + timedelta(seconds=1))
            async with ctx.uow(write=True) as uow:
                taken = await uow.outbox.claim_due(now=clock.now(), limit=10, lease=LEASE)
                assert [j.id for j in taken] == [job.id]
                await uow.commit()
        assert (await _event_job(ctx, booking.id)).attempts == DEFAULT_POLICY.max_attempts

        clock.advance(LEASE + timedelta(seconds=1))
        runner = Worker(ctx)
        await runner.run_until_idle()
        job = await _event_job(ctx, booking.id)
        assert (job.status, job.attempts) == (JobStatus.FAILED, DEFAULT_POLICY.max_attempts)
        clock.advance(LEASE + timedelta(seconds=1))
        assert await runner.run_once() == 0  # nothing comes back: not retried forever
        assert await event_posts() == 1  # the job never ran again after its last attempt
        stored = await get_booking(ctx, host, booking.id)
    assert stored.status == "confirmed"
    assert stored.calendar_status is CalendarSyncStatus.FAILED
    assert stored.calendar_problem is not None
    assert stored.calendar_problem.startswith("The event couldn't be added to your calendar")
    confirmation = await smtp_sink.message_to("ivo@example.test")
    assert confirmation["To"] == "ivo@example.test"
