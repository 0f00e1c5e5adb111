"""Command line (checked from outside): serve | worker | migrate | demo | users create."""

import asyncio
import copy
import json
import logging
import signal
from typing import Any

import click
import uvicorn
import uvicorn.config

from workestra.config import Settings, load_settings
from workestra.db.migrate import upgrade_to_head


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx2").setLevel(logging.WARNING)


def _uvicorn_logging() -> dict[str, Any]:
    """Uvicorn's own logging set-up, with the health probes left out of the access log."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config.setdefault("filters", {})["probes"] = {"()": "workestra.web.health.ProbeAccessFilter"}
    config["loggers"]["uvicorn.access"]["filters"] = ["probes"]
    return config


def serve_app(settings: Settings, *, host: str, port: int) -> None:
    from workestra.app import create_app

    asyncio.run(upgrade_to_head(settings.database_url))
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level="info",
        log_config=_uvicorn_logging(),
        proxy_headers=False,  # create_app trusts the proxies in WORKESTRA_FORWARDED_ALLOW_IPS, no others
    )


@click.group()
def main() -> None:
    """Workestra: self-hostable scheduling with Microsoft 365 and Google calendars."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Don't run the outbox worker in this process.")
def serve(host: str, port: int, no_worker: bool) -> None:
    """Migrate the database, then serve the app (and the worker, unless --no-worker)."""
    _logging()
    settings = load_settings(run_worker=not no_worker)
    serve_app(settings, host=host, port=port)


@main.command()
def worker() -> None:
    """Run the outbox worker alone (next to one or more `serve --no-worker`)."""
    _logging()
    settings = load_settings()

    async def run() -> None:
        from workestra.app import build_runtime
        from workestra.worker.runner import Worker

        await upgrade_to_head(settings.database_url)
        runtime = build_runtime(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await Worker(runtime.ctx, poll_seconds=settings.worker_poll_seconds).run_forever(stop)
        finally:
            await runtime.aclose()

    asyncio.run(run())


@main.command()
def migrate() -> None:
    """Bring the database schema to the newest version."""
    settings = load_settings()
    asyncio.run(upgrade_to_head(settings.database_url))
    click.echo("database is at the newest schema")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--sandbox-port", default=0, type=int, help="Port for the provider sandbox (0: any free).")
def demo(host: str, port: int, sandbox_port: int) -> None:
    """Sandbox providers on, demo hosts and links seeded, serve; prints the URLs."""
    from workestra.demo import run_demo

    _logging()
    run_demo(host=host, port=port, sandbox_port=sandbox_port)


@main.group()
def users() -> None:
    """Manage host accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option("--timezone", default="UTC", show_default=True)
def users_create(email: str, name: str, password: str, timezone: str) -> None:
    """Create a host; prints JSON with its `id` and a personal `api_key` (shown once)."""
    from workestra.app import build_runtime
    from workestra.errors import WorkestraError
    from workestra.services.users import create_user

    settings = load_settings()

    async def run() -> dict[str, str]:
        await upgrade_to_head(settings.database_url)
        runtime = build_runtime(settings)
        try:
            created = await create_user(
                runtime.ctx, email=email, name=name, password=password, timezone=timezone
            )
        finally:
            await runtime.aclose()
        return {"id": created.id, "email": created.email, "api_key": created.api_key}

    try:
        click.echo(json.dumps(asyncio.run(run())))
    except WorkestraError as exc:
        raise click.ClickException(exc.message) from exc
