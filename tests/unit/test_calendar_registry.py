"""The calendar registry is built from configuration: an adapter exactly when its app is registered."""

from itertools import product

import httpx2
import pytest

from workestra.app import calendar_registry
from workestra.calendars.errors import ProviderNotConfigured
from workestra.config import Settings
from workestra.enums import CalendarProviderName, IntegrationProvider

MICROSOFT = {"microsoft_client_id": "ms-client", "microsoft_client_secret": "ms-secret"}
GOOGLE = {"google_client_id": "g-client", "google_client_secret": "g-secret"}


@pytest.mark.parametrize(("microsoft", "google"), list(product([False, True], repeat=2)))
async def test_an_adapter_is_present_exactly_when_its_app_registration_is_configured(
    microsoft: bool, google: bool
) -> None:
    values: dict[str, object] = {"_env_file": None}
    if microsoft:
        values.update(MICROSOFT)
    if google:
        values.update(GOOGLE)
    settings = Settings(**values)  # type: ignore[arg-type]  # pydantic-settings takes field kwargs
    async with httpx2.AsyncClient() as client:
        registry = calendar_registry(settings, client)
    assert registry.is_configured(CalendarProviderName.NONE)
    for name, slot, expected in (
        (CalendarProviderName.MICROSOFT, IntegrationProvider.MICROSOFT_CALENDAR, microsoft),
        (CalendarProviderName.GOOGLE, IntegrationProvider.GOOGLE_CALENDAR, google),
    ):
        assert registry.is_configured(name) is expected
        if expected:
            assert registry.calendar(name).name is name
            assert registry.oauth(slot).permissions
        else:
            with pytest.raises(ProviderNotConfigured):
                registry.calendar(name)
            with pytest.raises(ProviderNotConfigured):
                registry.oauth(slot)


async def test_a_client_id_without_its_secret_configures_nothing() -> None:
    settings = Settings(_env_file=None, google_client_id="g-client")
    async with httpx2.AsyncClient() as client:
        assert not calendar_registry(settings, client).is_configured(CalendarProviderName.GOOGLE)
