"""Public page throughput under load: wrk against `workestra serve --no-worker` on loopback.

Per engine (SQLite, PostgreSQL) one server, one provider-None link; five targets: the slots endpoint
for one week and for four weeks, the booking page, /healthz and a static file. Rounds interleave
every target on every engine, so a busy neighbour on the machine weighs on all of them alike. The
static file is the yardstick: the slots request should cost no more than two static files.
"""

import contextlib
import statistics
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import Skipped
from bench.serve import PostgresUnavailable, Served, postgres_database, served
from bench.wrk import INSTALL_HINT, Run, load, wrk_path
from workestra.clock import SystemClock

CONNECTIONS = 8
ROUNDS = 3
SECONDS = 3
WARM_UP_SECONDS = 1
SLOTS_TO_STATIC_AT_LEAST = 0.5
P99_TO_P50_AT_MOST = 3.0
STATIC = "static file"
SLOTS_WEEK = "slots, one week"
SLOTS_FOUR_WEEKS = "slots, four weeks"
TARGETS = (SLOTS_WEEK, SLOTS_FOUR_WEEKS, "booking page", "/healthz", STATIC)


@dataclass(frozen=True, slots=True)
class Check:
    """One target on one row: what is compared, the limit, whether it holds."""

    label: str
    met: bool


@dataclass(frozen=True, slots=True)
class Row:
    engine: str
    target: str
    runs: tuple[Run, ...]
    static_per_second: float
    checks: tuple[Check, ...] = ()

    @property
    def per_second(self) -> float:
        return statistics.median(run.per_second for run in self.runs)

    @property
    def p50_seconds(self) -> float:
        return statistics.median(run.p50_seconds for run in self.runs)

    @property
    def p99_seconds(self) -> float:
        return statistics.median(run.p99_seconds for run in self.runs)

    @property
    def to_static(self) -> float:
        return self.per_second / self.static_per_second


@dataclass(frozen=True, slots=True)
class Throughput:
    """Rows per engine and target, with the targets each row is held to."""

    name: str
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def met(self) -> bool:
        return all(check.met for row in self.rows for check in row.checks)


def target_paths(slug: str) -> dict[str, str]:
    """Each target's path; the slots start tomorrow in the link's zone (past any minimum notice)."""
    link_zone = ZoneInfo("Europe/Berlin")
    first = SystemClock().now().astimezone(link_zone).date() + timedelta(days=1)
    slots = f"/api/v1/public/links/{slug}/slots?timezone=Europe%2FBerlin&start={first.isoformat()}"
    paths = {
        SLOTS_WEEK: f"{slots}&end={(first + timedelta(days=6)).isoformat()}",
        SLOTS_FOUR_WEEKS: f"{slots}&end={(first + timedelta(days=27)).isoformat()}",
        "booking page": f"/book/{slug}",
        "/healthz": "/healthz",
        STATIC: "/static/app.css",
    }
    assert tuple(paths) == TARGETS
    return paths


def _checks(target: str, runs: list[Run], static_per_second: float) -> tuple[Check, ...]:
    non_2xx = sum(run.non_2xx for run in runs)
    socket_errors = sum(run.socket_errors for run in runs)
    answered = [Check(f"{non_2xx} non-2xx", False)] if non_2xx else []
    if socket_errors:
        answered.append(Check(f"{socket_errors} socket errors", False))
    if target not in (SLOTS_WEEK, SLOTS_FOUR_WEEKS):
        return tuple(answered)
    p50 = statistics.median(run.p50_seconds for run in runs)
    p99 = statistics.median(run.p99_seconds for run in runs)
    checks = [Check(f"p99 <= {P99_TO_P50_AT_MOST:g}x p50", p99 <= P99_TO_P50_AT_MOST * p50)]
    if target == SLOTS_WEEK:
        ratio = statistics.median(run.per_second for run in runs) / static_per_second
        checks.insert(0, Check(f"/static >= {SLOTS_TO_STATIC_AT_LEAST:g}", ratio >= SLOTS_TO_STATIC_AT_LEAST))
    return (*answered, *checks)


@contextlib.contextmanager
def _engines(workdir: Path, notes: list[str]) -> Iterator[dict[str, Served]]:
    with contextlib.ExitStack() as stack:
        sqlite_url = f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
        servers = {"sqlite": stack.enter_context(served(sqlite_url, workdir))}
        try:
            postgres_url = stack.enter_context(postgres_database())
        except PostgresUnavailable as exc:
            notes.append(f"postgresql skipped: {exc}")
        else:
            servers["postgresql"] = stack.enter_context(served(postgres_url, workdir))
        yield servers


def public_pages_throughput(*, repeat: int) -> Throughput | Skipped:
    """Requests/s, p50 and p99 of each public target under 8 connections, on each engine."""
    del repeat  # ROUNDS interleaved wrk runs stand in for timeit's repeats
    name = "public-throughput"
    if wrk_path() is None:
        return Skipped(name, INSTALL_HINT)
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as folder, _engines(Path(folder), notes) as servers:
        runs: dict[tuple[str, str], list[Run]] = {}
        for server in servers.values():
            for path in target_paths(server.slug).values():
                load(server.url + path, seconds=WARM_UP_SECONDS, connections=CONNECTIONS)
        for _ in range(ROUNDS):
            for engine, server in servers.items():
                for target, path in target_paths(server.slug).items():
                    run = load(server.url + path, seconds=SECONDS, connections=CONNECTIONS)
                    runs.setdefault((engine, target), []).append(run)
    rows = []
    for engine in servers:
        static = statistics.median(run.per_second for run in runs[(engine, STATIC)])
        for target in TARGETS:
            measured = runs[(engine, target)]
            rows.append(
                Row(
                    engine=engine,
                    target=target,
                    runs=tuple(measured),
                    static_per_second=static,
                    checks=_checks(target, measured, static),
                )
            )
    notes.append(
        f"wrk -c{CONNECTIONS}, {ROUNDS} interleaved rounds of {SECONDS} s per target (median shown), "
        "no Accept-Encoding, `serve --no-worker` with its access log"
    )
    return Throughput(name=name, rows=tuple(rows), notes=tuple(notes))
