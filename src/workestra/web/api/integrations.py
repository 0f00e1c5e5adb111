"""Host endpoint for connected accounts: provider, account, scopes, status and problem; never a token."""

import dataclasses

from fastapi import APIRouter

from workestra.enums import IntegrationProvider
from workestra.errors import NotFound
from workestra.services.connections import (
    URL_NAME,
    ConnectionView,
    check_connection,
    check_connections,
    choose_calendars,
    list_connections,
    set_busy_rules,
)
from workestra.web.api.schemas import (
    AccountOut,
    BusyRulesOut,
    CalendarOut,
    ChoosableOut,
    IntegrationOut,
    IntegrationPatchIn,
    MeetingLinkOut,
    ProblemOut,
)
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
        calendars=(
            [
                CalendarOut(
                    id=c.id,
                    name=c.name,
                    primary=c.is_primary,
                    can_edit=c.can_edit,
                    check_conflicts=c.check_conflicts,
                    destination=c.destination,
                )
                for c in view.calendars
            ]
            if view.connected and view.calendars is not None
            else None
        ),
        busy_rules=(
            BusyRulesOut(
                tentative_blocks=view.busy_rules.tentative_blocks,
                working_elsewhere_blocks=view.busy_rules.working_elsewhere_blocks,
                all_day_free_blocks=view.busy_rules.all_day_free_blocks,
            )
            if view.connected and view.busy_rules is not None
            else None
        ),
        choosable=ChoosableOut(
            conflict_calendars=view.choices.conflict_calendars,
            destination_calendar=view.choices.destination,
            busy_rules=view.choices.busy_rules,
        ),
    )


def _slot(name: str) -> IntegrationProvider:
    """``microsoft_calendar`` (as ``provider`` says) or the short ``microsoft`` of the pages."""
    for provider, short in URL_NAME.items():
        if name in (provider.value, short):
            return provider
    raise NotFound("There's no such calendar integration.")


@router.get("", response_model=list[IntegrationOut])
async def list_all(ctx: CtxDep, host: ApiHost, check: bool = True) -> list[IntegrationOut]:
    """Runs the health check on every connected account first (the API's "Test connection");
    ``?check=false`` answers from what was last recorded."""
    views = await (check_connections(ctx, host) if check else list_connections(ctx, host))
    return [to_out(v) for v in views]


@router.post("/{provider}/check", response_model=IntegrationOut)
async def check(ctx: CtxDep, host: ApiHost, provider: IntegrationProvider) -> IntegrationOut:
    return to_out(await check_connection(ctx, host, provider))


@router.patch("/{provider}", response_model=IntegrationOut)
async def update(ctx: CtxDep, host: ApiHost, provider: str, body: IntegrationPatchIn) -> IntegrationOut:
    """Choose the calendars that hide slots (``conflict_calendars``; null: the primary), the one
    new bookings go to (``destination_calendar``; null: the primary) and the busy rules (partial);
    what is left out stays. Ids are checked against the calendars listed live (422 for an unknown one, or a
    destination that can't be edited); 503 when they can't be listed."""
    slot = _slot(provider)
    given = body.model_fields_set
    view: ConnectionView | None = None
    if "conflict_calendars" in given or "destination_calendar" in given:
        view = await choose_calendars(
            ctx,
            host,
            slot,
            body.conflict_calendars,
            body.destination_calendar,
            conflicts_given="conflict_calendars" in given,
            destination_given="destination_calendar" in given,
        )
    if body.busy_rules is not None:
        rules = body.busy_rules
        ruled = await set_busy_rules(
            ctx,
            host,
            slot,
            tentative_blocks=rules.tentative_blocks,
            working_elsewhere_blocks=rules.working_elsewhere_blocks,
            all_day_free_blocks=rules.all_day_free_blocks,
        )
        view = ruled if view is None else dataclasses.replace(view, busy_rules=ruled.busy_rules)
    if view is None:
        view = next(v for v in await list_connections(ctx, host) if v.provider is slot)
    return to_out(view)
