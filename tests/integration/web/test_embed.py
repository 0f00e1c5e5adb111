"""The booking widget over HTTP: /embed.js, the embed view of the booking flow (framable only by the
link's allowed origins, no site chrome, every step kept in the frame, no cookie needed), and the
link's allowed origins through the API and the settings form."""

import html
import re
from dataclasses import dataclass

import httpx2
import pytest

from tests.integration.web.conftest import PageHost, book_first_slot, csrf_of, log_in
from tests.support.builders import make_host, make_link, service_context
from tests.support.server import LiveServer
from workestra.services.booking_links import LinkView

ALLOWED = ["https://a.example", "https://b.example"]


@dataclass(frozen=True)
class KeyHost:
    headers: dict[str, str]
    link: LinkView


@pytest.fixture
async def key_host(live_server: LiveServer) -> KeyHost:
    """A host with an API key and a link that two sites may embed."""
    async with service_context(live_server.settings) as ctx:
        created, host = await make_host(ctx, name="Emma Embedder")
        link = await make_link(ctx, host, embed_allowed_origins=ALLOWED)
    return KeyHost({"Authorization": f"Bearer {created.api_key}"}, link)


def frame_ancestors(response: httpx2.Response) -> str:
    policy = response.headers["content-security-policy"]
    [directive] = [d.strip() for d in policy.split(";") if d.strip().startswith("frame-ancestors ")]
    return directive.removeprefix("frame-ancestors ")


def hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page)]


def textarea(page: str, field_id: str) -> str:
    match = re.search(rf'<textarea id="{field_id}"[^>]*>([^<]*)</textarea>', page)
    assert match, f"no textarea {field_id}"
    return html.unescape(match.group(1))


def flow_links(page: str) -> list[str]:
    """The page's links within the booking flow (not its stylesheets, icon or meeting link)."""
    return [h for h in hrefs(page) if "/book/" in h or "/bookings/" in h]


async def test_the_embed_view_may_be_framed_by_the_links_allowed_origins_only(
    http: httpx2.AsyncClient, key_host: KeyHost
) -> None:
    page = await http.get(f"/book/{key_host.link.slug}", params={"embed": "1"})
    assert page.status_code == 200
    assert frame_ancestors(page) == "https://a.example https://b.example"
    # The rest of the policy is the pages' own: no inline script or style anywhere.
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "style-src 'self'" in page.headers["content-security-policy"]
    assert "set-cookie" not in page.headers  # nothing in the frame needs (or gets) a cookie


async def test_a_link_that_lists_no_origins_may_be_framed_by_any_site(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    page = await http.get(f"/book/{page_host.link.slug}?embed=1")
    assert page.status_code == 200
    assert frame_ancestors(page) == "*"


async def test_every_other_page_still_refuses_every_frame(
    http: httpx2.AsyncClient, key_host: KeyHost, page_host: PageHost
) -> None:
    booking = await book_first_slot(http, key_host.link.slug)
    for path in (
        f"/book/{key_host.link.slug}",
        f"/book/{key_host.link.slug}?embed=0",
        f"/book/{key_host.link.slug}/confirmed/{booking['id']}",
        "/login",
        "/no-such-page?embed=1",
        "/book/no-such-link?embed=1",
    ):
        response = await http.get(path)
        assert frame_ancestors(response) == "'none'", path


async def test_the_embed_view_has_no_site_chrome(http: httpx2.AsyncClient, key_host: KeyHost) -> None:
    page = (await http.get(f"/book/{key_host.link.slug}?embed=1")).text
    assert 'class="topbar"' not in page
    assert 'class="footer"' not in page
    assert 'class="skip-link"' not in page
    assert 'id="booking"' in page
    assert re.search(r'href="/static/embed\.css\?v=[0-9a-f]+"', page)
    assert 'data-embed-query="embed=1"' in page
    assert page.count("book.js") == 1
    full = (await http.get(f"/book/{key_host.link.slug}")).text
    assert 'class="topbar"' in full
    assert "embed.css" not in full


async def test_an_accent_colour_becomes_readable_primary_colours(
    http: httpx2.AsyncClient, key_host: KeyHost
) -> None:
    page = (await http.get(f"/book/{key_host.link.slug}", params={"embed": "1", "accent": "#0a7"})).text
    assert 'data-embed-query="embed=1&amp;accent=%2300aa77"' in page
    # #00aa77 on white is 2.9:1: darkened until white text on it, and it on white, read at 4.5:1.
    assert 'data-primary="#007753"' in page
    assert 'data-primary-dark="#005f42"' in page
    assert 'data-primary-soft="#e6f6f1"' in page


@pytest.mark.parametrize("accent", ["red", "#12", '#0a7"><script>', "url(x)", ""])
async def test_an_accent_that_isnt_a_hex_colour_is_left_out(
    http: httpx2.AsyncClient, key_host: KeyHost, accent: str
) -> None:
    page = await http.get(f"/book/{key_host.link.slug}", params={"embed": "1", "accent": accent})
    assert page.status_code == 200
    assert "data-primary" not in page.text
    assert 'data-embed-query="embed=1"' in page.text
    assert "<script>" not in page.text


async def test_the_flow_stays_in_the_frame_and_framable_through_confirmation_cancel_and_reschedule(
    http: httpx2.AsyncClient, key_host: KeyHost
) -> None:
    slug = key_host.link.slug
    booking = await book_first_slot(http, slug)
    embed = "embed=1&accent=%2300aa77"

    confirmed = await http.get(f"/book/{slug}/confirmed/{booking['id']}?tz=UTC&{embed}")
    assert confirmed.status_code == 200
    assert frame_ancestors(confirmed) == "https://a.example https://b.example"
    assert 'class="topbar"' not in confirmed.text
    links = flow_links(confirmed.text)
    assert f"{booking['reschedule_url']}&{embed}" in links
    assert f"{booking['cancel_url']}&{embed}" in links
    assert f"/book/{slug}?{embed}" in links
    assert all(embed in link for link in links), links

    cancel_path = "/" + str(booking["cancel_url"]).split("/", 3)[3]
    cancel = await http.get(f"{cancel_path}&{embed}")
    assert cancel.status_code == 200
    assert frame_ancestors(cancel) == "https://a.example https://b.example"
    assert 'class="topbar"' not in cancel.text
    # The cancel form goes through book.js to the JSON API: no form token, so no cookie.
    assert f'data-cancel-api="/api/v1/public/bookings/{booking["id"]}/cancel"' in cancel.text
    assert 'name="csrf_token"' not in cancel.text
    assert "set-cookie" not in cancel.headers
    assert all(embed in link for link in flow_links(cancel.text)), flow_links(cancel.text)

    reschedule_path = "/" + str(booking["reschedule_url"]).split("/", 3)[3]
    reschedule = await http.get(f"{reschedule_path}&{embed}")
    assert reschedule.status_code == 200
    assert frame_ancestors(reschedule) == "https://a.example https://b.example"
    assert 'class="topbar"' not in reschedule.text
    assert f'data-embed-query="{embed.replace("&", "&amp;")}"' in reschedule.text

    # Outside the widget the same pages are not framable and show the site as before.
    for path in (cancel_path, reschedule_path):
        response = await http.get(path)
        assert frame_ancestors(response) == "'none'"
        assert 'class="topbar"' in response.text


async def test_the_embedded_flow_needs_no_cookie(live_server: LiveServer, key_host: KeyHost) -> None:
    """What book.js sends from the frame, from a client that never keeps a cookie: the page, the
    slots, the booking, the confirmation, and the cancel through the JSON API."""
    slug = key_host.link.slug
    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as bare:
        page = await bare.get(f"/book/{slug}?embed=1")
        assert page.status_code == 200
        booking = await book_first_slot(bare, slug)
        bare.cookies.clear()
        confirmed = await bare.get(f"/book/{slug}/confirmed/{booking['id']}?embed=1")
        assert confirmed.status_code == 200
        token = str(booking["cancel_url"]).split("token=", 1)[1]
        bare.cookies.clear()
        cancelled = await bare.post(
            f"/api/v1/public/bookings/{booking['id']}/cancel", json={"token": token, "reason": "Busy"}
        )
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["status"] == "cancelled"
        for response in (page, confirmed, cancelled):
            assert "set-cookie" not in response.headers


async def test_embed_js_is_served_as_cacheable_javascript_at_a_fixed_url(http: httpx2.AsyncClient) -> None:
    response = await http.get("/embed.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "workestra:booked" in response.text
    assert "set-cookie" not in response.headers
    etag = response.headers["etag"]
    again = await http.get("/embed.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    head = await http.head("/embed.js")
    assert head.status_code == 200
    assert head.headers["etag"] == etag


async def test_the_api_takes_normalised_origins_and_refuses_others(
    http: httpx2.AsyncClient, key_host: KeyHost
) -> None:
    path = f"/api/v1/booking-links/{key_host.link.id}"
    shown = await http.get(path, headers=key_host.headers)
    assert shown.json()["embed_allowed_origins"] == ALLOWED

    changed = await http.patch(
        path,
        headers=key_host.headers,
        json={
            "embed_allowed_origins": [
                "HTTPS://Shop.Example:443/",
                "http://127.0.0.2:8080",
                "https://shop.example",
            ]
        },
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["embed_allowed_origins"] == ["https://shop.example", "http://127.0.0.2:8080"]
    page = await http.get(f"/book/{key_host.link.slug}?embed=1")
    assert frame_ancestors(page) == "https://shop.example http://127.0.0.2:8080"

    for origins in (
        ["https://shop.example/booking"],
        ["ftp://shop.example"],
        ["https://user@shop.example"],
        ["https://shop.example?x=1"],
        ["https://shop.example; script-src *"],
        ["*"],
        [f"https://s{i}.example" for i in range(21)],
    ):
        refused = await http.patch(path, headers=key_host.headers, json={"embed_allowed_origins": origins})
        assert refused.status_code == 422, (origins, refused.text)
        assert "embed_allowed_origins" in refused.json()["error"]["fields"]
    unchanged = await http.get(path, headers=key_host.headers)
    assert unchanged.json()["embed_allowed_origins"] == ["https://shop.example", "http://127.0.0.2:8080"]

    cleared = await http.patch(path, headers=key_host.headers, json={"embed_allowed_origins": []})
    assert cleared.json()["embed_allowed_origins"] == []
    assert frame_ancestors(await http.get(f"/book/{key_host.link.slug}?embed=1")) == "*"


async def test_the_link_form_saves_the_sites_and_shows_the_snippets(
    http: httpx2.AsyncClient, page_host: PageHost, live_server: LiveServer
) -> None:
    await log_in(http, page_host)
    edit = f"/settings/booking-links/{page_host.link.id}"
    page = (await http.get(edit)).text
    assert "Sites allowed to embed this page" in page
    snippet = textarea(page, "snippet-inline")
    assert snippet == (
        f'<div data-workestra-link="{page_host.link.slug}"></div>\n'
        f'<script src="{live_server.url}/embed.js" async></script>'
    )
    popup = textarea(page, "snippet-popup")
    assert 'data-workestra-mode="popup"' in popup
    assert 'data-workestra-label="Book a call"' in popup
    assert re.search(r'src="/static/copy\.js\?v=[0-9a-f]+"', page)

    form = {
        "csrf_token": await csrf_of(http, edit),
        "title": page_host.link.title,
        "slug": page_host.link.slug,
        "duration_minutes": "30",
        "timezone": "Europe/Berlin",
        "calendar_provider": "none",
        "monday_start": "09:00",
        "monday_end": "17:00",
        "embed_allowed_origins": "https://A.example\n\n  https://b.example/  \n",
    }
    saved = await http.post(edit, data=form)
    assert saved.status_code == 303, saved.text
    assert "https://a.example\nhttps://b.example</textarea>" in (await http.get(edit)).text
    assert frame_ancestors(await http.get(f"/book/{page_host.link.slug}?embed=1")) == (
        "https://a.example https://b.example"
    )

    refused = await http.post(
        edit,
        data={
            **form,
            "csrf_token": await csrf_of(http, edit),
            "embed_allowed_origins": "https://a.example/page",
        },
    )
    assert refused.status_code == 422
    assert 'id="embed_allowed_origins-error"' in refused.text
    assert "is not a site" in html.unescape(refused.text)
