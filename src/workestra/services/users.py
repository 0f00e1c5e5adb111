"""Host accounts: creation, login and API-key authentication."""

import asyncio
import secrets
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

from workestra.db.models import ApiKey, User
from workestra.errors import Conflict, InvalidInput, NotAuthenticated
from workestra.security import (
    generate_api_key,
    hash_password,
    parse_prefix,
    verify_api_key,
    verify_password,
)
from workestra.services.context import ServiceContext
from workestra.services.rate_limits import forgive_login, spend_login_attempt
from workestra.services.validation import check_timezone, clean_text, normalize_email


@dataclass(frozen=True, slots=True)
class Host:
    id: str
    email: str
    name: str
    timezone: ZoneInfo


@dataclass(frozen=True, slots=True)
class CreatedUser:
    id: str
    email: str
    api_key: str


def to_host(user: User) -> Host:
    return Host(id=user.id, email=user.email, name=user.name, timezone=ZoneInfo(user.timezone))


async def create_user(
    ctx: ServiceContext, *, email: str, name: str, password: str, timezone: str = "UTC"
) -> CreatedUser:
    """Create a host with an argon2id password hash and a first API key (returned once, stored hashed)."""
    email = normalize_email(email)
    name = clean_text(name, field="name", max_length=200)
    check_timezone(timezone)
    if len(password) < 8:
        raise InvalidInput("Passwords need at least 8 characters.", fields={"password": "too short"})
    now = ctx.clock.now()
    password_hash = await asyncio.to_thread(hash_password, password)  # slow by design: off the loop
    async with ctx.uow(write=True) as uow:
        if await uow.users.by_email(email) is not None:
            raise Conflict(f"A user with the email {email} already exists.")
        user = User(
            email=email,
            name=name,
            password_hash=password_hash,
            timezone=timezone,
            created_at=now,
        )
        uow.users.add(user)
        await uow.session.flush()
        await uow.links.attach_member(email, user.id)
        key, prefix, digest = generate_api_key()
        uow.users.add_api_key(ApiKey(user_id=user.id, prefix=prefix, key_hash=digest, created_at=now))
        await uow.commit()
        return CreatedUser(id=user.id, email=user.email, api_key=key)


@cache
def _unknown_user_hash() -> str:
    """Verified against when the email is unknown, so a login takes as long either way."""
    return hash_password(secrets.token_urlsafe(16))


async def authenticate(ctx: ServiceContext, *, email: str, password: str, client: str | None = None) -> Host:
    """The host with these credentials. Raises NotAuthenticated, or RateLimited after repeated
    failures from this client (``client``: the caller's address, when known)."""
    await spend_login_attempt(ctx, email=email, client=client)
    async with ctx.uow() as uow:
        user = await uow.users.by_email(email)
    hashed = user.password_hash if user is not None else _unknown_user_hash()
    # argon2 is deliberately slow: keep it off the event loop.
    matches = await asyncio.to_thread(verify_password, password, hashed)
    if user is None or not matches:
        raise NotAuthenticated("That email and password don't match an account.")
    await forgive_login(ctx, email=email, client=client)
    return to_host(user)


async def host_for_api_key(ctx: ServiceContext, key: str) -> Host:
    prefix = parse_prefix(key)
    if prefix is None:
        raise NotAuthenticated("Invalid API key.")
    async with ctx.uow() as uow:
        found = await uow.users.api_key_by_prefix(prefix)
    if found is None or not verify_api_key(key, found[0].key_hash):
        raise NotAuthenticated("Invalid API key.")
    return to_host(found[1])


async def get_host(ctx: ServiceContext, user_id: str) -> Host | None:
    async with ctx.uow() as uow:
        user = await uow.users.get(user_id)
        return None if user is None else to_host(user)
