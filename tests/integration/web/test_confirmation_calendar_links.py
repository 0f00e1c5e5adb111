"""The confirmation page's add-to-calendar links over HTTP: Google and Outlook get the booking's
title, host, time and meeting link only; the .ics comes from our app for that booking alone, holds
nothing the page doesn't show, and no cache keeps it."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import httpx2

from tests.integration.web.conftest import PageHost, book_first_slot


def hrefs(page: str) -> dict[str, str]:
    links = re.findall(r'<a class="button secondary small" data-calendar="(\w+)" href="([^"]+)"', page)
    return {f"{kind}:{urlsplit(html.unescape(url)).netloc}": html.unescape(url) for kind, url in links}


async def test_google_and_outlook_links_carry_the_booking_and_nothing_private(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    booking = await book_first_slot(http, page_host.link.slug, name="Ivy Private", email="ivy@example.test")
    page = (await http.get(f"/book/{page_host.link.slug}/confirmed/{booking['id']}")).text
    links = hrefs(page)
    assert set(links) == {
        "google:calendar.google.com",
        "outlook:outlook.office.com",
        "outlook:outlook.live.com",
    }
    google = parse_qs(urlsplit(links["google:calendar.google.com"]).query)
    assert google["action"] == ["TEMPLATE"]
    assert google["text"] == ["Hana Host's intro call with Hana Host"]
    assert re.fullmatch(r"\d{8}T\d{6}Z/\d{8}T\d{6}Z", google["dates"][0])
    outlook = parse_qs(urlsplit(links["outlook:outlook.office.com"]).query)
    assert outlook["subject"] == google["text"]
    assert outlook["startdt"][0].endswith("Z")
    for url in links.values():
        assert "ivy" not in url.lower()  # neither the invitee's name nor address
        assert "token" not in url  # nor the private reschedule and cancel links
        assert str(booking["id"]) not in url  # nor the page's own address
        assert page_host.email not in url


async def test_the_ics_is_served_for_that_booking_only_and_never_cached(
    http: httpx2.AsyncClient, page_host: PageHost, other_host: PageHost
) -> None:
    booking = await book_first_slot(http, page_host.link.slug, name="Ivy Private", email="ivy@example.test")
    path = f"/book/{page_host.link.slug}/confirmed/{booking['id']}.ics"
    page = (await http.get(f"/book/{page_host.link.slug}/confirmed/{booking['id']}")).text
    assert f'href="{path}"' in page
    ics = await http.get(path)
    assert ics.status_code == 200
    assert ics.headers["content-type"] == "text/calendar; charset=utf-8"
    assert ics.headers["cache-control"] == "no-store"
    assert ics.headers["content-disposition"].startswith("attachment")
    text = ics.text
    assert "BEGIN:VEVENT" in text
    assert f"UID:{booking['id']}@workestra" in text
    assert "SUMMARY:Hana Host's intro call with Hana Host" in text
    assert "ivy" not in text.lower()  # the invitee isn't in it
    assert page_host.email not in text  # the host's address isn't on the page, so not here
    assert "token" not in text
    assert (await http.get(f"/book/{other_host.link.slug}/confirmed/{booking['id']}.ics")).status_code == 404
    assert (await http.get(f"/book/{page_host.link.slug}/confirmed/not-a-booking.ics")).status_code == 404
