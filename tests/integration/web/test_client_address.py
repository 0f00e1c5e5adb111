"""Who the client is: the peer address, unless a proxy listed in WORKESTRA_FORWARDED_ALLOW_IPS says
otherwise. A forged X-Forwarded-For must not buy a fresh login budget."""

import httpx2
import pytest

from tests.integration.web.conftest import PageHost, csrf_of

TRUST_LOOPBACK_PROXY = {"forwarded_allow_ips": "127.0.0.1"}


async def _log_in(
    http: httpx2.AsyncClient, host: PageHost, *, password: str, forwarded_for: str | None = None
) -> httpx2.Response:
    token = await csrf_of(http, "/login")
    return await http.post(
        "/login",
        data={"email": host.email, "password": password, "csrf_token": token},
        headers={"X-Forwarded-For": forwarded_for} if forwarded_for else None,
    )


async def test_a_changing_forwarded_for_does_not_reset_the_login_throttle(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    for i in range(10):
        wrong = await _log_in(http, page_host, password="nope", forwarded_for=f"198.51.100.{i + 1}")
        assert wrong.status_code == 401
    right = await _log_in(http, page_host, password=page_host.password, forwarded_for="198.51.100.99")
    assert right.status_code == 429
    assert "Too many failed logins" in right.text
    assert 0 < int(right.headers["Retry-After"]) <= 15 * 60
    assert (await http.get("/calendar")).status_code == 303  # not logged in


@pytest.mark.parametrize("live_overrides", [TRUST_LOOPBACK_PROXY])
async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_login_budget(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    for _ in range(10):
        wrong = await _log_in(http, page_host, password="nope", forwarded_for="203.0.113.7")
        assert wrong.status_code == 401
    guesser = await _log_in(http, page_host, password=page_host.password, forwarded_for="203.0.113.7")
    assert guesser.status_code == 429
    owner = await _log_in(http, page_host, password=page_host.password, forwarded_for="198.51.100.20")
    assert owner.status_code == 303
    assert owner.headers["location"] == "/calendar"


async def test_a_right_password_forgives_the_failures_before_it(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    for _ in range(2):
        for _ in range(9):
            wrong = await _log_in(http, page_host, password="nope")
            assert wrong.status_code == 401
        right = await _log_in(http, page_host, password=page_host.password)
        assert right.status_code == 303
        http.cookies.clear()  # a new browser for the next round
