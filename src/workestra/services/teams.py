"""Teams: the hosts who share round-robin links, and their consent to be in a pool.

Nobody is in a team's pools without saying yes on their own account. An admin invites an address
(``invited``); the account with that address accepts (``active``) through the API, its settings page,
or the emailed invitation link, whose secret is stored only as its SHA-256 digest. Inviting answers
the same whether or not the address has an account (no account is even looked up), and inviting an
address already in the team changes nothing and sends nothing.

Leaving, declining and removal delete the member's row, and with it their place in every pool of
the team's links, in one transaction. The team's only admin can't leave while other active members
remain (409: make one of them an admin first, or remove them); the last active member leaving
withdraws the open invitations, leaving an empty team nobody sees.

Only active members see a team; to anyone else it looks absent. Removal names the member by email.
"""

from dataclasses import dataclass

from workestra.db.models import Team, TeamMember, new_id
from workestra.db.unit_of_work import UnitOfWork
from workestra.enums import JobKind, MemberStatus, TeamRole
from workestra.errors import Conflict, Forbidden, InvalidInput, NotFound
from workestra.mail import OutgoingEmail, render_email
from workestra.security.booking_tokens import TokenPurpose, digest
from workestra.services.booking_links import SLUG
from workestra.services.context import ServiceContext
from workestra.services.jobs import TeamInvitation
from workestra.services.users import Host
from workestra.services.validation import check_unicode, clean_text, normalize_email

NO_TEAM = "No team with that id."
NOT_YOURS = (
    "This invitation isn't open for the account you're signed in as. It may have been sent to "
    "another address (sign in with that address's account), withdrawn, or already answered."
)
ONLY_ADMIN = (
    "You are this team's only admin. Make another active member an admin, or remove the other "
    "members, before you leave."
)


@dataclass(frozen=True, slots=True)
class MemberView:
    id: str
    email: str
    name: str | None  # the account's name once accepted; None while invited (nothing leaks)
    role: TeamRole
    status: MemberStatus
    user_id: str | None


@dataclass(frozen=True, slots=True)
class TeamView:
    id: str
    slug: str
    name: str
    members: tuple[MemberView, ...]
    my_role: TeamRole  # the caller's role (only active members see a team)

    @property
    def is_admin(self) -> bool:
        return self.my_role is TeamRole.ADMIN


@dataclass(frozen=True, slots=True)
class MemberResult:
    """One member (invited, accepted, or changed) and the team as its caller now sees it."""

    member: MemberView
    team: TeamView


@dataclass(frozen=True, slots=True)
class InvitationView:
    """An invitation waiting for the caller's answer."""

    team_id: str
    team_slug: str
    team_name: str
    email: str
    role: TeamRole


@dataclass(frozen=True, slots=True)
class MyTeams:
    teams: tuple[TeamView, ...]
    invitations: tuple[InvitationView, ...]


@dataclass(frozen=True, slots=True)
class TeamPool:
    """A live team link whose pool the host is in."""

    link_id: str
    link_title: str
    team_name: str


def _my_email(host: Host) -> str:
    return host.email.strip().lower()


async def _view(uow: UnitOfWork, team: Team, me: TeamMember) -> TeamView:
    rows = sorted(team.members, key=lambda m: (m.invited_at, m.email))
    active_ids = [m.user_id for m in rows if m.user_id and m.status == MemberStatus.ACTIVE]
    names = {u.id: u.name for u in await uow.users.by_ids(active_ids)} if active_ids else {}
    return TeamView(
        id=team.id,
        slug=team.slug,
        name=team.name,
        members=tuple(_member(m, names) for m in rows),
        my_role=TeamRole(me.role),
    )


def _member(row: TeamMember, names: dict[str, str]) -> MemberView:
    active = row.status == MemberStatus.ACTIVE
    return MemberView(
        id=row.id,
        email=row.email,
        name=names.get(row.user_id) if active and row.user_id else None,
        role=TeamRole(row.role),
        status=MemberStatus(row.status),
        user_id=row.user_id if active else None,
    )


async def _visible(uow: UnitOfWork, host: Host, team_id: str) -> tuple[Team, TeamMember]:
    """The team and the caller's active membership; NotFound for everybody else."""
    team = await uow.teams.get(team_id)
    me = await uow.teams.membership(team_id, host.id) if team is not None else None
    if team is None or me is None:
        raise NotFound(NO_TEAM)
    return team, me


async def _administered(uow: UnitOfWork, host: Host, team_id: str, doing: str) -> tuple[Team, TeamMember]:
    team, me = await _visible(uow, host, team_id)
    if me.role != TeamRole.ADMIN:
        raise Forbidden(f"Only the team's admins can {doing}.")
    return team, me


def _result(view: TeamView, member_id: str) -> MemberResult:
    return MemberResult(member=next(m for m in view.members if m.id == member_id), team=view)


def _check_slug(value: str) -> str:
    slug = check_unicode(value, field="slug").strip().lower()
    if not SLUG.match(slug):
        raise InvalidInput(
            "The slug may use lower-case letters, digits and dashes (1–100 characters).",
            fields={"slug": "invalid slug"},
        )
    return slug


async def create_team(ctx: ServiceContext, host: Host, *, slug: str, name: str) -> TeamView:
    """A new team with its creator as its active admin; Conflict when the slug is taken."""
    slug = _check_slug(slug)
    name = clean_text(name, field="name", max_length=200)
    now = ctx.clock.now()
    async with ctx.uow(write=True) as uow:
        if await uow.teams.slug_taken(slug):
            raise Conflict(f"The team slug {slug!r} is already taken.")
        team = Team(slug=slug, name=name, created_at=now)
        admin = TeamMember(
            email=_my_email(host),
            user_id=host.id,
            role=TeamRole.ADMIN.value,
            status=MemberStatus.ACTIVE.value,
            invited_at=now,
            accepted_at=now,
        )
        team.members = [admin]
        if not await uow.teams.insert(team):  # taken by a concurrent request
            raise Conflict(f"The team slug {slug!r} is already taken.")
        view = await _view(uow, team, admin)
        await uow.commit()
    return view


async def get_team(ctx: ServiceContext, host: Host, team_id: str) -> TeamView:
    async with ctx.uow() as uow:
        team, me = await _visible(uow, host, team_id)
        return await _view(uow, team, me)


async def my_teams(ctx: ServiceContext, host: Host) -> MyTeams:
    """The teams the host is an active member of, and the invitations waiting under their address."""
    email = _my_email(host)
    teams: list[TeamView] = []
    invitations: list[InvitationView] = []
    async with ctx.uow() as uow:
        for member, team in await uow.teams.teams_of(host.id, email):
            if member.status == MemberStatus.ACTIVE and member.user_id == host.id:
                teams.append(await _view(uow, team, member))
            elif member.status == MemberStatus.INVITED and member.email == email:
                invitations.append(
                    InvitationView(team.id, team.slug, team.name, member.email, TeamRole(member.role))
                )
    return MyTeams(tuple(teams), tuple(invitations))


async def invite(ctx: ServiceContext, host: Host, team_id: str, email: str) -> MemberResult:
    """Invite an address (admins only). The same answer whether or not it has an account; an address
    already invited or active is left as it is (no error, no second email)."""
    address = normalize_email(email)
    now = ctx.clock.now()
    async with ctx.uow(write=True) as uow:
        team, me = await _administered(uow, host, team_id, "invite members")
        row = await uow.teams.invitation_for(team.id, address)
        if row is None:
            member_id = new_id()
            fresh = TeamMember(
                id=member_id,
                team_id=team.id,
                email=address,
                role=TeamRole.MEMBER.value,
                status=MemberStatus.INVITED.value,
                invite_token_digest=ctx.booking_tokens.digest(member_id, TokenPurpose.TEAM_INVITATION),
                invited_at=now,
            )
            if await uow.teams.insert(fresh):
                payload = TeamInvitation(member_id=member_id, inviter_id=host.id).payload()
                uow.outbox.add(JobKind.SEND_TEAM_INVITATION, now=now, payload=payload)
                row = fresh
            else:  # a concurrent invitation of the same address won: answer as for a repeat
                row = await uow.teams.invitation_for(team.id, address)
                if row is None:
                    raise Conflict("Another request changed that address just now. Try again.")
            await uow.teams.reload_members(team)
        view = await _view(uow, team, me)
        await uow.commit()
    return _result(view, row.id)


async def _join(uow: UnitOfWork, host: Host, row: TeamMember, ctx: ServiceContext) -> None:
    now = ctx.clock.now()
    row.user_id = host.id
    row.status = MemberStatus.ACTIVE.value
    row.accepted_at = now
    row.invite_token_digest = None
    await uow.teams.flush()
    await uow.teams.join_listed_places(row.team_id, host.id, row.email, at=now)


async def accept(ctx: ServiceContext, host: Host, team_id: str) -> MemberResult:
    """Say yes to the invitation under the host's own address (again: the same answer)."""
    async with ctx.uow(write=True) as uow:
        team = await uow.teams.get(team_id)
        row = await uow.teams.invitation_for(team_id, _my_email(host)) if team is not None else None
        if team is None or row is None or (row.status == MemberStatus.ACTIVE and row.user_id != host.id):
            raise NotFound("You have no invitation to a team with that id.")
        if row.status == MemberStatus.INVITED:
            await _join(uow, host, row, ctx)
        view = await _view(uow, team, row)
        await uow.commit()
    return _result(view, row.id)


async def _by_token(uow: UnitOfWork, host: Host, token: str) -> TeamMember:
    """The open invitation behind an emailed link, when it is for the host's address; the same
    NotFound otherwise (whether it exists, or is somebody else's, is never told)."""
    row = await uow.teams.by_invite_digest(digest(token)) if 0 < len(token) <= 200 else None
    if row is None or row.email != _my_email(host):
        raise NotFound(NOT_YOURS)
    return row


async def invitation_by_token(ctx: ServiceContext, host: Host, token: str) -> InvitationView:
    """What the emailed link's page shows (changes nothing)."""
    async with ctx.uow() as uow:
        row = await _by_token(uow, host, token)
        team = await uow.teams.get(row.team_id)
        if team is None:
            raise NotFound(NOT_YOURS)
        return InvitationView(team.id, team.slug, team.name, row.email, TeamRole(row.role))


async def accept_by_token(ctx: ServiceContext, host: Host, token: str) -> TeamView:
    async with ctx.uow(write=True) as uow:
        row = await _by_token(uow, host, token)
        team = await uow.teams.get(row.team_id)
        if team is None:
            raise NotFound(NOT_YOURS)
        await _join(uow, host, row, ctx)
        view = await _view(uow, team, row)
        await uow.commit()
    return view


async def decline_by_token(ctx: ServiceContext, host: Host, token: str) -> str:
    """Say no through the emailed link; returns the team's name."""
    async with ctx.uow(write=True) as uow:
        row = await _by_token(uow, host, token)
        team = await uow.teams.get(row.team_id)
        if team is None:
            raise NotFound(NOT_YOURS)
        team.members.remove(row)
        await uow.teams.flush()
        await uow.commit()
    return team.name


async def decline(ctx: ServiceContext, host: Host, team_id: str) -> None:
    """Say no to an invitation under the host's address: the invitation is gone."""
    async with ctx.uow(write=True) as uow:
        team = await uow.teams.get(team_id)
        row = await uow.teams.invitation_for(team_id, _my_email(host)) if team is not None else None
        if team is None or row is None or row.status != MemberStatus.INVITED:
            raise NotFound("You have no invitation to a team with that id.")
        team.members.remove(row)
        await uow.teams.flush()
        await uow.commit()


async def _drop(uow: UnitOfWork, team: Team, row: TeamMember, *, leaving: bool) -> None:
    """Delete the member's row and their place in every pool of the team's links."""
    if row.status == MemberStatus.ACTIVE and row.role == TeamRole.ADMIN:
        others = [m for m in team.members if m.id != row.id and m.status == MemberStatus.ACTIVE]
        if await uow.teams.admin_count(team.id) <= 1:
            if others:
                raise Conflict(
                    ONLY_ADMIN
                    if leaving
                    else "That is this team's only admin: make another member an admin first."
                )
            for invited in [m for m in team.members if m.status == MemberStatus.INVITED]:
                team.members.remove(invited)  # nobody is left to run the team: invitations go
    if row.user_id is not None:
        await uow.teams.drop_from_pools(team.id, row.user_id)
    if row in team.members:
        team.members.remove(row)
    await uow.teams.flush()


async def leave(ctx: ServiceContext, host: Host, team_id: str) -> None:
    """Leave the team (or decline its invitation): out of every pool of its links at once."""
    async with ctx.uow(write=True) as uow:
        team = await uow.teams.get(team_id)
        row = await uow.teams.membership(team_id, host.id) if team is not None else None
        if team is not None and row is None:
            row = await uow.teams.invitation_for(team_id, _my_email(host))
            if row is not None and row.status != MemberStatus.INVITED:
                row = None
        if team is None or row is None:
            raise NotFound(NO_TEAM)
        await _drop(uow, team, row, leaving=True)
        await uow.commit()


async def remove_member(ctx: ServiceContext, host: Host, team_id: str, email: str) -> None:
    """An admin removes a member or withdraws an invitation, named by email (their own: leaving)."""
    address = normalize_email(email)
    async with ctx.uow(write=True) as uow:
        team, me = await _administered(uow, host, team_id, "remove members")
        row = await uow.teams.invitation_for(team.id, address)
        if row is None:
            raise NotFound("Nobody with that address is in this team.")
        await _drop(uow, team, row, leaving=row.id == me.id)
        await uow.commit()


async def set_role(ctx: ServiceContext, host: Host, team_id: str, email: str, role: str) -> MemberResult:
    """An admin makes an active member an admin, or an admin a member (never the last admin)."""
    address = normalize_email(email)
    try:
        wanted = TeamRole(role)
    except ValueError:
        raise InvalidInput("role must be admin or member.", fields={"role": "admin|member"}) from None
    async with ctx.uow(write=True) as uow:
        team, me = await _administered(uow, host, team_id, "change roles")
        row = await uow.teams.invitation_for(team.id, address)
        if row is None or row.status != MemberStatus.ACTIVE:
            raise NotFound("No active member with that address in this team.")
        demoting = row.role == TeamRole.ADMIN and wanted is TeamRole.MEMBER
        if demoting and await uow.teams.admin_count(team.id) <= 1:
            raise Conflict("A team keeps at least one admin: make another member an admin first.")
        row.role = wanted.value
        await uow.teams.flush()
        view = await _view(uow, team, me)
        await uow.commit()
    return _result(view, row.id)


async def team_pools(ctx: ServiceContext, host: Host) -> list[TeamPool]:
    """The live team links whose pool the host is in (their calendar counts there)."""
    async with ctx.uow() as uow:
        rows = await uow.teams.pools_of(host.id)
    return [TeamPool(link.id, link.title, team.name) for link, team in rows]


def invitation_url(ctx: ServiceContext, member_id: str) -> str:
    token = ctx.booking_tokens.issue(member_id, TokenPurpose.TEAM_INVITATION)
    return f"{ctx.base_url}/teams/invitations/{token}"


async def send_invitation(ctx: ServiceContext, job: TeamInvitation) -> None:
    """Email the invitation link to the invited address (sent whether or not it has an account).
    Nothing goes out once the invitation was answered or withdrawn. Raises MailDeliveryError for the
    worker to retry."""
    async with ctx.uow() as uow:
        row = await uow.teams.member_by_id(job.member_id)
        if row is None or row.status != MemberStatus.INVITED:
            return
        team = await uow.teams.get(row.team_id)
        inviter = await uow.users.get(job.inviter_id)
    if team is None:
        return
    context = {
        "team_name": team.name,
        "inviter_name": inviter.name if inviter else "A team admin",
        "inviter_email": inviter.email if inviter else None,
        "email": row.email,
        "accept_url": invitation_url(ctx, row.id),
        "settings_url": f"{ctx.base_url}/settings/teams",
    }
    subject, text, html = render_email("team_invitation", context)
    await ctx.mail.send(
        OutgoingEmail(
            to=(row.email,),
            subject=subject,
            text=text,
            html=html,
            reply_to=inviter.email if inviter else None,
        )
    )
