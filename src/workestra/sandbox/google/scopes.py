"""Google OAuth scope names: the calendar scopes of the discovery document and sign-in scopes.

Reference: DISC (`calendar-api.json` auth scopes), G-OAUTH, G-FB. Pure helpers; no state here.
"""

from collections.abc import Iterable

AUTH = "https://www.googleapis.com/auth/"
CALENDAR = AUTH + "calendar"
CALENDAR_READONLY = AUTH + "calendar.readonly"
EVENTS = AUTH + "calendar.events"
EVENTS_READONLY = AUTH + "calendar.events.readonly"
FREEBUSY = AUTH + "calendar.freebusy"
EVENTS_FREEBUSY = AUTH + "calendar.events.freebusy"
SETTINGS_READONLY = AUTH + "calendar.settings.readonly"
CALENDARLIST = AUTH + "calendar.calendarlist"
CALENDARLIST_READONLY = AUTH + "calendar.calendarlist.readonly"
CALENDARS = AUTH + "calendar.calendars"
CALENDARS_READONLY = AUTH + "calendar.calendars.readonly"
USERINFO_EMAIL = AUTH + "userinfo.email"
USERINFO_PROFILE = AUTH + "userinfo.profile"
OPENID = "openid"

# Sign-in scopes: granted with the account, never offered as a tick box (granular consent).
SIGN_IN = (OPENID, USERINFO_EMAIL, USERINFO_PROFILE)
_ALIASES = {"email": USERINFO_EMAIL, "profile": USERINFO_PROFILE, "openid": OPENID}

# What the consent page says about each scope.
DESCRIPTIONS = {
    CALENDAR: "See, edit, share, and permanently delete all the calendars you can access using "
    "Google Calendar",
    CALENDAR_READONLY: "See and download any calendar you can access using your Google Calendar",
    EVENTS: "View and edit events on all your calendars",
    EVENTS_READONLY: "View events on all your calendars",
    FREEBUSY: "See the availability on Google Calendars you have access to",
    EVENTS_FREEBUSY: "See the availability on Google Calendars you have access to",
    SETTINGS_READONLY: "View your Calendar settings",
    CALENDARLIST: "See, add, and remove Google calendars you're subscribed to",
    CALENDARLIST_READONLY: "See the list of Google calendars you're subscribed to",
    CALENDARS: "See and change the properties of Google calendars you have access to",
    CALENDARS_READONLY: "See the title, description, default time zone, and other properties of "
    "Google calendars you have access to",
    USERINFO_EMAIL: "See your primary Google Account email address",
    USERINFO_PROFILE: "See your personal info, including any personal info you've made publicly available",
    OPENID: "Associate you with your personal info on Google",
}

# Which scopes each Calendar method accepts [DISC `scopes` per method; G1].
FREEBUSY_QUERY = (CALENDAR, CALENDAR_READONLY, FREEBUSY, EVENTS_FREEBUSY)
EVENTS_READ = (CALENDAR, CALENDAR_READONLY, EVENTS, EVENTS_READONLY)
EVENTS_WRITE = (CALENDAR, EVENTS)
CALENDAR_LIST_READ = (CALENDAR, CALENDAR_READONLY, CALENDARLIST, CALENDARLIST_READONLY)
CALENDARS_READ = (CALENDAR, CALENDAR_READONLY, CALENDARS, CALENDARS_READONLY)


def canonical(scope: str) -> str | None:
    """`email` -> the userinfo.email URI; a known full URI stays; None for an unknown scope."""
    value = scope.strip()
    if value in _ALIASES:
        return _ALIASES[value]
    return value if value in DESCRIPTIONS else None


def parse(value: str) -> tuple[list[str], list[str]]:
    """Split a space-delimited `scope` into (canonical known scopes, unknown), deduplicated."""
    known: list[str] = []
    unknown: list[str] = []
    for raw in value.split():
        name = canonical(raw)
        if name is None:
            unknown.append(raw)
        elif name not in known:
            known.append(name)
    return known, unknown


def render(scopes: Iterable[str]) -> str:
    """The token response's `scope`: every granted scope, space-delimited, ordered as in G1.1."""
    return " ".join(sorted(set(scopes), key=lambda s: s.removeprefix(AUTH)))
