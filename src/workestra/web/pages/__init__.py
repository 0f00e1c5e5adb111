"""HTML pages: login, the public booking page and the invitee's cancel / reschedule pages, settings,
the Calendar dashboard and calendar connecting; and /embed.js, the booking widget."""

from fastapi import APIRouter

from workestra.web.pages import (
    account,
    booking_page,
    dashboard,
    disconnect,
    embed,
    integrations,
    login,
    manage_booking,
    settings,
    teams,
    troubleshoot,
)

router = APIRouter(include_in_schema=False)
router.include_router(login.router)
router.include_router(dashboard.router)
router.include_router(settings.router)
router.include_router(troubleshoot.router)
router.include_router(account.router)
router.include_router(teams.router)
router.include_router(disconnect.router)  # GET: the confirmation; POST stays in integrations
router.include_router(integrations.router)
router.include_router(booking_page.router)
router.include_router(manage_booking.router)
router.include_router(embed.router)

__all__ = ["router"]
