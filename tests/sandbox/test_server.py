"""SandboxServer and the shared control API: ports, URLs, reset, the standalone entry point."""

import subprocess
import sys

import httpx2

from tests.sandbox.flows import GRAPH
from tests.support.sandbox import SandboxControl
from workestra.sandbox import SandboxServer


def test_server_serves_on_a_free_loopback_port_until_stopped() -> None:
    with SandboxServer() as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.microsoft_login_url == f"{server.url}/microsoft/login"
        assert server.microsoft_graph_url == f"{server.url}/microsoft/graph/v1.0"
        response = httpx2.get(f"{server.microsoft_graph_url}/me")
        assert response.status_code == 401
    try:
        httpx2.get(f"{server.url}/microsoft/graph/v1.0/me", timeout=1)
    except httpx2.ConnectError:
        pass
    else:
        raise AssertionError("server still answering after stop()")


async def test_reset_forgets_users_and_apps(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    await control.create_microsoft_user(email="hana@contoso.test", display_name="Hana Host")
    await control.reset()
    response = await http.get("/_sandbox/microsoft/users/hana@contoso.test/events")
    assert response.status_code == 404
    assert (await http.get(f"{GRAPH}/me")).status_code == 401


async def test_control_api_rejects_invalid_bodies(http: httpx2.AsyncClient) -> None:
    response = await http.post("/_sandbox/microsoft/users", json={"email": "x@y.test"})
    assert response.status_code == 422
    bad_zone = await http.post(
        "/_sandbox/microsoft/users",
        json={"email": "x@y.test", "display_name": "X", "password": "p", "time_zone": "CEST"},
    )
    assert bad_zone.status_code == 422


def test_module_refuses_a_non_loopback_host() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "workestra.sandbox", "--host", "0.0.0.0"],  # noqa: S104
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode != 0
    assert "loopback only" in result.stderr
