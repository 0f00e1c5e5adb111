"""Security headers on every kind of response, and form posts from another origin refused beside the
CSRF token."""

import asyncio
from datetime import timedelta

import asyncpg
import httpx2
import pytest

from tests.conftest import SettingsFactory
from tests.integration.web.conftest import PageHost, csrf_from, log_in
from tests.support.builders import make_host, make_link, service_context
from tests.support.databases import ADMIN_DSN, postgres_database
from tests.support.server import LiveServer, free_port
from workestra.clock import SystemClock

PAGE_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)


def _directives(policy: str) -> dict[str, str]:
    parts = (d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


def _assert_everywhere_headers(response: httpx2.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff", response.url
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin", response.url


def _assert_page_policy(response: httpx2.Response) -> None:
    policy = response.headers["content-security-policy"]
    directives = _directives(policy)
    for directive in PAGE_POLICY:
        name, value = directive.split(" ", 1)
        assert directives.get(name) == value, (response.url, policy)
    assert "unsafe-inline" not in directives["script-src"]


async def test_pages_json_static_files_and_404s_all_carry_the_headers(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    day = (SystemClock().now() + timedelta(days=3)).date().isoformat()
    window = {"start": day, "end": day, "timezone": "UTC"}
    slug = page_host.link.slug
    page = await http.get("/login")
    booking_page = await http.get(f"/book/{slug}")
    api = await http.get(f"/api/v1/public/links/{slug}/slots", params=window)
    static = await http.get("/static/app.css")
    missing_page = await http.get("/no-such-page")
    missing_json = await http.get("/api/v1/public/links/no-such-link/slots", params=window)
    missing_static = await http.get("/static/no-such-file.js")
    for response, status in (
        (page, 200),
        (booking_page, 200),
        (api, 200),
        (static, 200),
        (missing_page, 404),
        (missing_json, 404),
        (missing_static, 404),
    ):
        assert response.status_code == status, response.url
        _assert_everywhere_headers(response)
    assert api.headers["content-type"].startswith("application/json")
    for html in (page, booking_page, missing_page):
        assert html.headers["content-type"].startswith("text/html")
        _assert_page_policy(html)


async def test_the_api_docs_allow_their_own_inline_script_by_hash_only(http: httpx2.AsyncClient) -> None:
    docs = await http.get("/docs")
    assert docs.status_code == 200
    _assert_everywhere_headers(docs)
    directives = _directives(docs.headers["content-security-policy"])
    assert "'sha256-" in directives["script-src"]
    assert "unsafe-inline" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert (await http.get("/openapi.json")).status_code == 200


async def _account(live_server: LiveServer) -> tuple[PageHost, str]:
    async with service_context(live_server.settings) as ctx:
        created, host = await make_host(ctx, name="Orla Origin", password="correct horse battery")
        link = await make_link(ctx, host, title="Intro call")
    return PageHost(host.id, host.name, host.email, "correct horse battery", link), created.api_key


async def _title(http: httpx2.AsyncClient, link_id: str, api_key: str) -> str:
    response = await http.get(
        f"/api/v1/booking-links/{link_id}", headers={"Authorization": f"Bearer {api_key}"}
    )
    assert response.status_code == 200, response.text
    title: str = response.json()["title"]
    return title


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page-with-a-form"},
        # The same host on another port is another origin.
        {"Origin": "http://127.0.0.1:1"},
    ],
    ids=["foreign-origin", "null-origin", "foreign-referer-without-origin", "other-port"],
)
async def test_a_form_post_from_another_origin_is_refused_and_changes_nothing(
    live_server: LiveServer, http: httpx2.AsyncClient, headers: dict[str, str]
) -> None:
    host, api_key = await _account(live_server)
    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as browser:
        await log_in(browser, host)
        path = f"/settings/booking-links/{host.link.id}"
        token = csrf_from((await browser.get(path)).text)
        form = {
            "csrf_token": token,
            "title": "Renamed",
            "slug": host.link.slug,
            "duration_minutes": "30",
            "timezone": host.link.timezone,
            "calendar_provider": "none",
            "monday_start": "09:00",
            "monday_end": "17:00",
        }
        refused = await browser.post(path, data=form, headers=headers)
        assert refused.status_code == 403
        assert "sent from another site" in refused.text
        assert await _title(http, host.link.id, api_key) == "Intro call"

        # The very same post from this site's own pages goes through: only the origin was wrong.
        accepted = await browser.post(path, data=form, headers={"Origin": live_server.url, "Referer": path})
        assert accepted.status_code == 303, accepted.text
        assert await _title(http, host.link.id, api_key) == "Renamed"


async def test_a_foreign_origin_cannot_log_a_host_in_or_out(
    live_server: LiveServer, browser: httpx2.AsyncClient, page_host: PageHost
) -> None:
    token = csrf_from((await browser.get("/calendar")).text)
    refused = await browser.post(
        "/logout", data={"csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert refused.status_code == 403
    assert (await browser.get("/calendar")).status_code == 200  # still logged in

    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as anonymous:
        token = csrf_from((await anonymous.get("/login")).text)
        login = await anonymous.post(
            "/login",
            data={"email": page_host.email, "password": page_host.password, "csrf_token": token},
            headers={"Origin": "https://evil.example"},
        )
        assert login.status_code == 403
        assert (await anonymous.get("/calendar")).status_code == 303


@pytest.mark.postgres
async def test_the_answer_when_the_database_is_gone_carries_the_headers_too(
    make_settings: SettingsFactory,
) -> None:
    """A 500 leaves from outside every middleware: it must carry the headers on its own."""
    port = free_port()
    async with postgres_database() as url:
        settings = make_settings(database_url=url, base_url=f"http://127.0.0.1:{port}", run_worker=False)
        server = LiveServer(settings, port=port)
        await asyncio.to_thread(server.start)
        try:
            admin = await asyncpg.connect(ADMIN_DSN)
            try:  # the database disappears under the running server
                await admin.execute(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
            finally:
                await admin.close()
            slots = "/api/v1/public/links/any-link/slots?start=2031-06-02&end=2031-06-02"
            for path in ("/book/any-link", slots):
                # A connection per request: the server closes one whose request raised.
                async with httpx2.AsyncClient(base_url=server.url, timeout=30) as http:
                    response = await http.get(path)
                assert response.status_code == 500, (path, response.text)
                _assert_everywhere_headers(response)
                _assert_page_policy(response)
        finally:
            await asyncio.to_thread(server.stop)
