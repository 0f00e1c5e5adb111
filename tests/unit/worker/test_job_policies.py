"""A meeting link is waited for briefly: the invitee's confirmation must not wait for long."""

from datetime import UTC, datetime, timedelta

from workestra.calendars.errors import MeetingLinkPending
from workestra.enums import JobKind
from workestra.worker.jobs import JOB_HANDLERS, ON_GIVE_UP, POLICIES
from workestra.worker.retry import next_attempt, out_of_attempts

NOW = datetime(2031, 1, 6, 9, tzinfo=UTC)


def test_waiting_for_a_meeting_link_gives_up_within_a_minute() -> None:
    policy = POLICIES[JobKind.AWAIT_MEETING_LINK]
    waited = timedelta()
    attempts = 1
    while (
        when := next_attempt(attempts=attempts, error=MeetingLinkPending(), now=NOW, policy=policy)
    ) is not None:
        waited += when - NOW
        attempts += 1
    assert timedelta(seconds=30) <= waited <= timedelta(minutes=1)
    assert out_of_attempts(attempts=attempts + 1, policy=policy)


def test_a_wait_that_runs_out_confirms_without_the_link() -> None:
    follow_up, _payload = ON_GIVE_UP[JobKind.AWAIT_MEETING_LINK]
    assert follow_up is JobKind.MEETING_LINK_MISSING
    assert set(JobKind) <= set(JOB_HANDLERS)
