"""`wrk` (Debian's package) driven from Python: one load run against one URL, read back as numbers.

A small Lua `done()` hook prints the figures as one JSON line, so nothing depends on the units of
wrk's human-readable report.
"""

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "wrk is not installed: apt-get install wrk"
_MARKER = "WRK-JSON "
_DONE_HOOK = (
    "done = function(summary, latency, requests)\n"
    "  local e = summary.errors\n"
    f'  io.write(string.format("{_MARKER}'
    '{\\"requests\\": %d, \\"duration_us\\": %d, \\"p50_us\\": %d, \\"p99_us\\": %d, '
    '\\"non_2xx\\": %d, \\"socket_errors\\": %d}\\n",\n'
    "    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),\n"
    "    e.status, e.connect + e.read + e.write + e.timeout))\n"
    "end\n"
)


@dataclass(frozen=True, slots=True)
class Run:
    """What one wrk run measured."""

    requests: int
    seconds: float
    p50_seconds: float
    p99_seconds: float
    non_2xx: int
    socket_errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def wrk_path() -> str | None:
    return shutil.which("wrk")


def load(url: str, *, seconds: int, connections: int, threads: int = 2) -> Run:
    """`wrk -t<threads> -c<connections> -d<seconds>s` against ``url``; raises if wrk fails."""
    executable = wrk_path()
    if executable is None:
        raise RuntimeError(INSTALL_HINT)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as hook:
        hook.write(_DONE_HOOK)
        hook.flush()
        result = subprocess.run(  # noqa: S603  (our own arguments, no shell)
            [
                executable,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(Path(hook.name)),
                url,
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=seconds + 30,
        )
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed on {url}: {result.stderr.strip() or result.stdout.strip()}")
    for line in result.stdout.splitlines():
        if line.startswith(_MARKER):
            figures = json.loads(line.removeprefix(_MARKER))
            return Run(
                requests=figures["requests"],
                seconds=figures["duration_us"] / 1e6,
                p50_seconds=figures["p50_us"] / 1e6,
                p99_seconds=figures["p99_us"] / 1e6,
                non_2xx=figures["non_2xx"],
                socket_errors=figures["socket_errors"],
            )
    raise RuntimeError(f"wrk printed no figures for {url}: {result.stdout[-2000:]}")
