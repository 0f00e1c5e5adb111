"""Google Meet conferences on events: the asynchronous create request and how it resolves.

Reference: G-CREATE and DISC (`ConferenceData`, `CreateConferenceRequest`, `ConferenceRequestStatus`
pending|success|failure, `hangoutLink`), G3 (`conferenceDataVersion=1` or the fields are ignored;
a repeated `requestId` is ignored). How long creation stays pending is set through the control API.
"""

import secrets
import string
from datetime import timedelta
from typing import Any

from .errors import invalid
from .state import Account, Conference, Event, GoogleState

MEET_ICON = "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png"


def _meeting_code() -> str:
    """`abc-defg-hij` (G3)."""
    letters = string.ascii_lowercase
    return "-".join("".join(secrets.choice(letters) for _ in range(n)) for n in (3, 4, 3))


def apply(state: GoogleState, event: Event, owner: Account, data: dict[str, Any], *, version: int) -> None:
    """Honour `conferenceData` of an insert/patch body; with version 0 it is ignored (G3)."""
    if version == 0 or "conferenceData" not in data:
        return
    conference_data = data["conferenceData"]
    if conference_data is None:
        event.conference = None
        return
    if not isinstance(conference_data, dict):
        raise invalid("Invalid conference data.")  # [R]
    request = conference_data.get("createRequest")
    if request is None:
        return  # [R] attaching an existing third-party conference is not emulated: ignored
    if not isinstance(request, dict):
        raise invalid("Invalid conference create request.")  # [R]
    key = request.get("conferenceSolutionKey")
    solution = key.get("type") if isinstance(key, dict) else None
    if solution not in owner.conference_types:
        raise invalid("Invalid conference type value.")  # [O]
    request_id = request.get("requestId")
    if not isinstance(request_id, str) or not request_id:
        raise invalid("Invalid conference create request.")  # [R] requestId is required
    if event.conference is not None and event.conference.request_id == request_id:
        return  # G3: the same requestId again: the request is ignored
    meet = state.meet
    event.conference = Conference(
        request_id=request_id,
        solution_type=str(solution),
        outcome=meet.outcome,
        reads_left=meet.after_reads,
        ready_at=state.now() + timedelta(seconds=meet.after_seconds),
    )
    _settle(state, event.conference)


def observe(state: GoogleState, event: Event) -> None:
    """A client read the event (events.get / events.list): one read closer to resolution."""
    conference = event.conference
    if conference is None or conference.status != "pending":
        return
    conference.reads_left = max(0, conference.reads_left - 1)
    _settle(state, conference)


def _settle(state: GoogleState, conference: Conference) -> None:
    if conference.reads_left > 0 or state.now() < conference.ready_at:
        return
    conference.status = conference.outcome
    if conference.outcome == "success":
        conference.conference_id = _meeting_code()
        conference.signature = "sbx-" + secrets.token_urlsafe(24)


def hangout_link(event: Event) -> str | None:
    conference = event.conference
    if conference is None or conference.conference_id is None:
        return None
    return f"https://meet.google.com/{conference.conference_id}"


def conference_json(event: Event) -> dict[str, Any] | None:
    """G3.2 `conferenceData`: createRequest with its status; entry points once created."""
    conference = event.conference
    if conference is None:
        return None
    key = {"type": conference.solution_type}
    body: dict[str, Any] = {
        "createRequest": {
            "requestId": conference.request_id,
            "conferenceSolutionKey": dict(key),
            "status": {"statusCode": conference.status},
        }
    }
    link = hangout_link(event)
    if link is not None:
        body["entryPoints"] = [
            {"entryPointType": "video", "uri": link, "label": link.removeprefix("https://")}
        ]
        body["conferenceSolution"] = {"key": dict(key), "name": "Google Meet", "iconUri": MEET_ICON}
        body["conferenceId"] = conference.conference_id
        body["signature"] = conference.signature
    return body
