"""GET /me (B.1), GET /me/calendar (D2.1), and the E1 errors every Graph call can return."""

import re
from typing import Any

import httpx2

from tests.sandbox.flows import GRAPH, connect
from tests.support.sandbox import SandboxControl

B1_KEYS = {
    "@odata.context", "businessPhones", "displayName", "givenName", "jobTitle", "mail",
    "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id",
}  # fmt: skip


def assert_e1(response: httpx2.Response, *, status: int, code: str) -> dict[str, Any]:
    """E1: error.code, error.message, innerError with zone-less date and hyphenated ids."""
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    inner = error["innerError"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", inner["date"])
    assert inner["request-id"] == response.headers["request-id"]
    assert inner["client-request-id"]
    return error


async def test_me_matches_b1(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)

    response = await http.get(f"{GRAPH}/me", headers=connection.headers)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == B1_KEYS
    assert body["@odata.context"] == "https://graph.microsoft.com/v1.0/$metadata#users/$entity"
    assert body["displayName"] == "Hana Host"
    assert (body["givenName"], body["surname"]) == ("Hana", "Host")
    assert body["mail"] == body["userPrincipalName"] == "hana@contoso.test"
    assert body["businessPhones"] == []
    assert body["jobTitle"] is None
    assert body["id"] == connection.user_id


async def test_me_mail_can_be_null(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http, mail_null=True)
    body = (await http.get(f"{GRAPH}/me", headers=connection.headers)).json()
    assert body["mail"] is None
    assert body["userPrincipalName"] == "hana@contoso.test"


async def test_calendar_of_work_account_with_teams_matches_d2_1(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)

    body = (await http.get(f"{GRAPH}/me/calendar", headers=connection.headers)).json()

    assert body["@odata.context"].endswith(f"users('{connection.user_id}')/calendar/$entity")
    assert body["allowedOnlineMeetingProviders"] == ["teamsForBusiness"]
    assert body["defaultOnlineMeetingProvider"] == "teamsForBusiness"
    assert body["isDefaultCalendar"] is True
    assert body["canEdit"] is True
    assert body["owner"] == {"name": "Hana Host", "address": "hana@contoso.test"}
    listed = (await http.get(f"{GRAPH}/me/calendars", headers=connection.headers)).json()
    assert [c["id"] for c in listed["value"]] == [body["id"]]


async def test_personal_and_teamless_calendars_offer_no_teams(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    personal = await connect(control, http, email="pat@outlook.test", kind="personal")
    teamless = await connect(control, http, email="tom@contoso.test", teams=False, register=False)
    for connection in (personal, teamless):
        body = (await http.get(f"{GRAPH}/me/calendar", headers=connection.headers)).json()
        assert body["allowedOnlineMeetingProviders"] == ["unknown"]


async def test_mailbox_not_enabled_and_missing_calendar_are_404(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    no_mailbox = await connect(control, http, mailbox_enabled=False)
    no_calendar = await connect(control, http, email="tom@contoso.test", has_calendar=False, register=False)

    response = await http.get(f"{GRAPH}/me/calendar", headers=no_mailbox.headers)
    assert_e1(response, status=404, code="MailboxNotEnabledForRESTAPI")
    response = await http.get(f"{GRAPH}/me/calendar", headers=no_calendar.headers)
    assert_e1(response, status=404, code="ErrorItemNotFound")


async def test_expired_and_unknown_tokens_are_401_with_www_authenticate(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await control.expire_access_tokens(connection.email)

    expired = await http.get(f"{GRAPH}/me", headers=connection.headers)
    error = assert_e1(expired, status=401, code="InvalidAuthenticationToken")
    assert error["message"] == "Access token has expired or is not yet valid."
    assert expired.headers["www-authenticate"].startswith('Bearer realm=""')

    unknown = await http.get(f"{GRAPH}/me", headers={"Authorization": "Bearer nonsense"})
    assert_e1(unknown, status=401, code="InvalidAuthenticationToken")
    missing = await http.get(f"{GRAPH}/me")
    assert_e1(missing, status=401, code="InvalidAuthenticationToken")


async def test_access_token_expires_with_the_sandbox_clock(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await control.advance_clock(connection.tokens["expires_in"] + 1)
    response = await http.get(f"{GRAPH}/me", headers=connection.headers)
    assert_e1(response, status=401, code="InvalidAuthenticationToken")


async def test_missing_scopes_are_403(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http, scope="openid User.Read")

    calendar = await http.get(f"{GRAPH}/me/calendar", headers=connection.headers)
    assert_e1(calendar, status=403, code="ErrorAccessDenied")

    calendars_only = await connect(
        control, http, email="tom@contoso.test", scope="Calendars.Read", register=False
    )
    me = await http.get(f"{GRAPH}/me", headers=calendars_only.headers)
    assert_e1(me, status=403, code="Authorization_RequestDenied")
    write = await http.post(f"{GRAPH}/me/events", headers=calendars_only.headers, json={"subject": "x"})
    assert_e1(write, status=403, code="ErrorAccessDenied")


async def test_unknown_segment_and_wrong_method(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    unknown = await http.get(f"{GRAPH}/me/widgets", headers=connection.headers)
    assert_e1(unknown, status=400, code="BadRequest")
    wrong = await http.delete(f"{GRAPH}/me/calendar", headers=connection.headers)
    assert wrong.status_code == 405
