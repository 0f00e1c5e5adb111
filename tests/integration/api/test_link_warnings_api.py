"""The links API says what stops a link from working, on save and when listed."""

import httpx2

from tests.integration.api.conftest import ApiHost


async def test_saving_a_link_on_an_unconnected_calendar_answers_with_a_warning(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    body = {
        "slug": f"teams-{alice.id[:8]}",
        "title": "Teams",
        "duration_minutes": 30,
        "calendar_provider": "microsoft",
    }
    created = await http.post("/api/v1/booking-links", json=body, headers=alice.headers)
    assert created.status_code == 201, created.text
    [warning] = created.json()["warnings"]
    assert "Microsoft Calendar isn't connected" in warning
    answer = await http.get("/api/v1/booking-links", headers=alice.headers)
    listed = {link["id"]: link for link in answer.json()}
    assert listed[created.json()["id"]]["warnings"] == [warning]
    assert listed[alice.link.id]["warnings"] == []
    url = f"/api/v1/booking-links/{created.json()['id']}"
    patched = await http.patch(url, json={"calendar_provider": "none"}, headers=alice.headers)
    assert patched.json()["warnings"] == []
