"""Provider outcomes: every adapter translates its HTTP and OAuth errors into exactly these."""


class CalendarError(Exception):
    """Base of every provider failure. ``detail`` is for logs, never shown raw to a host."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or type(self).__name__)
        self.detail = detail


class NeedsReauth(CalendarError):
    """The grant is dead (expired, revoked, consent withdrawn, MFA/CA challenge): only the host can fix it.

    Only the token endpoint (or a token that can't be decrypted) says so; a resource server's 401
    never does. ``reason`` is one of: ``expired``, ``revoked``, ``consent_missing``,
    ``interaction_required``.
    """

    def __init__(self, detail: str = "", *, reason: str = "revoked") -> None:
        super().__init__(detail)
        self.reason = reason


class MissingScope(CalendarError):
    def __init__(self, detail: str = "", *, missing_scopes: frozenset[str] = frozenset()) -> None:
        super().__init__(detail)
        self.missing_scopes = missing_scopes


class CalendarNotFound(CalendarError):
    """No usable calendar or mailbox (no calendar, mailbox not enabled for REST, unknown id)."""


class Throttled(CalendarError):
    def __init__(self, detail: str = "", *, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ProviderUnavailable(CalendarError):
    """5xx, gateway timeouts, network errors and timeouts: worth retrying later."""

    def __init__(self, detail: str = "", *, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class OnlineMeetingUnavailable(CalendarError):
    """A meeting link was asked for and the account cannot have one (personal account, no Teams)."""


class MeetingLinkPending(CalendarError):
    """The event exists and the provider is still making its meeting link: read it again later."""


class AuthorizationCodeRejected(CalendarError):
    """The token endpoint refused the callback's code (``invalid_grant`` on a code exchange): it was
    used already, expired, or belongs to another sign-in. Connecting again gets a fresh one."""


class ConsentDeclined(CalendarError):
    """The user cancelled at the provider's consent screen."""


class AdminConsentRequired(CalendarError):
    """The tenant requires an administrator to approve the app first."""


class ProviderNotConfigured(CalendarError, LookupError):
    """This server has no app registration for the provider (no client id / secret)."""


class ProviderRejected(CalendarError):
    """The provider refused the request as invalid (4xx we cannot fix by retrying)."""
