"""`workestra` as a user runs it: a subprocess serving on a loopback port, stopped at the end."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx2

WORKESTRA = [sys.executable, "-m", "workestra"]
ALL_DAY_HOURS = {
    day: [{"start": "00:00", "end": "24:00"}]
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
}


def cli_env(database_url: str, port: int, *, smtp_url: str | None = None) -> dict[str, str]:
    """The environment an operator would set for `workestra` against this database and port."""
    env = {
        "WORKESTRA_DATABASE_URL": database_url,
        "WORKESTRA_SECRET_KEY": "cli-test-secret-key-0123456789abcdef",
        "WORKESTRA_BASE_URL": f"http://127.0.0.1:{port}",
    }
    if smtp_url:
        env["WORKESTRA_SMTP_URL"] = smtp_url
    return env


def run_cli(args: list[str], *, env: dict[str, str], cwd: Path) -> str:
    result = subprocess.run(
        [*WORKESTRA, *args],
        env={**os.environ, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"workestra {' '.join(args)} failed: {result.stderr[-2000:]}")
    return result.stdout


def create_host(env: dict[str, str], cwd: Path, *, email: str = "host@example.test") -> dict[str, str]:
    """`workestra users create`, parsed: the host's id, email and api_key."""
    out = run_cli(
        ["users", "create", "--email", email, "--name", "Host", "--password", "long-enough-password"],
        env=env,
        cwd=cwd,
    )
    created: dict[str, str] = json.loads(out)
    return created


class ServeProcess:
    def __init__(self, *, port: int, env: dict[str, str], cwd: Path, worker: bool = True) -> None:
        self.url = f"http://127.0.0.1:{port}"
        args = [*WORKESTRA, "serve", "--host", "127.0.0.1", "--port", str(port)]
        if not worker:
            args.append("--no-worker")
        self._log = (cwd / f"serve-{port}.log").open("w")
        self._process = subprocess.Popen(
            args, env={**os.environ, **env}, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"workestra serve exited early; see {self._log.name}")
            try:
                if httpx2.get(f"{self.url}/openapi.json", timeout=1).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("workestra serve did not become ready")

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
        self._log.close()

    def __enter__(self) -> Self:
        self.wait_ready()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
