"""Teams over the API (DESIGN.md, "Teams and round-robin"), on SQLite and PostgreSQL: creating,
inviting (the same answer whether or not an address has an account), accepting, declining,
leaving and removal (out of every pool of the team at once), the only-admin rule, and the emailed
invitation whose link works."""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx2
import pytest
from sqlalchemy import func, select

from tests.integration.web.conftest import PASSWORD, csrf_from, csrf_of
from tests.support.builders import make_host, make_link, service_context, unique
from tests.support.databases import postgres_database
from tests.support.server import LiveServer
from tests.support.smtp import SmtpSink
from workestra.db.models import LinkMember, OutboxJob
from workestra.enums import JobKind

STRANGER = "nobody-here@example.test"
CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]*"')
INVITATION_LINK = re.compile(r"(http://127\.0\.0\.1:\d+/teams/invitations/[A-Za-z0-9_-]+)")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def live_overrides(request: pytest.FixtureRequest) -> AsyncIterator[dict[str, object]]:
    """Every test here runs on both engines (the live server migrates the database it is given)."""
    if request.param == "sqlite":
        yield {}
    else:
        async with postgres_database() as url:
            yield {"database_url": url}


@dataclass(frozen=True)
class User:
    id: str
    name: str
    email: str
    headers: dict[str, str]


async def _user(server: LiveServer, name: str) -> User:
    async with service_context(server.settings) as ctx:
        created, host = await make_host(ctx, name=name, password=PASSWORD)
    return User(host.id, host.name, host.email, {"Authorization": f"Bearer {created.api_key}"})


@pytest.fixture
async def alice(live_server: LiveServer) -> User:
    return await _user(live_server, "Alice Admin")


@pytest.fixture
async def bob(live_server: LiveServer) -> User:
    return await _user(live_server, "Bob Rep")


@pytest.fixture
async def carol(live_server: LiveServer) -> User:
    return await _user(live_server, "Carol Rep")


async def _team(http: httpx2.AsyncClient, admin: User, name: str = "Sales") -> dict[str, object]:
    response = await http.post(
        "/api/v1/teams", headers=admin.headers, json={"slug": unique("sales"), "name": name}
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def _invite(http: httpx2.AsyncClient, admin: User, team_id: object, email: str) -> httpx2.Response:
    return await http.post(f"/api/v1/teams/{team_id}/members", headers=admin.headers, json={"email": email})


async def _join(http: httpx2.AsyncClient, admin: User, team_id: object, *members: User) -> None:
    for member in members:
        assert (await _invite(http, admin, team_id, member.email)).status_code == 201
        accepted = await http.post(f"/api/v1/teams/{team_id}/accept", headers=member.headers)
        assert accepted.status_code == 200, accepted.text


async def _members(http: httpx2.AsyncClient, user: User, team_id: object) -> list[dict[str, object]]:
    response = await http.get(f"/api/v1/teams/{team_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    members: list[dict[str, object]] = response.json()["members"]
    return members


async def test_a_new_team_has_its_creator_as_active_admin(http: httpx2.AsyncClient, alice: User) -> None:
    slug = unique("sales")
    response = await http.post("/api/v1/teams", headers=alice.headers, json={"slug": slug, "name": "Sales"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "slug", "name", "members"}
    assert (body["slug"], body["name"]) == (slug, "Sales")
    assert body["members"] == [
        {"email": alice.email, "name": alice.name, "role": "admin", "status": "active"}
    ]
    assert (await http.get(f"/api/v1/teams/{body['id']}", headers=alice.headers)).json() == body

    again = await http.post("/api/v1/teams", headers=alice.headers, json={"slug": slug, "name": "Other"})
    assert again.status_code == 409, again.text
    bad = await http.post("/api/v1/teams", headers=alice.headers, json={"slug": "Not a slug!", "name": "X"})
    assert bad.status_code == 422, bad.text
    assert (await http.post("/api/v1/teams", json={"slug": unique("t"), "name": "X"})).status_code == 401


async def test_inviting_answers_the_same_whether_or_not_the_address_has_an_account(
    http: httpx2.AsyncClient, live_server: LiveServer, smtp_sink: SmtpSink, alice: User, bob: User
) -> None:
    team = await _team(http, alice)
    known = await _invite(http, alice, team["id"], bob.email)
    unknown = await _invite(http, alice, team["id"], STRANGER)
    assert known.status_code == unknown.status_code == 201, (known.text, unknown.text)
    assert known.headers.keys() == unknown.headers.keys()
    as_bob, as_stranger = known.json(), unknown.json()
    assert {k: v for k, v in as_bob.items() if k != "team"} == {
        "email": bob.email,
        "name": None,
        "role": "member",
        "status": "invited",
    }
    assert {k: v for k, v in as_stranger.items() if k != "team"} == {
        "email": STRANGER,
        "name": None,
        "role": "member",
        "status": "invited",
    }
    # Both sit in the team the same way: an invited member's account name is never shown.
    members = await _members(http, alice, team["id"])
    assert [m for m in members if m["email"] == bob.email] == [
        {"email": bob.email, "name": None, "role": "member", "status": "invited"}
    ]
    assert [m for m in members if m["email"] == STRANGER] == [
        {"email": STRANGER, "name": None, "role": "member", "status": "invited"}
    ]

    # An address is emailed either way.
    await smtp_sink.message_to(bob.email)
    await smtp_sink.message_to(STRANGER)

    # Inviting again (either address, in any spelling) changes nothing and queues no second email.
    for email in (bob.email.upper(), STRANGER, alice.email):
        repeat = await _invite(http, alice, team["id"], email)
        assert repeat.status_code == 201, repeat.text
    assert await _members(http, alice, team["id"]) == members
    async with service_context(live_server.settings) as ctx, ctx.uow() as uow:
        queued = await uow.session.scalar(
            select(func.count()).select_from(OutboxJob).where(OutboxJob.kind == JobKind.SEND_TEAM_INVITATION)
        )
    assert queued == 2


async def test_only_admins_invite_and_only_members_see_a_team(
    http: httpx2.AsyncClient, alice: User, bob: User, carol: User
) -> None:
    team = await _team(http, alice)
    # Nobody outside sees it (an invitee neither, until they accept).
    assert (await http.get(f"/api/v1/teams/{team['id']}", headers=bob.headers)).status_code == 404
    assert (await _invite(http, bob, team["id"], carol.email)).status_code == 404
    assert (await _invite(http, alice, team["id"], bob.email)).status_code == 201
    assert (await http.get(f"/api/v1/teams/{team['id']}", headers=bob.headers)).status_code == 404
    assert (await http.get("/api/v1/teams/no-such-team", headers=alice.headers)).status_code == 404

    accepted = await http.post(f"/api/v1/teams/{team['id']}/accept", headers=bob.headers)
    assert accepted.status_code == 200, accepted.text
    assert {k: v for k, v in accepted.json().items() if k != "team"} == {
        "email": bob.email,
        "name": bob.name,
        "role": "member",
        "status": "active",
    }
    assert (
        await http.post(f"/api/v1/teams/{team['id']}/accept", headers=bob.headers)
    ).json() == accepted.json()
    assert (await http.get(f"/api/v1/teams/{team['id']}", headers=bob.headers)).status_code == 200
    # A member who isn't an admin invites and removes nobody.
    assert (await _invite(http, bob, team["id"], carol.email)).status_code == 403
    removal = await http.delete(f"/api/v1/teams/{team['id']}/members/{alice.email}", headers=bob.headers)
    assert removal.status_code == 403
    # Somebody never invited can't accept.
    assert (await http.post(f"/api/v1/teams/{team['id']}/accept", headers=carol.headers)).status_code == 404
    bad = await _invite(http, alice, team["id"], "not an address")
    assert bad.status_code == 422, bad.text


async def test_my_teams_lists_teams_and_waiting_invitations_and_declining_ends_one(
    http: httpx2.AsyncClient, alice: User, bob: User
) -> None:
    sales = await _team(http, alice, "Sales")
    support = await _team(http, alice, "Support")
    await _join(http, alice, sales["id"], bob)
    assert (await _invite(http, alice, support["id"], bob.email)).status_code == 201

    mine = (await http.get("/api/v1/teams", headers=bob.headers)).json()
    assert [t["id"] for t in mine["teams"]] == [sales["id"]]
    assert mine["invitations"] == [
        {"id": support["id"], "slug": support["slug"], "name": "Support", "role": "member"}
    ]

    declined = await http.post(f"/api/v1/teams/{support['id']}/decline", headers=bob.headers)
    assert declined.status_code == 204, declined.text
    assert (await http.get("/api/v1/teams", headers=bob.headers)).json()["invitations"] == []
    assert bob.email not in {m["email"] for m in await _members(http, alice, support["id"])}
    again = await http.post(f"/api/v1/teams/{support['id']}/decline", headers=bob.headers)
    assert again.status_code == 404


async def _pool_places(server: LiveServer, user_id: str) -> dict[str, int]:
    """Link id → how many places this user has in its pool."""
    async with service_context(server.settings) as ctx, ctx.uow() as uow:
        rows = await uow.session.execute(
            select(LinkMember.link_id, func.count())
            .where(LinkMember.user_id == user_id)
            .group_by(LinkMember.link_id)
        )
        return {str(row[0]): int(row[1]) for row in rows}


async def _team_links(server: LiveServer, team_id: str, members: list[User], count: int) -> list[str]:
    """``count`` links of the team with each member in its pool (rows made directly)."""
    async with service_context(server.settings) as ctx:
        _, owner = await make_host(ctx, name="Link Owner")
        ids = [(await make_link(ctx, owner)).id for _ in range(count)]
        async with ctx.uow(write=True) as uow:
            now = ctx.clock.now()
            for link_id in ids:
                link = await uow.links.get(link_id)
                assert link is not None
                link.team_id = team_id
                for position, member in enumerate(members):
                    uow.session.add(
                        LinkMember(
                            link_id=link_id,
                            email=member.email,
                            user_id=member.id,
                            position=position,
                            accepted_at=now,
                        )
                    )
            await uow.commit()
    return ids


async def test_leaving_drops_the_rep_from_every_pool_of_the_team_at_once(
    http: httpx2.AsyncClient, live_server: LiveServer, alice: User, bob: User, carol: User
) -> None:
    team = await _team(http, alice)
    other = await _team(http, alice, "Other team")
    await _join(http, alice, team["id"], bob, carol)
    await _join(http, alice, other["id"], bob)
    links = await _team_links(live_server, str(team["id"]), [bob, carol], 3)
    [elsewhere] = await _team_links(live_server, str(other["id"]), [bob], 1)
    assert await _pool_places(live_server, bob.id) == {**dict.fromkeys(links, 1), elsewhere: 1}

    left = await http.delete(f"/api/v1/teams/{team['id']}/members/me", headers=bob.headers)
    assert left.status_code == 204, left.text
    assert await _pool_places(live_server, bob.id) == {elsewhere: 1}  # the other team's pool stays
    assert await _pool_places(live_server, carol.id) == dict.fromkeys(links, 1)
    assert bob.email not in {m["email"] for m in await _members(http, alice, team["id"])}
    assert (await http.get(f"/api/v1/teams/{team['id']}", headers=bob.headers)).status_code == 404
    again = await http.delete(f"/api/v1/teams/{team['id']}/members/me", headers=bob.headers)
    assert again.status_code == 404


async def test_an_admin_removes_a_member_by_email_out_of_every_pool_and_withdraws_invitations(
    http: httpx2.AsyncClient, live_server: LiveServer, alice: User, bob: User, carol: User
) -> None:
    team = await _team(http, alice)
    await _join(http, alice, team["id"], bob, carol)
    links = await _team_links(live_server, str(team["id"]), [bob, carol], 2)
    assert (await _invite(http, alice, team["id"], STRANGER)).status_code == 201

    removed = await http.delete(f"/api/v1/teams/{team['id']}/members/{bob.email}", headers=alice.headers)
    assert removed.status_code == 204, removed.text
    assert await _pool_places(live_server, bob.id) == {}
    assert await _pool_places(live_server, carol.id) == dict.fromkeys(links, 1)
    withdrawn = await http.delete(f"/api/v1/teams/{team['id']}/members/{STRANGER}", headers=alice.headers)
    assert withdrawn.status_code == 204, withdrawn.text
    assert [m["email"] for m in await _members(http, alice, team["id"])] == [alice.email, carol.email]
    gone = await http.delete(f"/api/v1/teams/{team['id']}/members/{bob.email}", headers=alice.headers)
    assert gone.status_code == 404
    # Bob, removed, can't accept his way back in: only a new invitation would let him.
    assert (await http.post(f"/api/v1/teams/{team['id']}/accept", headers=bob.headers)).status_code == 404


async def test_the_only_admin_makes_another_admin_before_leaving(
    http: httpx2.AsyncClient, alice: User, bob: User
) -> None:
    team = await _team(http, alice)
    await _join(http, alice, team["id"], bob)
    refused = await http.delete(f"/api/v1/teams/{team['id']}/members/me", headers=alice.headers)
    assert refused.status_code == 409, refused.text
    assert "only admin" in refused.json()["error"]["message"]
    demoted = await http.patch(
        f"/api/v1/teams/{team['id']}/members/{alice.email}", headers=alice.headers, json={"role": "member"}
    )
    assert demoted.status_code == 409, demoted.text

    promoted = await http.patch(
        f"/api/v1/teams/{team['id']}/members/{bob.email}", headers=alice.headers, json={"role": "admin"}
    )
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["role"] == "admin"
    left = await http.delete(f"/api/v1/teams/{team['id']}/members/me", headers=alice.headers)
    assert left.status_code == 204, left.text
    assert await _members(http, bob, team["id"]) == [
        {"email": bob.email, "name": bob.name, "role": "admin", "status": "active"}
    ]

    # Alone, the last admin may leave: the team's open invitations go with them.
    assert (await _invite(http, bob, team["id"], STRANGER)).status_code == 201
    assert (
        await http.delete(f"/api/v1/teams/{team['id']}/members/me", headers=bob.headers)
    ).status_code == 204
    assert (await http.get(f"/api/v1/teams/{team['id']}", headers=bob.headers)).status_code == 404


def _page_text(response: httpx2.Response, path: str) -> str:
    """The page without its own address and its CSRF tokens (new on every render)."""
    return CSRF_VALUE.sub("", response.text.replace(path, ""))


@asynccontextmanager
async def _signed_in(server: LiveServer, user: User) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(base_url=server.url, timeout=30) as client:
        token = await csrf_of(client, "/login")
        data = {"email": user.email, "password": PASSWORD, "csrf_token": token}
        response = await client.post("/login", data=data)
        assert response.status_code == 303, response.text
        yield client


async def test_the_emailed_invitation_link_works_for_its_address_only(
    http: httpx2.AsyncClient,
    live_server: LiveServer,
    smtp_sink: SmtpSink,
    alice: User,
    bob: User,
    carol: User,
) -> None:
    team = await _team(http, alice, "Field sales")
    assert (await _invite(http, alice, team["id"], bob.email)).status_code == 201
    message = await smtp_sink.message_to(bob.email)
    assert "Field sales" in message["Subject"]
    text = message.get_body(("plain",))
    assert text is not None
    match = INVITATION_LINK.search(text.get_content())
    assert match, text.get_content()
    url = match.group(1)
    path = url.removeprefix(live_server.url)
    assert path != url

    # Somebody else signed in sees the same page as for a made-up link: nothing tells them apart.
    async with _signed_in(live_server, carol) as as_carol:
        theirs = await as_carol.get(path)
        made_up = await as_carol.get("/teams/invitations/" + "A" * 43)
        assert theirs.status_code == made_up.status_code == 404
        assert "This invitation is for another address" in theirs.text
        assert _page_text(theirs, path) == _page_text(made_up, "/teams/invitations/" + "A" * 43)
        refused = await as_carol.post(path, data={"csrf_token": csrf_from(theirs.text)})
        assert refused.status_code == 404

    async with _signed_in(live_server, bob) as as_bob:
        page = await as_bob.get(path)
        assert page.status_code == 200, page.text
        assert "Join Field sales?" in page.text
        await as_bob.get(path)  # opening it (twice) changes nothing
        assert {m["email"]: m["status"] for m in await _members(http, alice, team["id"])}[
            bob.email
        ] == "invited"
        accepted = await as_bob.post(path, data={"csrf_token": csrf_from(page.text)})
        assert accepted.status_code == 303, accepted.text
        assert accepted.headers["location"] == f"/settings/teams/{team['id']}"
    assert {m["email"]: m["status"] for m in await _members(http, alice, team["id"])}[bob.email] == "active"


async def test_the_invitation_link_asks_a_signed_out_visitor_to_sign_in_first(
    http: httpx2.AsyncClient, smtp_sink: SmtpSink, alice: User, live_server: LiveServer
) -> None:
    team = await _team(http, alice)
    assert (await _invite(http, alice, team["id"], STRANGER)).status_code == 201
    body = (await smtp_sink.message_to(STRANGER)).get_body(("plain",))
    assert body is not None
    match = INVITATION_LINK.search(body.get_content())
    assert match
    response = await http.get(match.group(1).removeprefix(live_server.url))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/teams/invitations/")
