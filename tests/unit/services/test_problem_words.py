"""Every provider error reaches the host in plain words; none is left unmapped."""

import pytest

from workestra.calendars import errors
from workestra.calendars.errors import CalendarError, MissingScope, NeedsReauth
from workestra.calendars.microsoft import PERMISSIONS
from workestra.calendars.microsoft.graph import TERMS as MICROSOFT_TERMS
from workestra.enums import ConnectionProblem
from workestra.services.problems import PROBLEM_TEXT, Wording, connect_failure, describe, problem_for


def _all_subclasses(cls: type[CalendarError]) -> list[type[CalendarError]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


EXPECTED: dict[type[CalendarError], ConnectionProblem] = {
    errors.NeedsReauth: ConnectionProblem.REVOKED,
    errors.MissingScope: ConnectionProblem.MISSING_SCOPE,
    errors.CalendarNotFound: ConnectionProblem.CALENDAR_NOT_FOUND,
    errors.Throttled: ConnectionProblem.UNAVAILABLE,
    errors.ProviderUnavailable: ConnectionProblem.UNAVAILABLE,
    errors.OnlineMeetingUnavailable: ConnectionProblem.NO_MEETING_LINK,
    errors.MeetingLinkPending: ConnectionProblem.UNAVAILABLE,
    errors.ConsentDeclined: ConnectionProblem.CONSENT_MISSING,
    errors.AdminConsentRequired: ConnectionProblem.ADMIN_CONSENT_REQUIRED,
    errors.ProviderNotConfigured: ConnectionProblem.UNAVAILABLE,
    errors.ProviderRejected: ConnectionProblem.UNAVAILABLE,
    errors.AuthorizationCodeRejected: ConnectionProblem.EXPIRED,
}


def test_the_table_covers_every_calendar_error() -> None:
    assert set(_all_subclasses(CalendarError)) == set(EXPECTED)


@pytest.mark.parametrize(("error_class", "expected"), list(EXPECTED.items()))
def test_every_calendar_error_has_host_facing_words(
    error_class: type[CalendarError], expected: ConnectionProblem
) -> None:
    problem = problem_for(error_class())
    assert problem is expected
    text = describe(problem, missing_scopes="OnlineMeetings.ReadWrite")
    assert text
    assert "Traceback" not in text
    assert "{" not in text


def test_every_problem_has_text() -> None:
    assert set(PROBLEM_TEXT) == set(ConnectionProblem)


MICROSOFT = Wording(MICROSOFT_TERMS, PERMISSIONS)


def test_missing_teams_scope_says_teams_links_cant_be_created() -> None:
    text = describe(
        ConnectionProblem.MISSING_SCOPE, wording=MICROSOFT, missing_scopes="OnlineMeetings.ReadWrite"
    )
    assert text == (
        "A permission is missing: OnlineMeetings.ReadWrite. Teams links can't be created. "
        "Reconnect and grant all requested permissions."
    )


def test_an_unknown_scope_is_named_without_a_made_up_consequence() -> None:
    text = describe(ConnectionProblem.MISSING_SCOPE, missing_scopes="Mystery.Scope")
    assert text == "A permission is missing: Mystery.Scope. Reconnect and grant all requested permissions."


@pytest.mark.parametrize("problem", list(ConnectionProblem))
def test_the_generic_words_name_no_provider(problem: ConnectionProblem) -> None:
    text = describe(problem)
    for name in ("Microsoft", "Teams", "Google", "Meet", "Calendars.ReadWrite"):
        assert name not in text


def test_the_microsoft_words_keep_the_product_page_advice() -> None:
    personal = describe(ConnectionProblem.PERSONAL_ACCOUNT, wording=MICROSOFT)
    assert "Teams for Business" in personal
    assert "@outlook.com" in personal
    assert "Microsoft Teams link" in personal
    assert "Microsoft 365" in describe(ConnectionProblem.CALENDAR_NOT_FOUND, wording=MICROSOFT)
    assert "(Calendars.ReadWrite, User.Read)" in describe(
        ConnectionProblem.ADMIN_CONSENT_REQUIRED, wording=MICROSOFT
    )


@pytest.mark.parametrize(
    ("reason", "problem"),
    [
        ("expired", ConnectionProblem.EXPIRED),
        ("revoked", ConnectionProblem.REVOKED),
        ("consent_missing", ConnectionProblem.CONSENT_MISSING),
        ("interaction_required", ConnectionProblem.INTERACTION_REQUIRED),
    ],
)
def test_dead_grants_are_told_apart(reason: str, problem: ConnectionProblem) -> None:
    assert problem_for(NeedsReauth(reason=reason)) is problem


def test_module_exports_are_all_calendar_errors() -> None:
    assert issubclass(errors.Throttled, CalendarError)
    assert problem_for(MissingScope()) is ConnectionProblem.MISSING_SCOPE


def test_a_refused_sign_in_code_is_told_as_such_not_as_an_outage() -> None:
    text = connect_failure(errors.AuthorizationCodeRejected())
    assert text == "That sign-in link was already used or has expired. Connect again."
    assert connect_failure(errors.Throttled()) == describe(ConnectionProblem.UNAVAILABLE)
