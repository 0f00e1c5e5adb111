"""The form → LinkInput helper, without a server."""

import pytest
from starlette.datastructures import FormData

from workestra.errors import InvalidInput
from workestra.web.pages.link_form import to_input, values_from_form


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
    assert data.round_robin_members is None


def test_an_unchecked_box_is_false_and_emptied_members_clear_round_robin() -> None:
    data = to_input(values_from_form(form(("round_robin_members", ""), ("had_members", "1"))))
    assert data.auto_meeting_link is False
    assert data.round_robin_members == []
    assert data.weekly_hours == {}
    members = to_input(values_from_form(form(("round_robin_members", "a@x.test\n b@x.test, c@x.test"))))
    assert members.round_robin_members == ["a@x.test", "b@x.test", "c@x.test"]


@pytest.mark.parametrize(
    ("pairs", "field"),
    [
        ((("duration_minutes", "half an hour"),), "duration_minutes"),
        ((("tuesday_start", "09:00"), ("tuesday_end", "")), "weekly_hours"),
    ],
)
def test_what_the_form_can_tell_is_wrong_names_the_field(
    pairs: tuple[tuple[str, str], ...], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        to_input(values_from_form(form(*pairs)))
    assert field in caught.value.fields
