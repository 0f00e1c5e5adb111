"""Static files and pages over HTTP: gzip when the client accepts it, fingerprinted static URLs
cached for a year (revalidated by ETag otherwise), and the booking page's zone list (canonical names
only, with the legacy names mapped) served apart."""

import gzip
import re
from pathlib import Path

import httpx2

from tests.integration.web.conftest import PageHost
from workestra.web.zone_catalog import picker_zones
from workestra.zones import offered_zones

STATIC = Path(__file__).parents[3] / "src" / "workestra" / "web" / "static"
YEAR_IMMUTABLE = "public, max-age=31536000, immutable"


def _by_name(html: str) -> dict[str, str]:
    return {name: url for url, name in re.findall(r'"(/static/([\w.]+)\?v=[0-9a-f]+)"', html)}


async def test_responses_are_gzipped_for_clients_that_accept_it(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    for path in ("/static/app.css", "/static/book.js", "/static/zones.json", f"/book/{page_host.link.slug}"):
        plain = await http.get(path, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200
        assert "content-encoding" not in plain.headers
        async with http.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as zipped:
            assert zipped.headers["content-encoding"] == "gzip", path
            assert "accept-encoding" in zipped.headers["vary"].lower()
            raw = b"".join([chunk async for chunk in zipped.aiter_raw()])
        assert gzip.decompress(raw) == plain.content
        assert len(raw) < len(plain.content) / 2


async def test_pages_link_static_files_by_fingerprint_cached_for_a_year(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    urls = _by_name((await http.get(f"/book/{page_host.link.slug}")).text)
    assert set(urls) == {"app.css", "book.js", "zones.json"}
    assert "app.css" in _by_name((await http.get("/login")).text)
    for name in ("app.css", "book.js"):
        response = await http.get(urls[name])
        assert response.status_code == 200
        assert response.content == (STATIC / name).read_bytes()
        assert response.headers["cache-control"] == YEAR_IMMUTABLE


async def test_a_static_file_without_its_current_fingerprint_is_revalidated(http: httpx2.AsyncClient) -> None:
    for path in ("/static/app.css", "/static/app.css?v=0123456789abcdef"):
        response = await http.get(path)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-cache"
        again = await http.get(path, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304
        assert again.content == b""


async def test_the_booking_page_fetches_its_zone_list_as_a_cached_asset(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    html = (await http.get(f"/book/{page_host.link.slug}")).text
    select = re.search(r'<select name="tz" id="tz">.*?</select>', html, re.DOTALL)
    assert select is not None
    assert re.findall(r'<option value="([^"]+)"', select.group(0)) == [page_host.link.timezone]
    assert "Asia/Tokyo" not in html
    assert "Pacific/Chatham" not in html
    zones_url = re.search(r'data-zones-url="([^"]+)"', html)
    assert zones_url is not None
    assert zones_url.group(1) == _by_name(html)["zones.json"]

    zones = await http.get(zones_url.group(1))
    assert zones.status_code == 200
    assert zones.headers["content-type"] == "application/json"
    assert zones.headers["cache-control"] == YEAR_IMMUTABLE
    document = zones.json()
    canonical, aliases = picker_zones()
    assert document == {"zones": list(canonical), "aliases": aliases}
    assert {"Asia/Tokyo", "Asia/Kolkata", "Europe/Kyiv", "Europe/Berlin", "UTC"} <= set(document["zones"])
    # One name per place: the old spellings browsers still report map to today's, and are not listed.
    assert {"Asia/Calcutta", "Europe/Kiev", "US/Eastern"}.isdisjoint(document["zones"])
    assert document["aliases"]["Asia/Calcutta"] == "Asia/Kolkata"
    assert document["aliases"]["US/Eastern"] == "America/New_York"
    assert set(document["zones"]) <= set(offered_zones())  # each one the server accepts
    revalidated = await http.get("/static/zones.json", headers={"If-None-Match": zones.headers["etag"]})
    assert revalidated.status_code == 304
    assert revalidated.headers["cache-control"] == "no-cache"
