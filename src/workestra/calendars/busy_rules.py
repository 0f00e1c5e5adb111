"""Which calendar entries hide a host's slots: one pure decision, per connection's busy rules.

Neutral names: an adapter maps its provider's words onto ``ShowAs`` and ``Response`` (Graph's
``showAs`` and ``responseStatus.response``) and asks ``blocks``. No I/O here.

The table (DESIGN "Lessons"; issue 12, "Busy rules the host controls"):

- cancelled entries never block; nor do invitations the host declined;
- ``oof`` and ``busy`` always block, and so does anything the calendar can't name (``unknown``,
  values a provider adds later): unknown time is never "free";
- ``tentative``, and an invitation the host hasn't answered yet that shows as busy, block when
  ``tentative_blocks`` (default: they do);
- ``working_elsewhere`` blocks when ``working_elsewhere_blocks`` (default: it doesn't);
- ``free`` never blocks, except an all-day entry marked free when ``all_day_free_blocks``
  (default: it doesn't).
"""

from dataclasses import dataclass
from enum import StrEnum


class ShowAs(StrEnum):
    """How an entry shows the host's time (Graph's ``freeBusyStatus``)."""

    FREE = "free"
    TENTATIVE = "tentative"
    BUSY = "busy"
    OOF = "oof"  # out of office
    WORKING_ELSEWHERE = "working_elsewhere"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: str | None) -> "ShowAs":
        """A provider's spelling, case-insensitively (``workingElsewhere``); anything else UNKNOWN."""
        key = (value or "").replace("_", "").lower()
        return _SHOW_AS.get(key, cls.UNKNOWN)


_SHOW_AS = {member.value.replace("_", ""): member for member in ShowAs}


class Response(StrEnum):
    """The host's answer to the entry's invitation."""

    ORGANIZER = "organizer"  # the host's own entry: nothing to answer
    ACCEPTED = "accepted"
    TENTATIVE = "tentative"  # accepted tentatively
    DECLINED = "declined"
    NOT_RESPONDED = "not_responded"  # an invitation still waiting for the host's answer
    NONE = "none"  # the provider doesn't say

    @classmethod
    def parse(cls, value: str | None) -> "Response":
        """Graph's ``responseType`` (``tentativelyAccepted``, ``notResponded``…); else NONE."""
        return _RESPONSES.get((value or "").replace("_", "").lower(), cls.NONE)


_RESPONSES = {
    "organizer": Response.ORGANIZER,
    "accepted": Response.ACCEPTED,
    "tentativelyaccepted": Response.TENTATIVE,
    "tentative": Response.TENTATIVE,
    "declined": Response.DECLINED,
    "notresponded": Response.NOT_RESPONDED,
}


@dataclass(frozen=True, slots=True)
class BusyRules:
    """What the host decided blocks their slots, per connection (defaults as issue 12 asks)."""

    tentative_blocks: bool = True  # tentative entries and invitations not answered yet
    working_elsewhere_blocks: bool = False
    all_day_free_blocks: bool = False  # all-day entries marked free (e.g. holidays, reminders)


DEFAULT_RULES = BusyRules()


def blocks(
    show_as: ShowAs,
    *,
    rules: BusyRules = DEFAULT_RULES,
    is_all_day: bool = False,
    response: Response = Response.NONE,
    cancelled: bool = False,
) -> bool:
    """Whether the entry hides the host's slots under ``rules`` (see the module's table)."""
    if cancelled or response is Response.DECLINED:
        return False
    if show_as is ShowAs.FREE:
        return is_all_day and rules.all_day_free_blocks
    if show_as is ShowAs.WORKING_ELSEWHERE:
        return rules.working_elsewhere_blocks
    if show_as is ShowAs.OOF:
        return True
    if show_as is ShowAs.TENTATIVE or (show_as is ShowAs.BUSY and response is Response.NOT_RESPONDED):
        return rules.tentative_blocks
    return True  # busy, unknown
