"""The documented Google examples (PROVIDER-APIS G1.1, G2.2, G3.2, G5.1, G5.2) read as intended."""

import json
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from workestra.calendars.google import GoogleConfig, GoogleOAuth, id_token_claims
from workestra.calendars.google.calendar import created_event, join_url, meeting_pending
from workestra.calendars.google.errors import api_error_reason
from workestra.calendars.google.wire import (
    ApiErrorResponse,
    CalendarListEntry,
    Event,
    FreeBusyResponse,
    TokenResponse,
)
from workestra.enums import AccountKind

G1_1: dict[str, Any] = {
    "access_token": "ya29.sbx-7c1d",
    "expires_in": 3599,
    "refresh_token": "1//sbx-rt-a91f",
    "scope": "https://www.googleapis.com/auth/calendar.events "
    "https://www.googleapis.com/auth/calendar.freebusy openid https://www.googleapis.com/auth/userinfo.email",
    "token_type": "Bearer",
    "id_token": "eyJhbGciOiJub25lIn0.eyJlbWFpbCI6Imhvc3RAZ21haWwudGVzdCJ9.",
}
G2_2 = {
    "kind": "calendar#freeBusy",
    "timeMin": "2025-06-02T00:00:00.000Z",
    "timeMax": "2025-06-09T00:00:00.000Z",
    "calendars": {
        "host@gmail.test": {
            "busy": [
                {"start": "2025-06-02T09:00:00Z", "end": "2025-06-02T10:00:00Z"},
                {"start": "2025-06-04T13:30:00Z", "end": "2025-06-04T14:00:00Z"},
            ]
        },
        "nobody@gmail.test": {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []},
    },
}
G3_2: dict[str, Any] = {
    "kind": "calendar#event",
    "etag": '"3458123412340000"',
    "id": "8f14e45fceea467fa8f06d1b1f0e2c11",
    "status": "confirmed",
    "htmlLink": "https://www.google.com/calendar/event?eid=OGYxNGU0NWZjZWVh",
    "created": "2025-05-30T10:11:12.000Z",
    "updated": "2025-05-30T10:11:13.120Z",
    "summary": "Intro call — Ivo Invitee",
    "description": "Booked via Workestra.",
    "creator": {"email": "host@gmail.test", "self": True},
    "organizer": {"email": "host@gmail.test", "self": True},
    "start": {"dateTime": "2025-06-04T14:00:00+02:00", "timeZone": "Europe/Berlin"},
    "end": {"dateTime": "2025-06-04T14:30:00+02:00", "timeZone": "Europe/Berlin"},
    "iCalUID": "8f14e45fceea467fa8f06d1b1f0e2c11@google.com",
    "sequence": 0,
    "attendees": [
        {"email": "ivo@example.test", "displayName": "Ivo Invitee", "responseStatus": "needsAction"}
    ],
    "hangoutLink": "https://meet.google.com/abc-defg-hij",
    "conferenceData": {
        "createRequest": {
            "requestId": "wk-8f14e45f-meet-1",
            "conferenceSolutionKey": {"type": "hangoutsMeet"},
            "status": {"statusCode": "success"},
        },
        "entryPoints": [
            {
                "entryPointType": "video",
                "uri": "https://meet.google.com/abc-defg-hij",
                "label": "meet.google.com/abc-defg-hij",
            }
        ],
        "conferenceSolution": {
            "key": {"type": "hangoutsMeet"},
            "name": "Google Meet",
            "iconUri": "https://sandbox.invalid/meet.png",
        },
        "conferenceId": "abc-defg-hij",
    },
    "reminders": {"useDefault": True},
    "eventType": "default",
}
G5_1 = {
    "error": {
        "errors": [
            {"domain": "usageLimits", "reason": "rateLimitExceeded", "message": "Rate Limit Exceeded"}
        ],
        "code": 429,
        "message": "Rate Limit Exceeded",
    }
}
G5_2 = {
    "error": {
        "errors": [
            {"domain": "global", "reason": "duplicate", "message": "The requested identifier already exists."}
        ],
        "code": 409,
        "message": "The requested identifier already exists.",
    }
}


def test_g1_1_token_response_reads_every_field_and_hides_tokens() -> None:
    token = TokenResponse.model_validate(G1_1)
    assert token.access_token == "ya29.sbx-7c1d"
    assert token.refresh_token == "1//sbx-rt-a91f"
    assert token.expires_in == 3599
    assert "ya29" not in repr(token)
    assert "sbx-rt" not in repr(token)


def test_g1_1_id_token_names_a_personal_account() -> None:
    claims = id_token_claims(G1_1["id_token"])
    assert claims is not None
    assert claims.email == "host@gmail.test"
    assert claims.hd is None


async def test_g1_1_code_exchange_becomes_a_token_grant() -> None:
    async def token_endpoint(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json=G1_1)

    config = GoogleConfig(client_id="cid", client_secret="secret", redirect_uri="https://w.example/cb")
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(token_endpoint)) as client:
        grant = await GoogleOAuth(config, client).exchange_code(code="4/c", code_verifier="v" * 43)
    assert grant.scopes == {
        "https://www.googleapis.com/auth/calendar.events",
        "https://www.googleapis.com/auth/calendar.freebusy",
        "openid",
        "email",
    }
    assert grant.refresh_token == "1//sbx-rt-a91f"
    assert grant.account_kind is AccountKind.PERSONAL
    assert grant.organization_id is None


def test_g2_2_freebusy_response_reads_busy_periods_and_per_calendar_errors() -> None:
    answer = FreeBusyResponse.model_validate(G2_2)
    host = answer.calendars["host@gmail.test"]
    assert [(p.start, p.end) for p in host.busy] == [
        (datetime(2025, 6, 2, 9, tzinfo=UTC), datetime(2025, 6, 2, 10, tzinfo=UTC)),
        (datetime(2025, 6, 4, 13, 30, tzinfo=UTC), datetime(2025, 6, 4, 14, tzinfo=UTC)),
    ]
    assert host.errors == []
    nobody = answer.calendars["nobody@gmail.test"]
    assert [e.reason for e in nobody.errors] == ["notFound"]
    assert nobody.busy == []


def test_g3_2_event_gives_the_meet_link_and_ids() -> None:
    event = Event.model_validate(G3_2)
    created = created_event(event)
    assert created.event_id == "8f14e45fceea467fa8f06d1b1f0e2c11"
    assert created.ical_uid == "8f14e45fceea467fa8f06d1b1f0e2c11@google.com"
    assert created.join_url == "https://meet.google.com/abc-defg-hij"
    assert created.web_link == G3_2["htmlLink"]
    assert created.meeting_pending is False
    assert event.attendees[0].display_name == "Ivo Invitee"


def test_g3_2_while_meet_is_pending_there_is_no_link_yet() -> None:
    pending = json.loads(json.dumps(G3_2))
    del pending["hangoutLink"]
    data = pending["conferenceData"]
    data["createRequest"]["status"]["statusCode"] = "pending"
    for name in ("entryPoints", "conferenceSolution", "conferenceId"):
        del data[name]
    event = Event.model_validate(pending)
    assert meeting_pending(event)
    created = created_event(event)
    assert created.join_url is None
    assert created.meeting_pending is True


def test_the_video_entry_point_serves_when_hangout_link_is_absent() -> None:
    body = json.loads(json.dumps(G3_2))
    del body["hangoutLink"]
    assert join_url(Event.model_validate(body)) == "https://meet.google.com/abc-defg-hij"


def test_failed_meet_creation_is_no_link_and_not_pending() -> None:
    body = json.loads(json.dumps(G3_2))
    del body["hangoutLink"]
    body["conferenceData"] = {
        "createRequest": {
            "requestId": "r",
            "conferenceSolutionKey": {"type": "hangoutsMeet"},
            "status": {"statusCode": "failure"},
        }
    }
    created = created_event(Event.model_validate(body))
    assert (created.join_url, created.meeting_pending) == (None, False)


@pytest.mark.parametrize(
    ("body", "status", "reason"), [(G5_1, 429, "rateLimitExceeded"), (G5_2, 409, "duplicate")]
)
def test_g5_error_bodies_read_their_reason(body: dict[str, Any], status: int, reason: str) -> None:
    parsed = ApiErrorResponse.model_validate(body).error
    assert parsed.code == status
    assert parsed.errors[0].reason == reason
    assert api_error_reason(httpx2.Response(status, json=body)) == reason


def test_calendar_list_entry_reads_the_allowed_conference_types() -> None:
    entry = CalendarListEntry.model_validate(
        {
            "kind": "calendar#calendarListEntry",
            "id": "host@acme.test",
            "primary": True,
            "accessRole": "owner",
            "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
        }
    )
    assert entry.conference_properties is not None
    assert entry.conference_properties.allowed_conference_solution_types == ["hangoutsMeet"]
