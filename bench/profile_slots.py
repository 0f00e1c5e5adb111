"""`python -m bench.profile_slots [--engine sqlite|postgresql] [--seconds N] [--out FILE]`.

Profiles `workestra serve --no-worker` while wrk loads the public slots endpoint (one week, provider
None, 8 connections): py-spy samples the server process, and the summary lists where the busy
samples went, by package and by function (inclusive and self). py-spy is not a dependency of
Workestra: `pip install py-spy` into the venv first.
"""

import argparse
import contextlib
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from bench.serve import postgres_database, served
from bench.throughput import CONNECTIONS, SLOTS_WEEK, target_paths
from bench.wrk import INSTALL_HINT, load, wrk_path

TOP = 25
# Leaves that are a thread blocked waiting (py-spy can't always tell): an aiosqlite connection thread
# waiting for its next statement, the event loop in epoll, a condition wait. Not counted as busy.
_WAITING = {
    "_connection_worker_thread (aiosqlite/core.py)",
    "EpollSelector.select (selectors.py)",
    "Condition.wait (threading.py)",
}
# Inclusive figures only for these: every sample also sits under runpy, click, uvicorn and asyncio.
_INCLUSIVE_PACKAGES = {
    "workestra/scheduling",
    "workestra/db",
    "workestra/services",
    "workestra/web",
    "workestra/security",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "limits",
    "jinja2",
    "pydantic",
}
_PACKAGES = (
    "workestra/scheduling",
    "workestra/db",
    "workestra/services",
    "workestra/web",
    "workestra/security",
    "workestra",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "fastapi",
    "starlette",
    "pydantic",
    "uvicorn",
    "limits",
    "jinja2",
    "asyncio",
    "logging",
)


@contextlib.contextmanager
def _database(engine: str, workdir: Path) -> Iterator[str]:
    if engine == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir / 'profile.sqlite3'}"
    else:
        with postgres_database() as url:
            yield url


def _function(frame: str) -> str:
    """`name (path/file.py:123)` -> `name (path/file.py)`: one entry per function, not per line."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0]})" if where else name


def _package(frame: str) -> str:
    where = frame.partition(" (")[2]
    return next((package for package in _PACKAGES if f"{package}/" in where), "other")


def summarize(raw: str) -> str:
    """Busy samples by package (self time), then functions by inclusive and by self samples."""
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [frame for frame in stack.split(";") if " (" in frame]
        if not frames or _function(frames[-1]) in _WAITING:
            continue
        total += count
        for function in {_function(frame) for frame in frames if _package(frame) in _INCLUSIVE_PACKAGES}:
            inclusive[function] += count
        leaf[_function(frames[-1])] += count
        packages[_package(frames[-1])] += count
    if total == 0:
        return "no samples (is the server busy, and may py-spy attach to it?)\n"

    def share(count: int) -> str:
        return f"{100 * count / total:5.1f}%"

    lines = [f"{total} busy samples (threads waiting for work left out)", "", "self time by package:"]
    lines += [f"  {share(count)}  {package}" for package, count in packages.most_common()]
    lines += ["", f"top {TOP} functions of ours and our libraries, inclusive (with what they call):"]
    lines += [f"  {share(count)}  {function}" for function, count in inclusive.most_common(TOP)]
    lines += ["", f"top {TOP} functions, self:"]
    lines += [f"  {share(count)}  {function}" for function, count in leaf.most_common(TOP)]
    return "\n".join(lines) + "\n"


def profile(*, engine: str, seconds: int, raw_out: Path) -> str:
    beside = Path(sys.executable).parent / "py-spy"  # installed into this venv, maybe not on PATH
    py_spy = str(beside) if beside.exists() else shutil.which("py-spy")
    if py_spy is None:
        raise SystemExit("py-spy is not installed: pip install py-spy")
    if wrk_path() is None:
        raise SystemExit(INSTALL_HINT)
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        server = stack.enter_context(served(stack.enter_context(_database(engine, folder)), folder))
        target = server.url + target_paths(server.slug)[SLOTS_WEEK]
        load(target, seconds=1, connections=CONNECTIONS)  # warm up before sampling
        loader = threading.Thread(
            target=load, args=(target,), kwargs={"seconds": seconds + 2, "connections": CONNECTIONS}
        )
        loader.start()
        record = [py_spy, "record", "--pid", str(server.pid), "--duration", str(seconds), "--rate", "200"]
        subprocess.run(  # noqa: S603  (py-spy found beside this interpreter or on PATH)
            [*record, "--format", "raw", "--output", str(raw_out)],
            check=True,
            capture_output=True,
        )
        loader.join()
    return summarize(raw_out.read_text())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_slots", description=__doc__)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--out", type=Path, help="also write the summary here (raw stacks beside it)")
    args = parser.parse_args(argv)
    raw_out = args.out.with_suffix(".raw.txt") if args.out else Path(tempfile.mkdtemp()) / "slots.raw.txt"
    summary = f"py-spy, {args.engine}, wrk -c{CONNECTIONS} on {SLOTS_WEEK}, {args.seconds} s\n\n"
    summary += profile(engine=args.engine, seconds=args.seconds, raw_out=raw_out)
    if args.out:
        args.out.write_text(summary)
    print(summary, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
