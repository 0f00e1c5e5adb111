"""The invitee's private pages for one booking: reschedule and cancel, each with its own token."""

from dataclasses import dataclass

from workestra.security.booking_tokens import TokenPurpose
from workestra.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class ManageLinks:
    """Absolute URLs under the base URL; the ``token`` parameter is the invitee's secret."""

    cancel_url: str
    reschedule_url: str


def manage_links(ctx: ServiceContext, booking_id: str) -> ManageLinks:
    tokens = ctx.booking_tokens
    base = f"{ctx.base_url}/bookings/{booking_id}"
    return ManageLinks(
        cancel_url=f"{base}/cancel?token={tokens.issue(booking_id, TokenPurpose.CANCEL)}",
        reschedule_url=f"{base}/reschedule?token={tokens.issue(booking_id, TokenPurpose.RESCHEDULE)}",
    )
