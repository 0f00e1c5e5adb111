"""The booking page without JavaScript, over real HTTP: the page sends such browsers to its plain
view, which lists the shown days with their times; its form books (then the confirmation page),
shows refusals beside the field concerned, answers a time taken meanwhile with fresh times, is
refused without the browser's form token or from another site, and spends the booking budgets."""

import html
import re

import httpx2
import pytest

from tests.integration.web.conftest import PageHost, csrf_from
from tests.support.builders import make_host, make_link, service_context
from tests.support.server import LiveServer

RADIO = re.compile(r'<input type="radio" name="start" value="([^"]+)"')


async def plain_page(http: httpx2.AsyncClient, slug: str, **params: str) -> str:
    response = await http.get(f"/book/{slug}", params={"plain": "1", **params})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"  # it carries this browser's form token
    return response.text


def times(page: str) -> list[str]:
    return [html.unescape(value) for value in RADIO.findall(page)]


async def test_the_scripted_page_sends_browsers_without_javascript_to_the_plain_view(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    response = await http.get(f"/book/{page_host.link.slug}")
    refresh = f'<noscript><meta http-equiv="refresh" content="0; url=/book/{page_host.link.slug}?plain=1">'
    assert refresh in response.text
    assert f'href="/book/{page_host.link.slug}?plain=1"' in response.text  # and a link, should it not follow
    assert "set-cookie" not in response.headers  # the scripted page still sets no cookie
    assert RADIO.search(response.text) is None  # nor reads the calendar for a list it doesn't show


async def test_the_plain_view_lists_seven_days_of_times_and_moves_by_seven_days(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    page = await plain_page(http, page_host.link.slug, tz="Asia/Tokyo")
    offered = times(page)
    assert offered
    assert all(value.endswith("+09:00") for value in offered)  # in the chosen zone
    days = {value[:10] for value in offered}
    assert 1 <= len(days) <= 7
    assert '<select name="tz" id="plain-tz">' in page  # the zone can change without a script
    assert '<option value="Asia/Kolkata"' in page
    assert '<option value="Asia/Calcutta"' not in page
    assert 'name="csrf_token"' in page
    later = re.search(r'href="([^"]+)">Later days', page)
    assert later is not None
    next_page = await http.get(html.unescape(later.group(1)))
    assert next_page.status_code == 200
    assert min(v[:10] for v in times(next_page.text)) > max(days)
    legacy = await plain_page(http, page_host.link.slug, tz="Asia/Calcutta")
    assert '<option value="Asia/Kolkata" selected>' in legacy  # an old name shows as today's


async def test_an_empty_range_links_to_the_first_day_with_free_times(
    http: httpx2.AsyncClient, live_server: LiveServer
) -> None:
    async with service_context(live_server.settings) as ctx:
        _, host = await make_host(ctx, name="Busy Bea")
        link = await make_link(ctx, host, minimum_notice_minutes=10 * 24 * 60)  # nothing for ten days
    page = await plain_page(http, link.slug, tz="Europe/Berlin")
    assert times(page) == []
    assert "No free times these days." in page
    jump = re.search(r'<a href="([^"]+)">Go to the first day with free times \(([^)]+)\)</a>', page)
    assert jump is not None
    first = html.unescape(jump.group(1))
    assert first.startswith(f"/book/{link.slug}?plain=1&tz=Europe%2FBerlin&from=")
    there = await plain_page(http, link.slug, tz="Europe/Berlin", **{"from": first.rsplit("=", 1)[1]})
    assert times(there)[0][:10] == first.rsplit("=", 1)[1]  # the list opens on that day


async def book_through_the_form(
    http: httpx2.AsyncClient, slug: str, *, name: str = "Nia No-Script", email: str = "nia@example.test"
) -> tuple[httpx2.Response, str]:
    page = await plain_page(http, slug, tz="America/New_York")
    start = times(page)[0]
    response = await http.post(
        f"/book/{slug}",
        data={
            "csrf_token": csrf_from(page),
            "start": start,
            "name": name,
            "email": email,
            "tz": "America/New_York",
        },
    )
    return response, start


async def test_the_form_books_and_goes_on_to_the_confirmation_page(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    response, start = await book_through_the_form(http, page_host.link.slug)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(
        rf"/book/{page_host.link.slug}/confirmed/[0-9a-f-]{{36}}\?tz=America%2FNew_York", location
    )
    confirmed = await http.get(location)
    assert "You're booked" in confirmed.text
    assert f"{start[11:16]}–" in confirmed.text  # the booked time, in the invitee's zone
    again = await plain_page(http, page_host.link.slug, tz="America/New_York")
    assert start not in times(again)  # the time is gone from the list


async def test_refusals_show_beside_the_field_and_keep_what_was_typed(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    page = await plain_page(http, page_host.link.slug, tz="America/New_York")
    token = csrf_from(page)
    missing = await http.post(
        f"/book/{page_host.link.slug}",
        data={"csrf_token": token, "name": "", "email": "nia@example.test", "tz": "America/New_York"},
    )
    assert missing.status_code == 422
    text = missing.text
    name_input = re.search(r'<input type="text" id="plain-name"[^>]*>', text)
    assert name_input is not None
    assert 'aria-invalid="true" aria-describedby="name-error"' in name_input.group(0)
    assert '<p class="field-error" id="name-error">Please enter your name.</p>' in text
    assert '<p class="field-error" id="start-error">Please pick one of the times.</p>' in text
    assert 'value="nia@example.test"' in text  # kept
    assert 'role="alert" id="error-summary"' in text
    assert times(text)  # the times again

    bad_email = await http.post(
        f"/book/{page_host.link.slug}",
        data={
            "csrf_token": token,
            "start": times(page)[0],
            "name": "Nia",
            "email": "not an address",
            "tz": "America/New_York",
        },
    )
    assert bad_email.status_code == 422
    assert 'aria-invalid="true" aria-describedby="email-error"' in bad_email.text
    assert re.search(r'<p class="field-error" id="email-error">[^<]+</p>', bad_email.text)
    assert f'value="{times(page)[0]}" checked' in bad_email.text  # the chosen time stays chosen


async def test_a_time_taken_meanwhile_answers_409_with_the_fresh_times(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    page = await plain_page(http, page_host.link.slug, tz="America/New_York")
    start = times(page)[0]
    taken = await http.post(
        f"/api/v1/public/links/{page_host.link.slug}/bookings",
        json={"start": start, "name": "Quick", "email": "quick@example.test", "timezone": "America/New_York"},
    )
    assert taken.status_code == 201
    late = await http.post(
        f"/book/{page_host.link.slug}",
        data={
            "csrf_token": csrf_from(page),
            "start": start,
            "name": "Nia",
            "email": "nia@example.test",
            "tz": "America/New_York",
        },
    )
    assert late.status_code == 409
    assert "that time was just taken" in late.text
    assert start not in times(late.text)
    assert times(late.text)  # other times to pick from
    assert 'value="Nia"' in late.text


async def test_the_form_is_refused_without_the_browsers_token_or_from_another_site(
    live_server: LiveServer, page_host: PageHost
) -> None:
    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as http:
        page = await plain_page(http, page_host.link.slug, tz="UTC")
        fields = {"start": times(page)[0], "name": "Eve", "email": "eve@example.test", "tz": "UTC"}
        no_token = await http.post(f"/book/{page_host.link.slug}", data=fields)
        assert no_token.status_code == 403
        elsewhere = await http.post(
            f"/book/{page_host.link.slug}",
            data={**fields, "csrf_token": csrf_from(page)},
            headers={"Origin": "https://evil.example"},
        )
        assert elsewhere.status_code == 403
    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as stranger:  # another browser
        moved = await stranger.post(
            f"/book/{page_host.link.slug}", data={**fields, "csrf_token": csrf_from(page)}
        )
        assert moved.status_code == 403


@pytest.mark.parametrize(
    "live_overrides",
    [{"forwarded_allow_ips": "127.0.0.1", "rate_limits": {"bookings_per_client": "1/minute"}}],
)
async def test_the_form_spends_the_booking_budget_of_the_client(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    client = {"X-Forwarded-For": "203.0.113.7"}
    page = (
        await http.get(f"/book/{page_host.link.slug}", params={"plain": "1", "tz": "UTC"}, headers=client)
    ).text
    offered = times(page)

    async def post(start: str, email: str) -> httpx2.Response:
        return await http.post(
            f"/book/{page_host.link.slug}",
            data={"csrf_token": csrf_from(page), "start": start, "name": "Nia", "email": email, "tz": "UTC"},
            headers={**client, "Accept": "text/html"},
        )

    assert (await post(offered[0], "one@example.test")).status_code == 303
    refused = await post(offered[1], "two@example.test")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many bookings" in refused.text
