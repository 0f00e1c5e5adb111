from datetime import UTC, datetime, timedelta, timezone

import pytest

from workestra.scheduling import Candidate, choose

MONDAY = datetime(2024, 1, 8, 9, tzinfo=UTC)


def test_nobody_free_means_no_choice() -> None:
    assert choose([]) is None


def test_a_member_never_assigned_goes_first() -> None:
    free = [Candidate("ann", MONDAY), Candidate("bob", None), Candidate("cy", MONDAY)]
    assert choose(free) == Candidate("bob", None)


def test_the_least_recently_assigned_member_goes_next() -> None:
    free = [Candidate("ann", MONDAY), Candidate("bob", MONDAY - timedelta(days=1))]
    assert choose(free) == free[1]


def test_ties_go_to_the_smallest_member_id() -> None:
    assert choose([Candidate("cy", None), Candidate("ann", None)]) == Candidate("ann", None)
    assert choose([Candidate("cy", MONDAY), Candidate("bo", MONDAY)]) == Candidate("bo", MONDAY)


def test_assignment_times_in_other_zones_compare_by_instant() -> None:
    new_york = timezone(timedelta(hours=-5))
    earlier_in_new_york = datetime(2024, 1, 8, 3, 59, tzinfo=new_york)  # 08:59 UTC
    free = [Candidate("ann", MONDAY), Candidate("bob", earlier_in_new_york)]
    chosen = choose(free)
    assert chosen is not None
    assert chosen.member_id == "bob"
    assert chosen.last_assigned_at == datetime(2024, 1, 8, 8, 59, tzinfo=UTC)


def test_a_naive_assignment_time_is_rejected() -> None:
    with pytest.raises(ValueError, match="last_assigned_at must be timezone-aware"):
        Candidate("ann", datetime(2024, 1, 8, 9))  # noqa: DTZ001 - the point of the test
