"""Input checks shared by the use cases: each failure is an InvalidInput naming its field."""

import re
import zoneinfo
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email

from workestra.errors import InvalidInput
from workestra.zones import offered_zones

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Half of a UTF-16 pair: Python holds it (from JSON escapes or the command line), UTF-8 can't store it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_unicode(value: str, *, field: str) -> str:
    """InvalidInput when ``value`` holds a lone surrogate, which no database or mail could store."""
    if _SURROGATE.search(value):
        raise InvalidInput(
            f"The {field} isn't valid text (it holds half of a UTF-16 surrogate pair).",
            fields={field: "not valid Unicode text"},
        )
    return value


def offered_timezones() -> tuple[str, ...]:
    """IANA zones a host or invitee can pick (the one list in ``workestra.zones``)."""
    return offered_zones()


def check_timezone(name: str, *, field: str = "timezone") -> ZoneInfo:
    # Region names only (plus UTC): "localtime", "Factory" or "EST5EDT" are not places a person is in.
    # Legacy aliases that browsers still report (Asia/Calcutta, US/Eastern) are accepted.
    regional = "/" in name or name == "UTC"
    if not name or len(name) > 64 or _CONTROL.search(name) or ".." in name or not regional:
        raise InvalidInput(f"Unknown time zone {name!r}.", fields={field: "unknown time zone"})
    try:
        return ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:  # e.g. "America/Indiana" is a folder
        raise InvalidInput(
            f"Unknown time zone {name!r}; use an IANA name such as Europe/Berlin.",
            fields={field: "unknown time zone"},
        ) from exc


def clean_text(value: str, *, field: str, max_length: int, allow_empty: bool = False) -> str:
    """Trimmed single-line text; control characters (CR/LF: header injection) and lone surrogates
    are refused."""
    value = check_unicode(value, field=field).strip()
    if not value and not allow_empty:
        raise InvalidInput(f"The {field} is required.", fields={field: "required"})
    if len(value) > max_length:
        raise InvalidInput(
            f"The {field} is too long (at most {max_length} characters).",
            fields={field: f"at most {max_length} characters"},
        )
    if _CONTROL.search(value):
        raise InvalidInput(
            f"The {field} contains control characters (such as line breaks).",
            fields={field: "control characters are not allowed"},
        )
    return value


def clean_paragraph(value: str, *, field: str, max_length: int) -> str:
    """Trimmed free text that may span lines (CR LF and CR become LF); other control characters
    and lone surrogates are refused."""
    value = check_unicode(value, field=field).replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(value) > max_length:
        raise InvalidInput(
            f"The {field} is too long (at most {max_length} characters).",
            fields={field: f"at most {max_length} characters"},
        )
    if _CONTROL.search(value.replace("\n", " ")):
        raise InvalidInput(
            f"The {field} contains control characters.", fields={field: "control characters are not allowed"}
        )
    return value


def normalize_email(value: str, *, field: str = "email") -> str:
    """A deliverable-looking address, lower-cased; InvalidInput otherwise (header injection included)."""
    check_unicode(value, field=field)
    if _CONTROL.search(value) or len(value) > 320:
        raise InvalidInput("That email address isn't valid.", fields={field: "invalid email address"})
    try:
        result = validate_email(
            value.strip(), check_deliverability=False, test_environment=True, globally_deliverable=False
        )
    except EmailNotValidError as exc:
        raise InvalidInput(f"That email address isn't valid: {exc}", fields={field: str(exc)}) from exc
    return result.normalized.lower()
