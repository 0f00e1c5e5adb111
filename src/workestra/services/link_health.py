"""What stops a link from working, told to its host when they save it and on their list of links,
before an invitee finds out: its calendar isn't configured, isn't connected, needs a reconnect, or
can't make the meeting link the link promises."""

from workestra.db.models import UserIntegration
from workestra.enums import PROVIDER_SLOT, CalendarProviderName, IntegrationStatus
from workestra.services.booking_links import LinkView
from workestra.services.connections import PROVIDER_LABEL
from workestra.services.context import ServiceContext
from workestra.services.problems import RECONNECT_PROBLEMS, wording
from workestra.services.users import Host


async def link_warnings(ctx: ServiceContext, host: Host, links: list[LinkView]) -> dict[str, list[str]]:
    """Each link's warnings in the host's words (empty when it works), by link id."""
    async with ctx.uow() as uow:
        rows = {row.provider: row for row in await uow.integrations.for_user(host.id)}
    return {link.id: _warnings(ctx, link, rows) for link in links}


def _warnings(ctx: ServiceContext, link: LinkView, rows: dict[str, UserIntegration]) -> list[str]:
    if link.round_robin or link.calendar_provider is CalendarProviderName.NONE:
        return []  # a pool's reps answer for their own calendars
    slot = PROVIDER_SLOT[link.calendar_provider]
    label = PROVIDER_LABEL[slot]
    if not ctx.calendars.is_configured(link.calendar_provider):
        return [f"{label} isn't configured on this server, so this link's booking page offers no times."]
    row = rows.get(slot)
    if row is None:
        return [
            f"{label} isn't connected, so this link's booking page offers no times. Connect it under "
            "Settings → Connected accounts."
        ]
    if row.status != IntegrationStatus.ACTIVE or row.problem in RECONNECT_PROBLEMS:
        return [
            f"Your {label} connection needs attention, so this link's booking page offers no times "
            "until you reconnect it under Settings → Connected accounts."
        ]
    if link.auto_meeting_link and row.meeting_link_available is False:
        meeting = wording(ctx, slot).terms.meeting_link
        return [
            f"The connected {label} account can't create {meeting} meetings, so bookings on this link "
            f"won't get a {meeting} link."
        ]
    return []
