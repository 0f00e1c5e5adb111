"""The signed-in host's own account: changing the password (which ends their other sessions)."""

import asyncio

from workestra.db.sessions import SessionStoreUnavailable
from workestra.errors import InvalidInput, NotAuthenticated, TemporarilyUnavailable
from workestra.security import hash_password, verify_password
from workestra.services.context import ServiceContext
from workestra.services.rate_limits import forgive_login, spend_login_attempt
from workestra.services.users import Host

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024


async def change_password(
    ctx: ServiceContext, host: Host, *, current_password: str, new_password: str, client: str | None = None
) -> None:
    """Replace ``host``'s password after checking the current one, then end every session of
    theirs (the caller gives its own browser a fresh one). InvalidInput names the field at fault;
    RateLimited after repeated wrong current passwords (the login budget: a stolen session can't
    guess the password faster than a login form could)."""
    if not MIN_PASSWORD_LENGTH <= len(new_password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"The new password needs {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters.",
            fields={"new_password": "wrong length"},
        )
    async with ctx.uow() as uow:
        user = await uow.users.get(host.id)
    if user is None:
        raise NotAuthenticated("Please log in.")
    await spend_login_attempt(ctx, email=user.email, client=client)
    # argon2 is deliberately slow: keep it off the event loop.
    if not await asyncio.to_thread(verify_password, current_password, user.password_hash):
        raise InvalidInput("That isn't your current password.", fields={"current_password": "doesn't match"})
    await forgive_login(ctx, email=user.email, client=client)
    new_hash = await asyncio.to_thread(hash_password, new_password)
    async with ctx.uow(write=True) as uow:
        user = await uow.users.get(host.id)
        if user is None:
            raise NotAuthenticated("Please log in.")
        user.password_hash = new_hash
        await uow.commit()
    # Only after the commit: a refused or failed change leaves every session as it was.
    try:
        await ctx.sessions.delete_for_user(host.id)
    except SessionStoreUnavailable as exc:
        raise TemporarilyUnavailable(
            "Your password was changed, but your other sessions couldn't be ended just now. "
            "Use “Log out everywhere” on this page in a few minutes."
        ) from exc
