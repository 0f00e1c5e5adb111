"""Host endpoint for connected accounts: provider, account, scopes, status and problem; never a token."""

from fastapi import APIRouter

from workestra.enums import IntegrationProvider
from workestra.services.connections import (
    ConnectionView,
    check_connection,
    check_connections,
    list_connections,
)
from workestra.web.api.schemas import AccountOut, IntegrationOut, MeetingLinkOut, ProblemOut
from workestra.web.api.strict_json import ApiRoute
from workestra.web.deps import ApiHost, CtxDep

router = APIRouter(prefix="/integrations", tags=["integrations"], route_class=ApiRoute)


def to_out(view: ConnectionView) -> IntegrationOut:
    return IntegrationOut(
        provider=view.provider,
        connected=view.connected,
        account=AccountOut(email=view.account_email, name=view.display_name) if view.connected else None,
        scopes=list(view.scopes),
        status=view.status,
        problem=ProblemOut(code=view.problem, message=view.problem_message or "") if view.problem else None,
        needs_reconnect=view.needs_reconnect,
        meeting_link=MeetingLinkOut(name=view.meeting_link, available=view.meeting_link_available),
        account_kind=view.account_kind,
        calendar_found=view.calendar_found,
        checked_at=view.checked_at,
    )


@router.get("", response_model=list[IntegrationOut])
async def list_all(ctx: CtxDep, host: ApiHost, check: bool = True) -> list[IntegrationOut]:
    """Runs the health check on every connected account first (the API's "Test connection");
    ``?check=false`` answers from what was last recorded."""
    views = await (check_connections(ctx, host) if check else list_connections(ctx, host))
    return [to_out(v) for v in views]


@router.post("/{provider}/check", response_model=IntegrationOut)
async def check(ctx: CtxDep, host: ApiHost, provider: IntegrationProvider) -> IntegrationOut:
    return to_out(await check_connection(ctx, host, provider))
