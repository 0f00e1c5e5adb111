"""Whatever an invitee's browser (or a bot) sends to the public API, the answer is never a 500."""

from urllib.parse import quote

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.api.conftest import ApiHost

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    [
        "",
        "x" * 5000,
        "a\r\nBcc: b@example.test",
        "2031-06-02T09:00:00",
        "2031-06-02T09:00:00+00:00",
        "Europe/Berlin",
        "../../etc/passwd",
        "Etc/GMT+5",
        "ivo@example.test",
        "America/Indiana",  # a folder of zones, not a zone
        "a\x00b",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:30:00+00:00",
        "9999-12-31",
    ]
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=8,
)
BOOKING = st.fixed_dictionaries(
    {}, optional={"start": JSON, "name": JSON, "email": JSON, "timezone": JSON, "extra": JSON}
)
QUERY = st.fixed_dictionaries({}, optional={"start": TEXT, "end": TEXT, "timezone": TEXT})


@pytest.fixture
def live_overrides() -> dict[str, object]:
    """Hypothesis sends hundreds of requests from one address: these tests are about answers, not budgets
    (tests/integration/api/test_rate_limits.py is)."""
    unlimited = "1000000/minute"
    return {
        "rate_limits": {
            "slots_per_client": unlimited,
            "bookings_per_client": unlimited,
            "bookings_per_email": unlimited,
        }
    }


CHECKS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@CHECKS
@given(body=BOOKING | JSON)
def test_booking_bodies_never_cause_a_server_error(
    two_hosts: tuple[ApiHost, ApiHost], live_url: str, body: object
) -> None:
    alice, _ = two_hosts
    response = httpx2.post(
        f"{live_url}/api/v1/public/links/{alice.link.slug}/bookings", json=body, timeout=30
    )
    assert response.status_code < 500, response.text
    assert response.status_code in {201, 409, 422}
    if response.status_code == 422:
        assert response.json()["error"]["message"]


@CHECKS
@given(params=QUERY, slug=TEXT)
def test_slot_queries_never_cause_a_server_error(
    two_hosts: tuple[ApiHost, ApiHost], live_url: str, params: dict[str, str], slug: str
) -> None:
    alice, _ = two_hosts
    for target in (alice.link.slug, quote(slug, safe="") or "x"):
        response = httpx2.get(f"{live_url}/api/v1/public/links/{target}/slots", params=params, timeout=30)
        assert response.status_code < 500, response.text
