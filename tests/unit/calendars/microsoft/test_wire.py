"""The wire models read the documented examples of PROVIDER-APIS (A8, B, C2, D2, E) and write D2.2."""

import json

from workestra.calendars.microsoft.wire import (
    Attendee,
    DateTimeTimeZone,
    EmailAddress,
    Event,
    EventPage,
    GraphCalendar,
    GraphErrorResponse,
    GraphUser,
    ItemBody,
    NewEvent,
    TokenErrorResponse,
    TokenResponse,
)

A8_1 = """{
  "token_type": "Bearer",
  "scope": "https://graph.microsoft.com/Calendars.ReadWrite https://graph.microsoft.com/OnlineMeetings.ReadWrite https://graph.microsoft.com/User.Read openid profile email",
  "expires_in": 4016, "ext_expires_in": 4016,
  "access_token": "sbx-at-7f1c0b2e9d", "refresh_token": "sbx-rt-41aa93c0e2",
  "id_token": "eyJhbGciOiJub25lIn0.eyJ0aWQiOiI1YjBlYWU5Zi0xMTExLTQyMjItODMzMy1jNDQ0ZDU1NWU2NjYiLCJvaWQiOiIzYzRkLi4uIn0."
}"""  # noqa: E501

A8_4 = """{
  "error": "invalid_grant",
  "error_description": "AADSTS50076: Due to a configuration change ...\\r\\nTrace ID: ...",
  "error_codes": [50076], "timestamp": "2025-03-02 08:20:00Z",
  "trace_id": "t", "correlation_id": "c", "suberror": "basic_action",
  "claims": "{\\"access_token\\":{\\"capolids\\":{\\"essential\\":true,\\"values\\":[\\"2f3e\\"]}}}"
}"""

B_1 = """{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
  "businessPhones": [], "displayName": "Hana Host", "givenName": "Hana", "jobTitle": null,
  "mail": "hana@contoso.test", "mobilePhone": null, "officeLocation": null,
  "preferredLanguage": "en-US", "surname": "Host", "userPrincipalName": "hana@contoso.test",
  "id": "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"
}"""

C2_1 = """{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('3c4d')/calendarView(subject,start,end,showAs,isCancelled,isAllDay)",
  "value": [
    {"@odata.etag": "W/\\"Qk1Tc2JveDAx\\"", "id": "AAMkAGsbx001=", "subject": "Roadmap",
     "showAs": "busy", "isCancelled": false, "isAllDay": false,
     "start": {"dateTime": "2025-06-02T07:00:00.0000000", "timeZone": "UTC"},
     "end":   {"dateTime": "2025-06-02T08:00:00.0000000", "timeZone": "UTC"}},
    {"@odata.etag": "W/\\"Qk1Tc2JveDAy\\"", "id": "AAMkAGsbx002=", "subject": "Dentist",
     "showAs": "oof", "isCancelled": false, "isAllDay": false,
     "start": {"dateTime": "2025-06-03T13:00:00.0000000", "timeZone": "UTC"},
     "end":   {"dateTime": "2025-06-03T14:00:00.0000000", "timeZone": "UTC"}}
  ],
  "@odata.nextLink": "https://graph.microsoft.com/v1.0/me/calendarView?startDateTime=2025-06-02T00%3a00%3a00Z&endDateTime=2025-06-09T00%3a00%3a00Z&%24select=subject%2cstart%2cend%2cshowAs%2cisCancelled%2cisAllDay&%24top=2&%24skip=2"
}"""

D2_1 = """{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('3c4d')/calendar/$entity",
  "id": "AAMkAGsbxCal=", "name": "Calendar", "color": "auto", "hexColor": "",
  "isDefaultCalendar": true, "changeKey": "c2J4LWNhbC0x",
  "canShare": true, "canViewPrivateItems": true, "canEdit": true,
  "allowedOnlineMeetingProviders": ["teamsForBusiness"],
  "defaultOnlineMeetingProvider": "teamsForBusiness",
  "isTallyingResponses": true, "isRemovable": false,
  "owner": {"name": "Hana Host", "address": "hana@contoso.test"}
}"""

D2_3 = """{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('3c4d')/events/$entity",
  "@odata.etag": "W/\\"c2J4LWV2LTE=\\"", "id": "AAMkAGsbxEvt1=",
  "createdDateTime": "2025-05-30T10:11:12.1234567Z",
  "lastModifiedDateTime": "2025-05-30T10:11:13.7654321Z", "changeKey": "c2J4LWV2LTE=",
  "transactionId": "wk-booking-8f14e45f-ceea-467f-a8f0-6d1b1f0e2c11",
  "iCalUId": "040000008200E00074C5B7101A82E00800000000SBX0001",
  "subject": "Intro call — Ivo Invitee",
  "isAllDay": false, "isCancelled": false, "isOrganizer": true, "isDraft": false,
  "responseRequested": true, "showAs": "busy", "type": "singleInstance",
  "webLink": "https://outlook.office365.com/owa/?itemid=AAMkAGsbxEvt1%3D&exvsurl=1&path=/calendar/item",
  "onlineMeetingUrl": null, "isOnlineMeeting": true, "onlineMeetingProvider": "teamsForBusiness",
  "onlineMeeting": {"joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_c2J4MDAx%40thread.v2/0?context=%7b%7d", "conferenceId": "501223344", "tollNumber": "+1 555 010 0000"},
  "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
  "start": {"dateTime": "2025-06-04T14:00:00.0000000", "timeZone": "W. Europe Standard Time"},
  "end":   {"dateTime": "2025-06-04T14:30:00.0000000", "timeZone": "W. Europe Standard Time"},
  "attendees": [{"type": "required", "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                 "emailAddress": {"name": "Ivo Invitee", "address": "ivo@example.test"}}],
  "organizer": {"emailAddress": {"name": "Hana Host", "address": "hana@contoso.test"}}
}"""  # noqa: E501

E2_1 = """{"error": {"code": "ApplicationThrottled",
  "message": "Application is over its MailboxConcurrency limit.",
  "innerError": {"date": "2025-06-02T10:00:00", "request-id": "0f9e8d7c-6b5a-4948-8372-615049382716",
                 "client-request-id": "0f9e8d7c-6b5a-4948-8372-615049382716"}}}"""


def test_token_success_example_a8_1_is_read() -> None:
    token = TokenResponse.model_validate_json(A8_1)
    assert (token.expires_in, token.ext_expires_in) == (4016, 4016)
    assert token.access_token == "sbx-at-7f1c0b2e9d"
    assert token.refresh_token == "sbx-rt-41aa93c0e2"
    assert token.scope.startswith("https://graph.microsoft.com/Calendars.ReadWrite")


def test_token_repr_never_shows_tokens() -> None:
    token = TokenResponse.model_validate_json(A8_1)
    assert "sbx-at" not in repr(token)
    assert "sbx-rt" not in repr(token)


def test_token_error_example_a8_4_keeps_codes_suberror_and_claims() -> None:
    error = TokenErrorResponse.model_validate_json(A8_4)
    assert error.error == "invalid_grant"
    assert error.error_codes == [50076]
    assert error.suberror == "basic_action"
    assert error.claims is not None
    assert "capolids" in error.claims


def test_me_example_b1_is_read() -> None:
    user = GraphUser.model_validate_json(B_1)
    assert (user.id, user.display_name, user.mail) == (
        "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
        "Hana Host",
        "hana@contoso.test",
    )


def test_calendar_view_page_c2_1_is_read_with_next_link() -> None:
    page = EventPage.model_validate_json(C2_1)
    assert [e.show_as for e in page.value] == ["busy", "oof"]
    assert page.value[0].start == DateTimeTimeZone(date_time="2025-06-02T07:00:00.0000000", time_zone="UTC")
    assert page.next_link is not None
    assert page.next_link.endswith("%24skip=2")


def test_calendar_example_d2_1_lists_online_meeting_providers() -> None:
    calendar = GraphCalendar.model_validate_json(D2_1)
    assert calendar.allowed_online_meeting_providers == ["teamsForBusiness"]
    assert calendar.default_online_meeting_provider == "teamsForBusiness"


def test_created_event_d2_3_yields_id_ical_uid_weblink_and_join_url() -> None:
    event = Event.model_validate_json(D2_3)
    assert event.id == "AAMkAGsbxEvt1="
    assert event.i_cal_uid == "040000008200E00074C5B7101A82E00800000000SBX0001"
    assert event.web_link is not None
    assert event.web_link.startswith("https://outlook.office365")
    assert event.online_meeting is not None
    assert event.online_meeting.join_url is not None
    assert event.online_meeting.join_url.startswith("https://teams.microsoft.com/l/meetup-join/")


def test_personal_account_answer_without_online_meeting_is_read() -> None:
    body = json.loads(D2_3)
    body.update(isOnlineMeeting=False, onlineMeetingProvider="unknown", onlineMeeting=None)
    event = Event.model_validate(body)
    assert event.online_meeting is None


def test_throttling_body_e2_1_is_read() -> None:
    error = GraphErrorResponse.model_validate_json(E2_1).error
    assert error.code == "ApplicationThrottled"
    assert error.inner_error is not None
    assert error.inner_error.request_id == "0f9e8d7c-6b5a-4948-8372-615049382716"


def test_new_event_serialises_with_graph_field_names_as_in_d2_2() -> None:
    event = NewEvent(
        subject="Intro call — Ivo Invitee",
        body=ItemBody(content_type="text", content="Booked via Workestra."),
        start=DateTimeTimeZone(date_time="2025-06-04T14:00:00", time_zone="W. Europe Standard Time"),
        end=DateTimeTimeZone(date_time="2025-06-04T14:30:00", time_zone="W. Europe Standard Time"),
        attendees=[Attendee(email_address=EmailAddress(address="ivo@example.test", name="Ivo Invitee"))],
        transaction_id="workestra-8f14e45f",
        allow_new_time_proposals=False,
        is_online_meeting=True,
        online_meeting_provider="teamsForBusiness",
    )
    assert event.model_dump(mode="json", exclude_none=True) == {
        "subject": "Intro call — Ivo Invitee",
        "body": {"contentType": "text", "content": "Booked via Workestra."},
        "start": {"dateTime": "2025-06-04T14:00:00", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2025-06-04T14:30:00", "timeZone": "W. Europe Standard Time"},
        "attendees": [
            {"emailAddress": {"address": "ivo@example.test", "name": "Ivo Invitee"}, "type": "required"}
        ],
        "transactionId": "workestra-8f14e45f",
        "allowNewTimeProposals": False,
        "isOnlineMeeting": True,
        "onlineMeetingProvider": "teamsForBusiness",
    }


def test_unknown_fields_are_ignored_everywhere() -> None:
    event = Event.model_validate({"id": "x", "brandNewGraphField": {"a": 1}})
    assert event.id == "x"
