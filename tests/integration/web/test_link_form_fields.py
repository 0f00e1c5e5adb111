"""The link form over HTTP, without JavaScript: a slug made from the title (and a free one offered
when it is taken), each problem beside its field and listed at the top, durations in hours and days."""

import html as html_lib
import re

import httpx2

from tests.integration.web.conftest import PageHost, csrf_of
from tests.integration.web.test_booking_links_pages import link_form, shown_amount
from tests.support.builders import unique

NEW = "/settings/booking-links/new"


def field_error(html: str, name: str) -> str | None:
    found = re.search(rf'<p class="field-error" id="{name}-error">([^<]*)</p>', html)
    return html_lib.unescape(found.group(1)) if found else None


def input_tag(html: str, element_id: str) -> str:
    found = re.search(rf'<(?:input|select|textarea)[^>]* id="{element_id}"[^>]*>', html)
    assert found, element_id
    return found.group(0)


def summary_links(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'<div class="form-error error-summary" id="error-summary".*?</div>', html, re.S)
    assert summary, "no error summary"
    links = re.findall(r'<a href="#([^"]+)">([^<]*)</a>', summary.group(0))
    return [(anchor, html_lib.unescape(text)) for anchor, text in links]


async def test_an_empty_slug_on_a_new_link_is_made_from_the_title(browser: httpx2.AsyncClient) -> None:
    token = await csrf_of(browser, NEW)
    title = f"Café Crème {unique('x')}"
    response = await browser.post("/settings/booking-links", data=link_form(token, title=title, slug=""))
    assert response.status_code == 303, response.text
    listing = (await browser.get("/settings/booking-links")).text
    expected = "cafe-creme-" + title.rsplit(" ", 1)[1].lower()
    assert f'href="/book/{expected}"' in listing


async def test_a_taken_slug_offers_a_free_one_beside_the_field(browser: httpx2.AsyncClient) -> None:
    title = f"Team sync {unique('t')}"
    slug = title.lower().replace(" ", "-")
    token = await csrf_of(browser, NEW)
    assert (
        await browser.post("/settings/booking-links", data=link_form(token, title=title, slug=""))
    ).status_code == 303

    typed = await browser.post("/settings/booking-links", data=link_form(token, title="Other", slug=slug))
    assert typed.status_code == 409
    assert field_error(typed.text, "slug") == f"/book/{slug} is already taken. Try {slug}-2."
    assert f'value="{slug}"' in input_tag(typed.text, "slug")  # what was typed stays

    made = await browser.post("/settings/booking-links", data=link_form(token, title=title, slug=""))
    assert made.status_code == 409
    assert field_error(made.text, "slug") == (
        f"/book/{slug} is already taken, so the slug is now {slug}-2. Save again to use it, or change it."
    )
    assert f'value="{slug}-2"' in input_tag(made.text, "slug")
    again = await browser.post(
        "/settings/booking-links", data=link_form(token, title=title, slug=f"{slug}-2")
    )
    assert again.status_code == 303, again.text


async def test_each_problem_is_beside_its_field_tied_to_it_and_listed_at_the_top(
    browser: httpx2.AsyncClient,
) -> None:
    token = await csrf_of(browser, NEW)
    form = link_form(
        token,
        title="",
        slug="Not a slug!",
        duration_minutes="soon",
        minimum_notice="0.001",
        description="Kept as typed",
        monday_start=["17:00", ""],
        monday_end=["09:00", ""],
    )
    response = await browser.post("/settings/booking-links", data=form)
    assert response.status_code == 422
    html = response.text
    expected = {
        "title": "The title is required.",
        "slug": "Use only lower-case letters, digits and dashes in the slug, such as not-a-slug.",
        "duration_minutes": "Duration must be a whole number of minutes.",
        "monday_hours": (
            "Monday hours end (09:00) before they start (17:00). For hours past midnight, "
            "end the day at 24:00 and continue on the next day from 00:00."
        ),
        "minimum_notice": "Minimum notice must come to whole minutes.",
    }
    for name, message in expected.items():
        assert field_error(html, name) == message, name
    for element_id, error in [
        ("title", "title"),
        ("slug", "slug"),
        ("duration_minutes", "duration_minutes"),
        ("minimum_notice", "minimum_notice"),
        ("monday_start_1", "monday_hours"),
        ("monday_end_2", "monday_hours"),
    ]:
        tag = input_tag(html, element_id)
        assert 'aria-invalid="true"' in tag, tag
        described = re.search(r'aria-describedby="([^"]+)"', tag)
        assert described, tag
        assert f"{error}-error" in described.group(1).split(), tag
    for untouched in ("description", "tuesday_start_1", "booking_horizon"):
        assert "aria-invalid" not in input_tag(html, untouched), untouched
    assert summary_links(html) == [
        ("title", expected["title"]),
        ("slug", expected["slug"]),
        ("duration_minutes", expected["duration_minutes"]),
        ("monday_start_1", expected["monday_hours"]),
        ("minimum_notice", expected["minimum_notice"]),
    ]
    assert "Kept as typed</textarea>" in html
    assert 'value="Not a slug!"' in input_tag(html, "slug")
    assert shown_amount(html, "minimum_notice") == ("0.001", "hours")


async def test_the_services_word_on_a_field_is_said_in_the_forms_units(
    browser: httpx2.AsyncClient, page_host: PageHost
) -> None:
    path = f"/settings/booking-links/{page_host.link.id}"
    token = await csrf_of(browser, path)
    form = link_form(token, slug=page_host.link.slug, minimum_notice="100", minimum_notice_unit="days")
    response = await browser.post(path, data=form)
    assert response.status_code == 422
    assert field_error(response.text, "minimum_notice") == "Minimum notice must be between 0 and 90 days."
    assert summary_links(response.text) == [
        ("minimum_notice", "Minimum notice must be between 0 and 90 days.")
    ]
    assert shown_amount(response.text, "minimum_notice") == ("100", "days")

    form = link_form(token, slug=page_host.link.slug, booking_horizon="0", booking_horizon_unit="weeks")
    response = await browser.post(path, data=form)
    assert (
        field_error(response.text, "booking_horizon") == "Booking horizon must be between 1 day and 730 days."
    )


async def test_durations_are_kept_in_the_apis_units_and_shown_in_the_largest_that_fits(
    browser: httpx2.AsyncClient, page_host: PageHost
) -> None:
    path = f"/settings/booking-links/{page_host.link.id}"
    for typed, unit, horizon, shown in [
        ("1.5", "hours", ("2", "weeks"), ("90", "minutes")),
        ("24", "hours", ("45", "days"), ("1", "days")),
    ]:
        form = link_form(
            await csrf_of(browser, path),
            slug=page_host.link.slug,
            minimum_notice=typed,
            minimum_notice_unit=unit,
            booking_horizon=horizon[0],
            booking_horizon_unit=horizon[1],
        )
        assert (await browser.post(path, data=form)).status_code == 303
        edit = (await browser.get(path)).text
        assert shown_amount(edit, "minimum_notice") == shown
        assert shown_amount(edit, "booking_horizon") == horizon


async def test_an_edited_links_slug_is_not_made_up(browser: httpx2.AsyncClient, page_host: PageHost) -> None:
    path = f"/settings/booking-links/{page_host.link.id}"
    response = await browser.post(path, data=link_form(await csrf_of(browser, path), slug=""))
    assert response.status_code == 422
    assert field_error(response.text, "slug") == "The slug is required."
    assert "data-slug-from" not in input_tag(response.text, "slug")
    assert "data-slug-from" in input_tag((await browser.get(NEW)).text, "slug")
