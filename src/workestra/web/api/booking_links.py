"""Host endpoints for booking links (Bearer API key). Another host's link answers 404."""

from fastapi import APIRouter, Response

from workestra.services import booking_links as links
from workestra.services.booking_links import LinkInput, LinkView
from workestra.services.context import ServiceContext
from workestra.services.link_health import link_warnings
from workestra.services.users import Host
from workestra.web.api.schemas import HoursRange, LinkIn, LinkOut
from workestra.web.api.strict_json import ApiRoute
from workestra.web.deps import ApiHost, CtxDep, SettingsDep

router = APIRouter(prefix="/booking-links", tags=["booking links"], route_class=ApiRoute)


def to_input(body: LinkIn) -> LinkInput:
    data = body.model_dump(exclude_unset=True)
    if body.weekly_hours is not None:
        data["weekly_hours"] = {
            day: [(r.start, r.end) for r in ranges] for day, ranges in body.weekly_hours.items()
        }
    return LinkInput(**data)


def to_out(view: LinkView, base_url: str, warnings: list[str] | None = None) -> LinkOut:
    return LinkOut(
        id=view.id,
        slug=view.slug,
        title=view.title,
        description=view.description,
        duration_minutes=view.duration_minutes,
        timezone=view.timezone,
        weekly_hours={d: [HoursRange(start=s, end=e) for s, e in r] for d, r in view.weekly_hours.items()},
        calendar_provider=view.calendar_provider,
        auto_meeting_link=view.auto_meeting_link,
        slot_interval_minutes=view.slot_interval_minutes,
        buffer_before_minutes=view.buffer_before_minutes,
        buffer_after_minutes=view.buffer_after_minutes,
        minimum_notice_minutes=view.minimum_notice_minutes,
        booking_horizon_days=view.booking_horizon_days,
        round_robin_members=view.round_robin_members,
        booking_page_url=f"{base_url}/book/{view.slug}",
        warnings=warnings or [],
    )


async def _out(ctx: ServiceContext, host: Host, base_url: str, views: list[LinkView]) -> list[LinkOut]:
    warnings = await link_warnings(ctx, host, views)
    return [to_out(v, base_url, warnings[v.id]) for v in views]


@router.post("", response_model=LinkOut, status_code=201)
async def create(ctx: CtxDep, settings: SettingsDep, host: ApiHost, body: LinkIn) -> LinkOut:
    [out] = await _out(ctx, host, settings.base_url, [await links.create_link(ctx, host, to_input(body))])
    return out


@router.get("", response_model=list[LinkOut])
async def list_all(ctx: CtxDep, settings: SettingsDep, host: ApiHost) -> list[LinkOut]:
    return await _out(ctx, host, settings.base_url, await links.list_links(ctx, host))


@router.get("/{link_id}", response_model=LinkOut)
async def get_one(ctx: CtxDep, settings: SettingsDep, host: ApiHost, link_id: str) -> LinkOut:
    [out] = await _out(ctx, host, settings.base_url, [await links.get_link(ctx, host, link_id)])
    return out


@router.patch("/{link_id}", response_model=LinkOut)
async def update(ctx: CtxDep, settings: SettingsDep, host: ApiHost, link_id: str, body: LinkIn) -> LinkOut:
    view = await links.update_link(ctx, host, link_id, to_input(body))
    [out] = await _out(ctx, host, settings.base_url, [view])
    return out


@router.delete("/{link_id}", status_code=204)
async def delete(ctx: CtxDep, host: ApiHost, link_id: str) -> Response:
    await links.delete_link(ctx, host, link_id)
    return Response(status_code=204)
