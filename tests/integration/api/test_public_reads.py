"""A public request costs one read transaction and a fixed handful of statements, however many reps
a link has, and writes nothing (issue 13: the slots request at the cost of a static file).

The link comes in one statement with its weekly hours, its members and (for slots) its hosts'
bookings around the asked days, each as JSON inside it (``LinkRepository.public_record``)."""

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import httpx2
import pytest
from sqlalchemy import Engine, event

from tests.integration.api.conftest import ApiHost
from tests.support.builders import ALL_WEEK, make_host, make_link, service_context
from tests.support.server import LiveServer
from tests.support.teams import make_team
from workestra.clock import SystemClock
from workestra.services.context import ServiceContext

# No in-process worker: its polls are writes of their own, and only the request's traffic counts here.
pytestmark = pytest.mark.parametrize("live_overrides", [{"run_worker": False}])


@dataclass
class Traffic:
    read_transactions: int = 0
    write_transactions: int = 0
    statements: list[str] = field(default_factory=list)


@contextmanager
def database_traffic(live_server: LiveServer) -> Iterator[Traffic]:
    """What the running server sends its database (SQLite: separate read and write engines)."""
    ctx: ServiceContext = live_server.app.state.ctx
    database = ctx.uow.database
    seen = Traffic()

    def on_read_begin(_conn: object) -> None:
        seen.read_transactions += 1

    def on_write_begin(_conn: object) -> None:
        seen.write_transactions += 1

    def on_statement(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.statements.append(statement)

    hooks: list[tuple[Engine, str, Callable[..., None]]] = [
        (database.read_engine.sync_engine, "begin", on_read_begin),
        (database.write_engine.sync_engine, "begin", on_write_begin),
        (database.read_engine.sync_engine, "before_cursor_execute", on_statement),
        (database.write_engine.sync_engine, "before_cursor_execute", on_statement),
    ]
    for target, name, hook in hooks:
        event.listen(target, name, hook)
    try:
        yield seen
    finally:
        for target, name, hook in hooks:
            event.remove(target, name, hook)


def _selects(traffic: Traffic) -> int:
    return len([s for s in traffic.statements if s.lstrip().upper().startswith("SELECT")])


def _week() -> dict[str, str]:
    first = (SystemClock().now() + timedelta(days=2)).date()
    return {"start": first.isoformat(), "end": (first + timedelta(days=6)).isoformat(), "timezone": "UTC"}


async def test_a_slots_request_is_one_read_transaction_and_writes_nothing(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost], live_server: LiveServer
) -> None:
    alice, _ = two_hosts
    path = f"/api/v1/public/links/{alice.link.slug}/slots"
    assert (await http.get(path, params=_week())).status_code == 200  # warm: nothing lazy left
    with database_traffic(live_server) as traffic:
        response = await http.get(path, params=_week())
    assert response.status_code == 200
    assert response.json()["slots"]
    assert traffic.read_transactions == 1
    assert traffic.write_transactions == 0
    # The link with its hours, its members and its bookings: one statement.
    assert _selects(traffic) == 1, traffic


async def test_a_round_robin_link_reads_its_pool_in_one_query_however_many_reps(
    http: httpx2.AsyncClient, live_server: LiveServer
) -> None:
    async with service_context(live_server.settings) as ctx:
        _, owner = await make_host(ctx)
        reps = [(await make_host(ctx, name=f"Rep {i}"))[1] for i in range(5)]
        team = await make_team(ctx, owner, reps)
        link = await make_link(
            ctx,
            owner,
            timezone="UTC",
            weekly_hours=ALL_WEEK,
            team_id=team.id,
            round_robin_members=[r.email for r in reps],
        )
    path = f"/api/v1/public/links/{link.slug}/slots"
    assert (await http.get(path, params=_week())).status_code == 200
    with database_traffic(live_server) as traffic:
        response = await http.get(path, params=_week())
    assert response.status_code == 200
    assert traffic.read_transactions == 1
    assert traffic.write_transactions == 0
    # The link (hours, members, every rep's bookings inside), then the pool's connections (one query
    # for all reps).
    assert _selects(traffic) == 2, traffic


async def test_the_booking_page_is_one_read_transaction(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost], live_server: LiveServer
) -> None:
    alice, _ = two_hosts
    assert (await http.get(f"/book/{alice.link.slug}")).status_code == 200
    with database_traffic(live_server) as traffic:
        page = await http.get(f"/book/{alice.link.slug}")
    assert page.status_code == 200
    assert (traffic.read_transactions, traffic.write_transactions) == (1, 0)
    assert _selects(traffic) == 2, traffic  # the link (hours and members inside), its owner's name


async def test_what_start_up_built_is_out_of_the_collectors_way_while_serving(
    http: httpx2.AsyncClient, live_server: LiveServer
) -> None:
    # A full collection walking the whole app took ~100 ms under load, every request in flight
    # waiting (the slots p99); frozen at start-up, it walks only what requests made since.
    assert (await http.get("/healthz")).status_code == 200
    assert gc.get_freeze_count() > 10_000
