"""create_app(settings): the composition root. Builds the database, adapters, mail, worker and routes."""

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx2
from fastapi import FastAPI
from fastapi.templating import Jinja2Templates
from starlette.middleware.gzip import GZipMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from workestra.calendars.base import CalendarProvider, OAuthClient
from workestra.calendars.google import GoogleCalendar, GoogleConfig, GoogleOAuth
from workestra.calendars.http import build_client
from workestra.calendars.microsoft import MicrosoftCalendar, MicrosoftConfig, MicrosoftOAuth
from workestra.calendars.none import NoCalendar
from workestra.calendars.registry import CalendarRegistry
from workestra.clock import Clock, SystemClock
from workestra.config import Settings
from workestra.db.engine import Database
from workestra.db.redis_sessions import RedisSessionStore
from workestra.db.sessions import DatabaseSessionStore, SessionStore
from workestra.db.unit_of_work import UnitOfWorkFactory
from workestra.enums import PROVIDER_SLOT, CalendarProviderName, IntegrationProvider
from workestra.mail import MailSender, sender_from_settings
from workestra.security import CsrfSigner, TokenBox
from workestra.security.booking_tokens import BookingTokens
from workestra.security.rate_limit import RateLimiter
from workestra.services.context import ServiceContext
from workestra.web.api import router as api_router
from workestra.web.assets import PREFIX as STATIC_PREFIX
from workestra.web.assets import StaticAssets, json_asset
from workestra.web.docs import install_docs
from workestra.web.errors import install_error_handlers
from workestra.web.health import PROBE_PATHS
from workestra.web.health import router as health_router
from workestra.web.pages import router as pages_router
from workestra.web.security_headers import SecurityHeadersMiddleware
from workestra.web.sessions import ServerSessionMiddleware
from workestra.web.zone_catalog import zones_document
from workestra.worker.runner import Worker

logger = logging.getLogger(__name__)

WEB = Path(__file__).parent / "web"
MAX_BODY_BYTES = 1024 * 1024  # the largest request body any form or API call needs is a few KB


Adapter = tuple[CalendarProvider, OAuthClient]


def _microsoft(settings: Settings, client: httpx2.AsyncClient) -> Adapter | None:
    if not (settings.microsoft_client_id and settings.microsoft_client_secret):
        return None
    config = MicrosoftConfig(
        client_id=settings.microsoft_client_id,
        client_secret=settings.microsoft_client_secret.get_secret_value(),
        redirect_uri=f"{settings.base_url}/integrations/microsoft/callback",
        tenant=settings.microsoft_tenant,
        login_url=settings.microsoft_login_url,
        graph_url=settings.microsoft_graph_url,
    )
    return MicrosoftCalendar(config, client), MicrosoftOAuth(config, client)


def _google(settings: Settings, client: httpx2.AsyncClient) -> Adapter | None:
    if not (settings.google_client_id and settings.google_client_secret):
        return None
    config = GoogleConfig(
        client_id=settings.google_client_id,
        client_secret=settings.google_client_secret.get_secret_value(),
        redirect_uri=f"{settings.base_url}/integrations/google/callback",
        auth_url=settings.google_auth_url,
        token_url=settings.google_token_url,
        calendar_url=settings.google_calendar_url,
        revoke_url=settings.google_revoke_url,
    )
    return GoogleCalendar(config, client), GoogleOAuth(config, client)


# Each provider's adapter, present when its app registration is configured (None otherwise).
ADAPTERS: dict[CalendarProviderName, Callable[[Settings, httpx2.AsyncClient], Adapter | None]] = {
    CalendarProviderName.MICROSOFT: _microsoft,
    CalendarProviderName.GOOGLE: _google,
}


def calendar_registry(settings: Settings, client: httpx2.AsyncClient) -> CalendarRegistry:
    """NoCalendar, plus every provider this server has an app registration for."""
    calendars: dict[CalendarProviderName, CalendarProvider] = {CalendarProviderName.NONE: NoCalendar()}
    oauth: dict[IntegrationProvider, OAuthClient] = {}
    for name, build in ADAPTERS.items():
        adapter = build(settings, client)
        if adapter is not None:
            calendars[name], oauth[PROVIDER_SLOT[name]] = adapter
    return CalendarRegistry(calendars, oauth)


def _format_local(value: datetime, tz: str | ZoneInfo, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    return str(value.astimezone(zone).strftime(fmt))


def _templates(assets: StaticAssets) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(WEB / "templates"))
    templates.env.filters["local"] = _format_local
    templates.env.globals["static_url"] = assets.url
    return templates


@dataclass(frozen=True, slots=True)
class Runtime:
    """What a process opens from settings: the service context plus what must be closed at exit."""

    ctx: ServiceContext
    database: Database
    client: httpx2.AsyncClient

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.ctx.sessions.aclose()
        await self.database.dispose()
        await self.ctx.rate_limiter.aclose()


def _session_store(settings: Settings, database: Database) -> SessionStore:
    if settings.redis_url:
        return RedisSessionStore(settings.redis_url, key_prefix=settings.redis_key_prefix)
    return DatabaseSessionStore(database)


def build_runtime(
    settings: Settings, *, clock: Clock | None = None, mail: MailSender | None = None
) -> Runtime:
    """Everything a use case needs, from settings (used by the app, the CLI, the worker and tests)."""
    database = Database(settings.database_url)
    client = build_client(timeout=httpx2.Timeout(settings.http_timeout_seconds, connect=5.0))
    ctx = ServiceContext(
        uow=UnitOfWorkFactory(database),
        calendars=calendar_registry(settings, client),
        clock=clock or SystemClock(),
        token_box=TokenBox(settings.require_secret_key()),
        mail=mail or sender_from_settings(smtp_url=settings.smtp_url, mail_from=settings.mail_from),
        base_url=settings.base_url,
        sessions=_session_store(settings, database),
        booking_tokens=BookingTokens(settings.require_secret_key()),
        rate_limiter=RateLimiter(
            redis_url=settings.redis_url, key_prefix=settings.redis_key_prefix, overrides=settings.rate_limits
        ),
    )
    return Runtime(ctx=ctx, database=database, client=client)


def create_app(settings: Settings, *, clock: Clock | None = None, mail: MailSender | None = None) -> FastAPI:
    """Wire everything from ``settings``; nothing is opened until the app starts."""
    runtime = build_runtime(settings, clock=clock, mail=mail)
    ctx = runtime.ctx
    worker = Worker(ctx, poll_seconds=settings.worker_poll_seconds)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run_forever(stop)) if settings.run_worker else None
        # What start-up built lives as long as the process: frozen out of the cycle collector's
        # reach, a full collection walks only what requests made (with the app in it, ~100 ms, all
        # requests in flight waiting: the slots p99). Unfrozen at exit, for processes that go on.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            stop.set()
            if task is not None:
                await task
            await runtime.aclose()

    # Bodies past the limit answer 413 as soon as Content-Length (or the bytes so far) shows it.
    app = FastAPI(
        title="Workestra",
        version="0.1.0",
        lifespan=lifespan,
        max_body_size=MAX_BODY_BYTES,
        docs_url=None,  # served by install_docs, under a Content-Security-Policy of their own
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.ctx = ctx
    app.state.worker = worker
    app.state.csrf = CsrfSigner(settings.require_secret_key())
    # Read and fingerprinted once; the zone list is served apart (cacheable), not inlined in pages.
    assets = StaticAssets(WEB / "static", {"zones.json": json_asset(zones_document())})
    app.state.templates = _templates(assets)
    app.add_middleware(
        ServerSessionMiddleware,
        ctx=ctx,
        https_only=settings.base_url.startswith("https://"),
        sessionless_prefixes=("/static/", "/api/", *PROBE_PATHS),
    )
    app.add_middleware(SecurityHeadersMiddleware)  # outside the sessions: on every response
    app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=6)  # when the client accepts gzip
    install_error_handlers(app)
    install_docs(app)
    app.include_router(health_router)
    app.include_router(api_router)
    app.include_router(pages_router)
    app.mount(STATIC_PREFIX, assets, name="static")
    if settings.forwarded_allow_ips.strip():
        # Added last, so it wraps the rest: every part of the app sees one client address. Uvicorn's proxy
        # handling stays off (cli.py), so this is the one place proxies are trusted.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
        if "*" in settings.forwarded_allow_ips:
            logger.warning(
                "WORKESTRA_FORWARDED_ALLOW_IPS=* believes X-Forwarded-For from anyone: a client that "
                "reaches this server directly can claim any address and escape the rate limits"
            )
    return app
