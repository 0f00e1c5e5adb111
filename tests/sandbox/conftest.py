"""Fixtures for the emulator conformance tests: one threaded sandbox server per session."""

from collections.abc import AsyncIterator, Iterator

import httpx2
import pytest

from tests.support.sandbox import SandboxControl, shared_tls_context
from workestra.sandbox import SandboxServer


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


@pytest.fixture
async def control(sandbox_server: SandboxServer) -> SandboxControl:
    """The control API, with the sandbox reset to empty for this test."""
    sandbox = SandboxControl(sandbox_server.url)
    await sandbox.reset()
    return sandbox


@pytest.fixture
async def http(sandbox_server: SandboxServer) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(
        base_url=sandbox_server.url, timeout=10, verify=shared_tls_context()
    ) as client:
        yield client
