"""The JSON contract of /api/v1/teams (checked from outside: DESIGN.md, "Teams and round-robin")."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from workestra.services.teams import InvitationView, MemberResult, MemberView, MyTeams, TeamView


class TeamIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: Annotated[str, Field(max_length=1000, examples=["sales"])]
    name: Annotated[str, Field(max_length=1000, examples=["Sales"])]


class InviteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Annotated[str, Field(max_length=1000, examples=["rep@example.com"])]


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["admin", "member"]


class MemberOut(BaseModel):
    email: str
    name: str | None = Field(description="The account's name once accepted; null while invited")
    role: Literal["admin", "member"]
    status: Literal["active", "invited"]


class TeamOut(BaseModel):
    id: str
    slug: str
    name: str
    members: list[MemberOut]


class MemberResultOut(MemberOut):
    """One member (invited, accepted or changed), and the team as the caller now sees it."""

    team: TeamOut


class InvitationOut(BaseModel):
    """An invitation waiting for the caller's answer: accept with POST /api/v1/teams/{id}/accept."""

    id: str = Field(description="The team's id")
    slug: str
    name: str
    role: Literal["admin", "member"]


class MyTeamsOut(BaseModel):
    teams: list[TeamOut]
    invitations: list[InvitationOut]


def member_out(member: MemberView) -> MemberOut:
    return MemberOut(email=member.email, name=member.name, role=member.role.value, status=member.status.value)


def team_out(team: TeamView) -> TeamOut:
    return TeamOut(id=team.id, slug=team.slug, name=team.name, members=[member_out(m) for m in team.members])


def result_out(result: MemberResult) -> MemberResultOut:
    member = member_out(result.member)
    return MemberResultOut(**member.model_dump(), team=team_out(result.team))


def invitation_out(invitation: InvitationView) -> InvitationOut:
    return InvitationOut(
        id=invitation.team_id,
        slug=invitation.team_slug,
        name=invitation.team_name,
        role=invitation.role.value,
    )


def my_teams_out(mine: MyTeams) -> MyTeamsOut:
    return MyTeamsOut(
        teams=[team_out(t) for t in mine.teams], invitations=[invitation_out(i) for i in mine.invitations]
    )
