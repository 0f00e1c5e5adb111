"""The collaborators every use case receives, built once by the composition root (app.py / cli.py).

One explicit bundle instead of signature introspection: a use case reads what it needs from it.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from workestra.calendars.registry import CalendarRegistry
from workestra.clock import Clock
from workestra.db.sessions import SessionStore
from workestra.db.unit_of_work import UnitOfWorkFactory
from workestra.mail import MailSender
from workestra.security import TokenBox
from workestra.security.booking_tokens import BookingTokens
from workestra.security.rate_limit import RateLimiter
from workestra.services.debounce import Debounce


@dataclass(frozen=True, slots=True)
class ServiceContext:
    uow: UnitOfWorkFactory
    calendars: CalendarRegistry
    clock: Clock
    token_box: TokenBox
    mail: MailSender
    base_url: str
    sessions: SessionStore  # browser sessions: the `sessions` table, or Redis when configured
    booking_tokens: BookingTokens  # the invitee's reschedule and cancel tokens
    rate_limiter: RateLimiter = field(default_factory=RateLimiter)
    # What anonymous calendar reads saw goes onto a host's card at most once a minute per connection.
    public_notes: Debounce = field(default_factory=lambda: Debounce(timedelta(minutes=1)))
