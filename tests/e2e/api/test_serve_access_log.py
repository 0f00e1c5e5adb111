"""`workestra serve` keeps the health probes out of its access log; every other request is logged."""

import asyncio
from pathlib import Path

import httpx2

from tests.support.processes import ServeProcess, cli_env, run_cli
from tests.support.server import free_port
from tests.support.waiting import eventually


async def test_probes_are_not_in_the_access_log_but_other_requests_are(tmp_path: Path) -> None:
    port = free_port()
    env = cli_env(f"sqlite+aiosqlite:///{tmp_path / 'serve.sqlite3'}", port)
    await asyncio.to_thread(run_cli, ["migrate"], env=env, cwd=tmp_path)
    server = ServeProcess(port=port, env=env, cwd=tmp_path, worker=False)
    log = tmp_path / f"serve-{port}.log"
    try:
        await asyncio.to_thread(server.wait_ready)
        async with httpx2.AsyncClient(base_url=server.url, timeout=30) as http:
            for path in ("/healthz", "/readyz", "/healthz?probe=1", "/static/app.css"):
                assert (await http.get(path)).status_code == 200, path

        async def logged_static() -> str | None:
            text = log.read_text()
            return text if '"GET /static/app.css HTTP/1.1" 200' in text else None

        text = await eventually(logged_static, what="the static file's access-log line")
    finally:
        await asyncio.to_thread(server.stop)
    assert '"GET /openapi.json HTTP/1.1" 200' in text  # the readiness poll of ServeProcess
    assert "/healthz" not in text
    assert "/readyz" not in text
