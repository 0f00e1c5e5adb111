"""The form → LinkInput helper, without a server."""

import pytest
from starlette.datastructures import FormData

from workestra.enums import CalendarProviderName
from workestra.errors import InvalidInput
from workestra.services.booking_links import LinkView, RotationInput, RotationView
from workestra.services.slugs import slug_from_title
from workestra.web.pages.link_form import (
    BOOKING_HORIZON,
    MINIMUM_NOTICE,
    Amount,
    error_summary,
    to_input,
    values_from_form,
)

NAMED = (("title", "T"), ("slug", "t"))


def form(*pairs: tuple[str, str]) -> FormData:
    return FormData(list(pairs))


def test_repeated_rows_become_several_ranges_and_blank_rows_are_ignored() -> None:
    data = to_input(
        values_from_form(
            form(
                ("slug", "x"),
                ("title", "T"),
                ("duration_minutes", "30"),
                ("timezone", "UTC"),
                ("monday_start", "9:00"),
                ("monday_end", "12:00"),
                ("monday_start", "13:00"),
                ("monday_end", "24:00"),
                ("monday_start", ""),
                ("monday_end", ""),
                ("calendar_provider", "microsoft"),
                ("auto_meeting_link", "on"),
                ("slot_interval_minutes", ""),
            )
        )
    )
    assert data.weekly_hours == {"monday": [("09:00", "12:00"), ("13:00", "24:00")]}
    assert data.auto_meeting_link is True
    assert data.calendar_provider == "microsoft"
    assert data.duration_minutes == 30
    assert data.slot_interval_minutes is None
    assert (data.team_id, data.round_robin_members, data.rotation) == (None, None, None)


def test_an_unchecked_box_is_false_and_a_personal_link_leaves_teams_alone() -> None:
    data = to_input(values_from_form(form(*NAMED, ("team_id", ""), ("round_robin_members", "a@x.test"))))
    assert data.auto_meeting_link is False
    assert data.weekly_hours == {}
    assert (data.team_id, data.round_robin_members, data.rotation) == (None, None, None)


TEAM = "5b0c9a52-3c3e-4a8e-9d7e-2f1f0c1d2e3f"


def pool_row(
    number: int, email: str, *, checked: bool = True, team: str = TEAM, **settings: str
) -> list[tuple[str, str]]:
    prefix = f"pool-{team}-{number}"
    pairs = [(f"{prefix}-email", email)] + ([(prefix, "on")] if checked else [])
    defaults = {"priority": "2", "weight": "1", "daily_limit": ""}
    return pairs + [(f"{prefix}-{part}", value) for part, value in (defaults | settings).items()]


def test_the_chosen_teams_checked_members_are_the_pool_with_their_rotation_settings() -> None:
    data = to_input(
        values_from_form(
            form(
                *NAMED,
                ("team_id", TEAM),
                *pool_row(1, "ann@x.test", priority="4", weight="3", daily_limit="5"),
                *pool_row(2, "ben@x.test", checked=False, weight="oops"),  # not in the pool: not read
                *pool_row(3, "cy@x.test"),
                *pool_row(1, "dee@x.test", team="other-team"),  # another team's: not this link's pool
            )
        )
    )
    assert data.team_id == TEAM
    assert data.round_robin_members == ["ann@x.test", "cy@x.test"]
    assert data.rotation == [
        RotationInput("ann@x.test", 4, 3, 5, clear_daily_limit=False),
        RotationInput("cy@x.test", 2, 1, None, clear_daily_limit=True),  # empty: no limit
    ]


def test_each_members_problem_is_keyed_by_its_input_and_an_empty_pool_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        to_input(
            values_from_form(
                form(
                    *NAMED,
                    ("team_id", TEAM),
                    *pool_row(1, "ann@x.test", weight="0"),
                    *pool_row(2, "ben@x.test", priority="9", daily_limit="1.5"),
                )
            )
        )
    assert caught.value.fields == {
        f"pool-{TEAM}-1-weight": "The weight for ann@x.test must be a whole number from 1 to 100.",
        f"pool-{TEAM}-2-priority": "Choose a priority for ben@x.test.",
        f"pool-{TEAM}-2-daily_limit": "The daily limit for ben@x.test must be a whole number from 1 to "
        "1000, or empty for no limit.",
    }
    summary = error_summary(
        {"embed_allowed_origins": "x", **caught.value.fields, "title": "y"}, pool_anchor=f"pool-{TEAM}-1"
    )
    assert [item.anchor for item in summary] == [
        "title",
        f"pool-{TEAM}-1-weight",
        f"pool-{TEAM}-2-priority",
        f"pool-{TEAM}-2-daily_limit",
        "embed_allowed_origins",
    ]

    with pytest.raises(InvalidInput) as caught:
        to_input(values_from_form(form(*NAMED, ("team_id", TEAM), *pool_row(1, "ann@x.test", checked=False))))
    assert caught.value.fields == {"round_robin_members": "Check at least one member for the pool."}
    assert [i.anchor for i in error_summary(dict(caught.value.fields), f"pool-{TEAM}-1")] == [
        f"pool-{TEAM}-1"
    ]


def test_a_team_link_stays_a_team_link_and_an_unchanged_pool_keeps_its_listed_places() -> None:
    saved = LinkView(
        id="l",
        slug="t",
        title="T",
        description="",
        duration_minutes=30,
        timezone="UTC",
        weekly_hours={},
        calendar_provider=CalendarProviderName.NONE,
        auto_meeting_link=False,
        slot_interval_minutes=30,
        buffer_before_minutes=0,
        buffer_after_minutes=0,
        minimum_notice_minutes=0,
        booking_horizon_days=60,
        round_robin_members=["ann@x.test", "ivy@x.test"],
        owner_id="o",
        round_robin=True,
        team_id=TEAM,
        rotation=(
            RotationView("ann@x.test", 2, 1, None, 7, in_pool=True),
            RotationView("ivy@x.test", 2, 1, None, 0, in_pool=False),  # invited, not yet accepted
        ),
    )
    with pytest.raises(InvalidInput) as caught:
        to_input(values_from_form(form(*NAMED, ("team_id", "")), current=saved))
    assert list(caught.value.fields) == ["team_id"]

    same = to_input(
        values_from_form(
            form(*NAMED, ("team_id", TEAM), *pool_row(1, "ann@x.test", weight="2")), current=saved
        )
    )
    assert same.round_robin_members is None  # ivy's place stays listed
    assert same.rotation == [RotationInput("ann@x.test", 2, 2, None, clear_daily_limit=True)]
    grown = to_input(
        values_from_form(
            form(*NAMED, ("team_id", TEAM), *pool_row(1, "ann@x.test"), *pool_row(2, "ben@x.test")),
            current=saved,
        )
    )
    assert grown.round_robin_members == ["ann@x.test", "ben@x.test"]


@pytest.mark.parametrize(
    ("pairs", "field"),
    [
        ((("duration_minutes", "half an hour"),), "duration_minutes"),
        ((("tuesday_start", "09:00"), ("tuesday_end", "")), "tuesday_hours"),
        ((("friday_start", "9am"), ("friday_end", "17:00")), "friday_hours"),
        ((("monday_start", "10:00"), ("monday_end", "12:00"), ("monday_start", "11:00")), "monday_hours"),
        ((("minimum_notice", "2"), ("minimum_notice_unit", "fortnights")), "minimum_notice"),
        ((("minimum_notice", "0.001"), ("minimum_notice_unit", "hours")), "minimum_notice"),
        ((("booking_horizon", "1.5"), ("booking_horizon_unit", "weeks")), "booking_horizon"),
        ((("slug", "Not a slug!"),), "slug"),
        ((("title", ""),), "title"),
    ],
)
def test_what_the_form_can_tell_is_wrong_names_the_field(
    pairs: tuple[tuple[str, str], ...], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        to_input(values_from_form(form(*NAMED, *pairs)))
    assert list(caught.value.fields) == [field]


def test_every_problem_the_form_sees_is_told_at_once_in_the_order_of_the_page() -> None:
    with pytest.raises(InvalidInput) as caught:
        to_input(
            values_from_form(
                form(("title", ""), ("slug", "a b"), ("duration_minutes", "x"), ("sunday_start", "9"))
            )
        )
    summary = error_summary(dict(caught.value.fields))
    assert [item.anchor for item in summary] == ["title", "slug", "duration_minutes", "sunday_start_1"]
    assert summary[1].message == "Use only lower-case letters, digits and dashes in the slug, such as a-b."


def test_a_new_links_empty_slug_is_made_from_the_title() -> None:
    values = values_from_form(
        form(("title", "Café Crème: 30 min with Łukasz & Søren"), ("slug", "")), new=True
    )
    assert values.slug == "cafe-creme-30-min-with-lukasz-soren"
    assert to_input(values).slug == "cafe-creme-30-min-with-lukasz-soren"
    assert values_from_form(form(("title", "Café"), ("slug", ""))).slug == ""  # an edit keeps it empty
    assert slug_from_title("  Straße -- Ærø  ") == "strasse-aero"
    assert slug_from_title("日本語") == ""
    assert len(slug_from_title("a " * 200)) <= 100


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [
        (0, ("0", "hours")),
        (90, ("90", "minutes")),
        (120, ("2", "hours")),
        (1440, ("1", "days")),
        (2160, ("36", "hours")),
    ],
)
def test_minimum_notice_is_shown_in_the_largest_unit_that_divides_it(
    minutes: int, shown: tuple[str, str]
) -> None:
    amount = MINIMUM_NOTICE.amount(minutes)
    assert (amount.number, amount.unit) == shown
    assert MINIMUM_NOTICE.value(amount) == minutes


def test_amounts_typed_in_units_become_the_apis_minutes_and_days() -> None:
    assert MINIMUM_NOTICE.value(Amount("1.5", "hours")) == 90
    assert MINIMUM_NOTICE.value(Amount("2", "days")) == 2880
    assert MINIMUM_NOTICE.value(Amount("", "days")) is None
    assert BOOKING_HORIZON.value(Amount("3", "weeks")) == 21
    assert (BOOKING_HORIZON.amount(28).number, BOOKING_HORIZON.amount(28).unit) == ("4", "weeks")
    assert BOOKING_HORIZON.amount(60).unit == "days"
    legacy = to_input(
        values_from_form(form(*NAMED, ("minimum_notice_minutes", "120"), ("booking_horizon_days", "30")))
    )
    assert (legacy.minimum_notice_minutes, legacy.booking_horizon_days) == (120, 30)
