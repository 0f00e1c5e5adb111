from datetime import UTC, datetime, timedelta, timezone

import pytest

from workestra.scheduling import Candidate, calibrated_count, rank, why_first

MONDAY = datetime(2024, 1, 8, 9, tzinfo=UTC)


def choose(free: list[Candidate]) -> Candidate | None:
    """Who gets the next booking among ``free``: the first of the ranking."""
    ranked = rank(free)
    return ranked[0] if ranked else None


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


def _simulate(pool: list[Candidate], bookings: int, *, free: object = None) -> dict[str, int]:
    """Give ``bookings`` bookings one after another, each to the rep the policy picks."""
    state = {c.member_id: c for c in pool}
    given = dict.fromkeys(state, 0)
    for n in range(bookings):
        at = MONDAY + timedelta(minutes=n)
        available = [c for c in state.values() if free is None or c.member_id in free(n)]  # type: ignore[operator]
        chosen = choose(available)
        assert chosen is not None
        given[chosen.member_id] += 1
        state[chosen.member_id] = Candidate(
            chosen.member_id, at, chosen.priority, chosen.weight, chosen.assigned_count + 1
        )
    return given


def test_a_higher_priority_rep_who_is_free_always_comes_first() -> None:
    pool = [Candidate("ann", None, priority=2), Candidate("bob", None, priority=3)]
    assert _simulate(pool, 10) == {"ann": 0, "bob": 10}
    # ... and the lower priority rep takes what the higher one can't.
    assert _simulate(pool, 10, free=lambda n: {"ann"} if n % 2 else {"ann", "bob"}) == {"ann": 5, "bob": 5}


def test_equal_reps_take_turns() -> None:
    pool = [Candidate(name, None) for name in ("ann", "bob", "cy")]
    assert _simulate(pool, 30) == {"ann": 10, "bob": 10, "cy": 10}


def test_a_rep_at_weight_two_gets_about_twice_the_bookings() -> None:
    pool = [Candidate("ann", None, weight=2), Candidate("bob", None), Candidate("cy", None)]
    given = _simulate(pool, 400)
    assert given == {"ann": 200, "bob": 100, "cy": 100}
    weighted = _simulate([Candidate("ann", None, weight=3), Candidate("bob", None, weight=1)], 401)
    assert abs(weighted["ann"] - 3 * weighted["bob"]) <= 3


def test_a_rep_who_was_busy_on_their_turn_is_due_first_once_free() -> None:
    pool = [Candidate("ann", None), Candidate("bob", None)]
    given = _simulate(pool, 8, free=lambda n: {"bob"} if n < 4 else {"ann", "bob"})
    assert given == {"ann": 4, "bob": 4}  # ann took the next four, evening the count


def test_a_newcomer_starts_level_with_the_pool_instead_of_taking_every_booking() -> None:
    pool = [Candidate("ann", MONDAY, assigned_count=40), Candidate("bob", MONDAY, assigned_count=42)]
    assert calibrated_count(1, pool) == 40
    assert calibrated_count(2, pool) == 80
    assert calibrated_count(1, []) == 0
    newcomer = Candidate("cy", None, assigned_count=calibrated_count(1, pool))
    assert _simulate([*pool, newcomer], 9) == {"ann": 3, "bob": 2, "cy": 4}


def test_rank_orders_the_whole_pool_and_says_why_the_first_is_first() -> None:
    low = Candidate("low", None, priority=1)
    busy_one = Candidate("busy", MONDAY, assigned_count=3)
    due = Candidate("due", MONDAY, assigned_count=1)
    recent = Candidate("recent", MONDAY + timedelta(hours=1), assigned_count=1)
    ranked = rank([low, busy_one, recent, due])
    assert [c.member_id for c in ranked] == ["due", "recent", "busy", "low"]
    assert why_first(due, ranked) == (
        "the least recently booked, with as few bookings for their weight as anyone"
    )
    assert why_first(due, [due, busy_one]) == (
        "the fewest bookings for their weight among the reps who could take it"
    )
    assert why_first(due, [due, low]) == "the highest priority among the reps who could take it"
    assert why_first(due, [due]) == "the only rep who could take it"


def test_rotation_settings_out_of_range_are_rejected() -> None:
    with pytest.raises(ValueError, match="priority"):
        Candidate("ann", None, priority=5)
    with pytest.raises(ValueError, match="weight"):
        Candidate("ann", None, weight=0)
