"""Builders for test data, through the real use cases (unique values per test, real commits)."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from workestra.app import build_runtime
from workestra.clock import Clock
from workestra.config import Settings
from workestra.mail import MailSender
from workestra.services.booking_links import LinkInput, LinkView, create_link
from workestra.services.context import ServiceContext
from workestra.services.users import CreatedUser, Host, create_user, get_host


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@asynccontextmanager
async def service_context(
    settings: Settings, *, clock: Clock | None = None, mail: MailSender | None = None
) -> AsyncIterator[ServiceContext]:
    runtime = build_runtime(settings, clock=clock, mail=mail)
    try:
        yield runtime.ctx
    finally:
        await runtime.aclose()


async def make_host(
    ctx: ServiceContext,
    *,
    name: str = "Hana Host",
    timezone: str = "Europe/Berlin",
    password: str = "correct horse battery",  # noqa: S107  (test accounts)
    email: str | None = None,
) -> tuple[CreatedUser, Host]:
    created = await create_user(
        ctx,
        email=email or f"{unique('host')}@example.test",
        name=name,
        password=password,
        timezone=timezone,
    )
    host = await get_host(ctx, created.id)
    assert host is not None
    return created, host


ALL_WEEK = {
    day: [("00:00", "24:00")]
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
}


async def make_link(ctx: ServiceContext, host: Host, **fields: object) -> LinkView:
    values: dict[str, object] = {
        "slug": unique("intro"),
        "title": "Intro call",
        "duration_minutes": 30,
        "timezone": "Europe/Berlin",
        "weekly_hours": ALL_WEEK,
    }
    values.update(fields)
    return await create_link(ctx, host, LinkInput(**values))  # type: ignore[arg-type]  # field names
