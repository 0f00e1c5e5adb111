"""Host endpoints for booking links (Bearer API key). Another host's link answers 404."""

from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response

from workestra.scheduling.explain import Reason
from workestra.services import booking_links as links
from workestra.services.booking_links import LinkInput, LinkView, RotationInput
from workestra.services.context import ServiceContext
from workestra.services.link_health import link_warnings
from workestra.services.troubleshoot import DayExplanation, explain_day
from workestra.services.users import Host
from workestra.web.api.schemas import (
    AvailabilityOut,
    AvailabilityRepOut,
    ExplainedSlotOut,
    HoursRange,
    LinkIn,
    LinkOut,
    RotationOut,
    SlotReasonOut,
)
from workestra.web.api.strict_json import ApiRoute
from workestra.web.deps import ApiHost, CtxDep, SettingsDep

router = APIRouter(prefix="/booking-links", tags=["booking links"], route_class=ApiRoute)


def to_input(body: LinkIn) -> LinkInput:
    data = body.model_dump(exclude_unset=True)
    if body.weekly_hours is not None:
        data["weekly_hours"] = {
            day: [(r.start, r.end) for r in ranges] for day, ranges in body.weekly_hours.items()
        }
    if body.rotation is not None:
        data["rotation"] = [
            RotationInput(
                email=r.email,
                priority=r.priority,
                weight=r.weight,
                daily_limit=r.daily_limit,
                clear_daily_limit="daily_limit" in r.model_fields_set and r.daily_limit is None,
            )
            for r in body.rotation
        ]
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
        embed_allowed_origins=list(view.embed_allowed_origins),
        team_id=view.team_id,
        rotation=None
        if view.rotation is None or not view.round_robin
        else [
            RotationOut(
                email=r.email,
                priority=r.priority,
                weight=r.weight,
                daily_limit=r.daily_limit,
                bookings=r.bookings,
                in_pool=r.in_pool,
            )
            for r in view.rotation
        ],
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


def _reason_out(rep_id: str, reason: Reason, tz: ZoneInfo) -> SlotReasonOut:
    time = reason.time
    return SlotReasonOut(
        rep_id=rep_id,
        code=reason.code.value,
        start=time.start.astimezone(tz).isoformat() if time else None,
        end=time.end.astimezone(tz).isoformat() if time else None,
        source=reason.source,
        subject=reason.label,
        detail=reason.detail,
    )


def availability_out(explained: DayExplanation) -> AvailabilityOut:
    tz = explained.timezone
    ids = [rep.id for rep in explained.reps]
    return AvailabilityOut(
        link_id=explained.link.id,
        date=explained.day.isoformat(),
        timezone=tz.key,
        link_timezone=explained.link.timezone,
        reps=[
            AvailabilityRepOut(
                id=rep.id,
                name=rep.name,
                email=rep.email,
                you=rep.is_you,
                calendar_provider=rep.provider.value,
                calendar_readable=rep.calendar_problem is None,
                calendar_problem=rep.calendar_problem,
            )
            for rep in explained.reps
        ],
        slots=[
            ExplainedSlotOut(
                start=slot.slot.start.astimezone(tz).isoformat(),
                end=slot.slot.end.astimezone(tz).isoformat(),
                available=slot.available,
                reasons=[
                    _reason_out(rep_id, reason, tz)
                    for rep_id, reasons in zip(ids, slot.reasons, strict=True)
                    for reason in reasons
                ],
            )
            for slot in explained.slots
        ],
    )


@router.get(
    "/{link_id}/availability",
    response_model=AvailabilityOut,
    responses={404: {"description": "No such link of this host"}, 422: {"description": "Bad date or zone"}},
)
async def availability(
    ctx: CtxDep,
    host: ApiHost,
    link_id: str,
    day: Annotated[date, Query(alias="date", description="The day to explain, in `timezone`")],
    timezone: Annotated[
        str | None, Query(max_length=200, description="IANA zone; the link's own by default")
    ] = None,
) -> AvailabilityOut:
    """Why each candidate slot of the day is (not) offered: per rep, the reasons against it. Each
    rep's calendar is read live; event subjects only for your own calendar."""
    return availability_out(await explain_day(ctx, host, link_id, day, timezone))
