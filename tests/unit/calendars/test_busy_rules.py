"""busy_rules.blocks: one table per rule, and the provider spellings it reads."""

import pytest

from workestra.calendars.busy_rules import DEFAULT_RULES, BusyRules, Response, ShowAs, blocks

S, R = ShowAs, Response
STRICT = BusyRules(tentative_blocks=True, working_elsewhere_blocks=True, all_day_free_blocks=True)
LENIENT = BusyRules(tentative_blocks=False, working_elsewhere_blocks=False, all_day_free_blocks=False)


@pytest.mark.parametrize(
    ("show_as", "all_day", "response", "expected"),
    [
        # The defaults: every showAs but free and workingElsewhere blocks (DESIGN "Lessons").
        (S.FREE, False, R.NONE, False),
        (S.TENTATIVE, False, R.NONE, True),
        (S.BUSY, False, R.NONE, True),
        (S.OOF, False, R.NONE, True),
        (S.WORKING_ELSEWHERE, False, R.NONE, False),
        (S.UNKNOWN, False, R.NONE, True),
        (S.FREE, True, R.NONE, False),  # an all-day entry marked free: a holiday, a reminder
        (S.BUSY, True, R.NONE, True),
        (S.BUSY, False, R.NOT_RESPONDED, True),  # an unanswered invitation
        (S.TENTATIVE, False, R.TENTATIVE, True),
        (S.BUSY, False, R.ACCEPTED, True),
        (S.BUSY, False, R.DECLINED, False),  # the host said no
        (S.BUSY, False, R.ORGANIZER, True),
    ],
)
def test_default_rules(show_as: ShowAs, all_day: bool, response: Response, expected: bool) -> None:
    assert blocks(show_as, rules=DEFAULT_RULES, is_all_day=all_day, response=response) is expected


@pytest.mark.parametrize(
    ("show_as", "response", "tentative_blocks", "expected"),
    [
        (S.TENTATIVE, R.NONE, True, True),
        (S.TENTATIVE, R.NONE, False, False),
        (S.TENTATIVE, R.TENTATIVE, False, False),
        (S.BUSY, R.NOT_RESPONDED, True, True),
        (S.BUSY, R.NOT_RESPONDED, False, False),  # unanswered invitations follow the same rule
        (S.TENTATIVE, R.NOT_RESPONDED, False, False),
        (S.BUSY, R.ACCEPTED, False, True),  # an accepted meeting is busy whatever the rule
        (S.OOF, R.NOT_RESPONDED, False, True),  # out of office always blocks
        (S.UNKNOWN, R.NOT_RESPONDED, False, True),  # unknown time is never free
        (S.FREE, R.NOT_RESPONDED, True, False),
    ],
)
def test_tentative_rule(show_as: ShowAs, response: Response, tentative_blocks: bool, expected: bool) -> None:
    rules = BusyRules(tentative_blocks=tentative_blocks)
    assert blocks(show_as, rules=rules, response=response) is expected


@pytest.mark.parametrize(
    ("show_as", "all_day", "working_elsewhere_blocks", "expected"),
    [
        (S.WORKING_ELSEWHERE, False, False, False),
        (S.WORKING_ELSEWHERE, False, True, True),
        (S.WORKING_ELSEWHERE, True, True, True),
        (S.WORKING_ELSEWHERE, True, False, False),
        (S.FREE, False, True, False),  # the rule is about working elsewhere only
    ],
)
def test_working_elsewhere_rule(
    show_as: ShowAs, all_day: bool, working_elsewhere_blocks: bool, expected: bool
) -> None:
    rules = BusyRules(working_elsewhere_blocks=working_elsewhere_blocks)
    assert blocks(show_as, rules=rules, is_all_day=all_day) is expected


@pytest.mark.parametrize(
    ("all_day", "all_day_free_blocks", "expected"),
    [
        (True, False, False),
        (True, True, True),
        (False, True, False),  # a timed entry marked free never blocks
        (False, False, False),
    ],
)
def test_all_day_free_rule(all_day: bool, all_day_free_blocks: bool, expected: bool) -> None:
    rules = BusyRules(all_day_free_blocks=all_day_free_blocks)
    assert blocks(S.FREE, rules=rules, is_all_day=all_day) is expected


@pytest.mark.parametrize("rules", [DEFAULT_RULES, STRICT, LENIENT])
@pytest.mark.parametrize("show_as", list(ShowAs))
def test_cancelled_never_blocks_whatever_the_rules(rules: BusyRules, show_as: ShowAs) -> None:
    assert blocks(show_as, rules=rules, is_all_day=True, cancelled=True) is False


@pytest.mark.parametrize("rules", [DEFAULT_RULES, STRICT, LENIENT])
def test_busy_oof_and_unknown_block_whatever_the_rules(rules: BusyRules) -> None:
    for show_as in (S.BUSY, S.OOF, S.UNKNOWN):
        assert blocks(show_as, rules=rules) is True
        assert blocks(show_as, rules=rules, is_all_day=True) is True


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("free", S.FREE),
        ("Tentative", S.TENTATIVE),
        ("BUSY", S.BUSY),
        ("oof", S.OOF),
        ("workingElsewhere", S.WORKING_ELSEWHERE),
        ("workingelsewhere", S.WORKING_ELSEWHERE),
        ("unknown", S.UNKNOWN),
        ("somethingGraphAddsLater", S.UNKNOWN),
        (None, S.UNKNOWN),
        ("", S.UNKNOWN),
    ],
)
def test_show_as_spellings(raw: str | None, parsed: ShowAs) -> None:
    assert ShowAs.parse(raw) is parsed


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("organizer", R.ORGANIZER),
        ("accepted", R.ACCEPTED),
        ("tentativelyAccepted", R.TENTATIVE),
        ("declined", R.DECLINED),
        ("notResponded", R.NOT_RESPONDED),
        ("none", R.NONE),
        (None, R.NONE),
        ("other", R.NONE),
    ],
)
def test_response_spellings(raw: str | None, parsed: Response) -> None:
    assert Response.parse(raw) is parsed
