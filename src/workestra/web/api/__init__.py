"""The JSON API under /api/v1 (checked from outside)."""

from fastapi import APIRouter

from workestra.web.api import booking_links, bookings, integrations, public, teams

router = APIRouter(prefix="/api/v1")
router.include_router(public.router)
router.include_router(booking_links.router)
router.include_router(bookings.router)
router.include_router(integrations.router)
router.include_router(teams.router)
