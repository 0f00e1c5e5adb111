"""Browser sessions kept on the server: open one from the cookie's id, save it back, end them.

The cookie carries only a random id; what routes keep in ``request.session`` is stored under the
id's hash. A new id is issued whenever the signed-in user changes (no fixation), an emptied session
is deleted, and a session past its idle or absolute lifetime opens as empty. Never touches HTTP.
"""

import copy
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from workestra.db.sessions import SessionData, SessionRecord, SessionStoreUnavailable
from workestra.errors import TemporarilyUnavailable
from workestra.security.session_ids import is_session_id, new_session_id, session_key
from workestra.services.context import ServiceContext
from workestra.services.users import Host

__all__ = ["SessionStoreUnavailable", "end_all_sessions", "open_session", "save_session"]

logger = logging.getLogger(__name__)

# A host who comes back within three days stays signed in; nobody stays signed in past fourteen.
IDLE_LIFETIME = timedelta(days=3)
ABSOLUTE_LIFETIME = timedelta(days=14)
# Being seen is written at most this often (a read-only page view doesn't write every time).
TOUCH_INTERVAL = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class OpenSession:
    """What a request's cookie opened: its id and record (None when it opened nothing) and a copy
    of the data to hand to the routes."""

    session_id: str | None = None
    record: SessionRecord | None = None
    data: SessionData = field(default_factory=dict)
    store_down: bool = False  # the store couldn't be read: nothing is known, nothing is saved


def _expires_at(created_at: datetime, now: datetime) -> datetime:
    return min(created_at + ABSOLUTE_LIFETIME, now + IDLE_LIFETIME)


def _user_id(data: SessionData) -> str | None:
    uid = data.get("uid")
    return uid if isinstance(uid, str) else None


async def open_session(ctx: ServiceContext, session_id: str | None) -> OpenSession:
    """The live session ``session_id`` names; an empty ``OpenSession`` for a missing, malformed,
    ended or expired one (an expired record is deleted on the way)."""
    if session_id is None or not is_session_id(session_id):
        return OpenSession()
    key = session_key(session_id)
    try:
        record = await ctx.sessions.get(key)
        if record is not None and record.expires_at <= ctx.clock.now():
            await ctx.sessions.delete(key)
            record = None
    except SessionStoreUnavailable as exc:  # the page still works, as for somebody signed out
        logger.error("session store unavailable, opening no session: %s", exc)
        return OpenSession(store_down=True)
    if record is None:
        return OpenSession()
    # A deep copy: a route changing a nested value must show up as a change when saving.
    return OpenSession(session_id=session_id, record=record, data=copy.deepcopy(record.data))


async def save_session(
    ctx: ServiceContext, opened: OpenSession, data: SessionData, *, renew: bool = False
) -> str | None:
    """Store ``data`` at the end of a request; returns the session id the browser must keep from
    now on, or None when it has none (an emptied or meanwhile-ended session).

    A new id replaces the old one when there was no session, when ``renew`` asks for it, or when
    the signed-in user (``data["uid"]``) changed. An existing record is only ever updated, never
    re-created: a session ended by another request stays ended. Raises SessionStoreUnavailable when
    the store is down (the caller leaves the browser's cookie as it is).
    """
    if opened.store_down:
        raise SessionStoreUnavailable("the session store was down when this request began")
    old_key = session_key(opened.session_id) if opened.session_id else None
    if not data:
        if old_key is not None:
            await ctx.sessions.delete(old_key)
        return None
    now = ctx.clock.now()
    user_id = _user_id(data)
    record = opened.record
    if old_key is None or record is None or renew or user_id != record.user_id:
        if old_key is not None:
            await ctx.sessions.delete(old_key)
        new_id = new_session_id()
        fresh = SessionRecord(
            user_id=user_id, data=data, created_at=now, last_seen_at=now, expires_at=_expires_at(now, now)
        )
        await ctx.sessions.add(session_key(new_id), fresh)
        return new_id
    if data == record.data and now - record.last_seen_at < TOUCH_INTERVAL:
        return opened.session_id
    touched = replace(record, data=data, last_seen_at=now, expires_at=_expires_at(record.created_at, now))
    return opened.session_id if await ctx.sessions.update(old_key, touched) else None


async def end_all_sessions(ctx: ServiceContext, host: Host) -> None:
    """Log ``host`` out everywhere: every browser session of theirs ends now."""
    try:
        await ctx.sessions.delete_for_user(host.id)
    except SessionStoreUnavailable as exc:
        raise TemporarilyUnavailable(
            "Your sessions can't be ended just now (the session store isn't answering). "
            "Nothing changed; please try again in a few minutes."
        ) from exc
