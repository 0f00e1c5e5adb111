"""Disconnecting a calendar, asked first: GET /integrations/{provider}/disconnect shows what stops
working (the host's links on that calendar stop offering times; round-robin links they joined
offer them without that calendar) and a button that POSTs to the same address, where
``pages.integrations`` does the disconnecting. The GET changes nothing."""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from workestra.enums import PROVIDER_SLOT
from workestra.errors import NotFound
from workestra.services.booking_links import LinkView, list_links
from workestra.services.connections import ConnectionView, list_connections
from workestra.services.teams import team_pools
from workestra.web.deps import CtxDep, CurrentHost
from workestra.web.pages.integrations import PROVIDERS
from workestra.web.pages.rendering import render

router = APIRouter(prefix="/integrations", tags=["pages"])


@dataclass(frozen=True, slots=True)
class PoolNote:
    """A team's round-robin link whose pool the host is in, and what the calendar leaving changes there."""

    link_title: str
    team_name: str


@router.get("/{provider}/disconnect")
async def confirm_disconnect(request: Request, ctx: CtxDep, host: CurrentHost, provider: str) -> Response:
    slot = PROVIDERS.get(provider)
    if slot is None:
        raise NotFound("There's no such calendar integration.")
    views = await list_connections(ctx, host)
    view = next(v for v in views if v.provider is slot)
    calendar = next(name for name, s in PROVIDER_SLOT.items() if s is slot)
    stopping: list[LinkView] = [
        link
        for link in await list_links(ctx, host)
        if link.calendar_provider is calendar and not link.round_robin  # a pool reads each rep's own
    ]
    others: list[ConnectionView] = [v for v in views if v.connected and v.provider is not slot]
    pools = [PoolNote(pool.link_title, pool.team_name) for pool in await team_pools(ctx, host)]
    context = {
        "view": view,
        "links": stopping,
        "pools": pools,
        "other": others[0] if others else None,
    }
    return render(request, "settings/disconnect_confirm.html", context, host=host)
