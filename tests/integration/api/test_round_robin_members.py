"""A round-robin link belongs to a team: its pool is drawn from the members who accepted the
team's invitation, and editing it changes the pool in place, keeping each rep's rotation state."""

from datetime import timedelta

import httpx2

from tests.support.builders import make_host, service_context
from tests.support.processes import ALL_DAY_HOURS
from tests.support.server import LiveServer
from tests.support.teams import make_team
from workestra.clock import SystemClock
from workestra.services.teams import invite


def _day(days: int = 4) -> str:
    return (SystemClock().now() + timedelta(days=days)).date().isoformat()


def _link(slug: str, **fields: object) -> dict[str, object]:
    return {
        "slug": slug,
        "title": f"Pool {slug}",
        "duration_minutes": 30,
        "timezone": "UTC",
        "weekly_hours": ALL_DAY_HOURS,
        **fields,
    }


async def _slots(http: httpx2.AsyncClient, slug: str, day: str) -> list[str]:
    response = await http.get(
        f"/api/v1/public/links/{slug}/slots", params={"start": day, "end": day, "timezone": "UTC"}
    )
    assert response.status_code == 200, response.text
    return [s["start"] for s in response.json()["slots"]]


async def _book(http: httpx2.AsyncClient, slug: str, start: str) -> httpx2.Response:
    return await http.post(
        f"/api/v1/public/links/{slug}/bookings",
        json={"start": start, "name": "Ivo", "email": "ivo@example.test", "timezone": "UTC"},
    )


async def _people(live_server: LiveServer, count: int) -> tuple[dict[str, str], list[str], list[object]]:
    """A lead (their API headers) and ``count`` reps: emails and Host objects."""
    async with service_context(live_server.settings) as ctx:
        created, lead = await make_host(ctx, name="Lea Lead", timezone="UTC")
        reps = [(await make_host(ctx, name=f"Rep {n}", timezone="UTC"))[1] for n in range(count)]
    return {"Authorization": f"Bearer {created.api_key}"}, [r.email for r in reps], [lead, *reps]


async def test_a_round_robin_link_needs_a_team_its_host_administers(live_server: LiveServer) -> None:
    async with service_context(live_server.settings) as ctx:
        created, lead = await make_host(ctx, name="Lea", timezone="UTC")
        _, other_lead = await make_host(ctx, name="Oz", timezone="UTC")
        _, rep = await make_host(ctx, name="Rep", timezone="UTC")
        mine = await make_team(ctx, lead, [rep])
        theirs = await make_team(ctx, other_lead, [lead])  # Lea is a plain member there
    headers = {"Authorization": f"Bearer {created.api_key}"}
    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as http:
        no_team = await http.post(
            "/api/v1/booking-links",
            headers=headers,
            json=_link("rr-no-team", round_robin_members=[rep.email]),
        )
        assert no_team.status_code == 422, no_team.text
        assert "team" in no_team.json()["error"]["message"]
        for team_id in (theirs.id, "no-such-team"):
            refused = await http.post(
                "/api/v1/booking-links", headers=headers, json=_link("rr-not-admin", team_id=team_id)
            )
            assert refused.status_code == 422, refused.text
        made = await http.post(
            "/api/v1/booking-links", headers=headers, json=_link("rr-mine", team_id=mine.id)
        )
        assert made.status_code == 201, made.text
        # Omitted members: every active member of the team, the admin included.
        assert sorted(made.json()["round_robin_members"]) == sorted([lead.email, rep.email])
        assert made.json()["team_id"] == mine.id


async def test_only_members_who_accepted_are_put_in_a_pool(live_server: LiveServer) -> None:
    async with service_context(live_server.settings) as ctx:
        created, lead = await make_host(ctx, name="Lea", timezone="UTC")
        _, joined = await make_host(ctx, name="Jo", timezone="UTC")
        _, waiting = await make_host(ctx, name="Wai", timezone="UTC")
        team = await make_team(ctx, lead, [joined])
        await invite(ctx, lead, team.id, waiting.email)  # invited, hasn't said yes
    headers = {"Authorization": f"Bearer {created.api_key}"}
    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as http:
        for email in (waiting.email, "nobody-here@example.test"):
            refused = await http.post(
                "/api/v1/booking-links",
                headers=headers,
                json=_link("rr-waiting", team_id=team.id, round_robin_members=[joined.email, email]),
            )
            assert refused.status_code == 422, refused.text
            assert refused.json()["error"]["fields"] == {"round_robin_members": "not an active team member"}
        made = await http.post(
            "/api/v1/booking-links",
            headers=headers,
            json=_link("rr-joined", team_id=team.id, round_robin_members=[joined.email]),
        )
        assert made.status_code == 201, made.text
        booked = await _book(http, "rr-joined", (await _slots(http, "rr-joined", _day()))[0])
        assert booked.status_code == 201, booked.text
        assert booked.json()["host"]["email"] == joined.email
        seen = await http.get(f"/api/v1/bookings/{booked.json()['id']}", headers=headers)
        assignment = seen.json()["assignment"]  # the decision on record, for the team's admin
        assert [(r["email"], r["status"]) for r in assignment["reps"]] == [(joined.email, "chosen")]
        assert assignment["reason"] == "the only rep who could take it"
        page = await http.get("/book/rr-joined")  # the page books with the team, not its admin
        assert '<p class="host-name">Sales</p>' in page.text
        assert "Lea" not in page.text


async def test_editing_the_pool_keeps_each_reps_rotation_state(live_server: LiveServer) -> None:
    async with service_context(live_server.settings) as ctx:
        created, lead = await make_host(ctx, name="Lea", timezone="UTC")
        reps = [(await make_host(ctx, name=f"Rep {n}", timezone="UTC"))[1] for n in range(3)]
        team = await make_team(ctx, lead, reps)
    headers = {"Authorization": f"Bearer {created.api_key}"}
    ann, bob, cy = (r.email for r in reps)
    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as http:
        made = await http.post(
            "/api/v1/booking-links",
            headers=headers,
            json=_link("rr-edit", team_id=team.id, round_robin_members=[ann, bob]),
        )
        assert made.status_code == 201, made.text
        link_id = made.json()["id"]
        starts = await _slots(http, "rr-edit", _day())
        hosts = [(await _book(http, "rr-edit", start)).json()["host"]["email"] for start in starts[:3]]
        assert sorted(hosts) == sorted([ann, bob, ann]) or sorted(hosts) == sorted([ann, bob, bob])
        before = {
            r["email"]: r
            for r in (await http.get(f"/api/v1/booking-links/{link_id}", headers=headers)).json()["rotation"]
        }
        # Reorder, add a rep, change settings: 200, never a 500 from the unique constraints.
        edited = await http.patch(
            f"/api/v1/booking-links/{link_id}",
            headers=headers,
            json={
                "round_robin_members": [bob, cy, ann],
                "rotation": [{"email": ann, "weight": 2, "priority": 3, "daily_limit": 4}],
            },
        )
        assert edited.status_code == 200, edited.text
        after = {r["email"]: r for r in edited.json()["rotation"]}
        assert edited.json()["round_robin_members"] == [bob, cy, ann]
        assert after[bob]["bookings"] == before[bob]["bookings"]
        assert after[ann]["bookings"] == before[ann]["bookings"]
        assert (after[ann]["weight"], after[ann]["priority"], after[ann]["daily_limit"]) == (2, 3, 4)
        # The newcomer starts level with the pool's lowest count, not from zero.
        assert after[cy]["bookings"] == min(before[ann]["bookings"], before[bob]["bookings"])
        # Dropping and settings for someone outside the pool are refused in words.
        dropped = await http.patch(
            f"/api/v1/booking-links/{link_id}", headers=headers, json={"round_robin_members": [bob, ann]}
        )
        assert dropped.status_code == 200, dropped.text
        assert [r["email"] for r in dropped.json()["rotation"]] == [bob, ann]
        stranger = await http.patch(
            f"/api/v1/booking-links/{link_id}",
            headers=headers,
            json={"rotation": [{"email": cy, "weight": 3}]},
        )
        assert stranger.status_code == 422, stranger.text
        for bad in (
            {"email": ann, "priority": 5},
            {"email": ann, "weight": 0},
            {"email": ann, "daily_limit": 0},
        ):
            refused = await http.patch(
                f"/api/v1/booking-links/{link_id}", headers=headers, json={"rotation": [bad]}
            )
            assert refused.status_code == 422, refused.text
        cleared = await http.patch(
            f"/api/v1/booking-links/{link_id}",
            headers=headers,
            json={"rotation": [{"email": ann, "daily_limit": None}]},
        )
        assert cleared.status_code == 200, cleared.text
        assert {r["email"]: r["daily_limit"] for r in cleared.json()["rotation"]}[ann] is None
