"""The shared outgoing HTTP client: timeouts always set, a user agent, and a redacting log hook."""

import logging
import re

import httpx2

logger = logging.getLogger(__name__)

USER_AGENT = "Workestra/0.1 (+self-hosted scheduling)"
DEFAULT_TIMEOUT = httpx2.Timeout(10.0, connect=5.0)

_SECRET_QUERY = re.compile(r"(code|token|access_token|refresh_token|client_secret)=[^&\s]+", re.I)


def redact(text: str) -> str:
    """Strip OAuth secrets from a URL or text before it reaches a log line."""
    return _SECRET_QUERY.sub(r"\1=[redacted]", text)


async def _log_response(response: httpx2.Response) -> None:
    request = response.request
    logger.debug("%s %s -> %s", request.method, redact(str(request.url)), response.status_code)


def build_client(*, timeout: httpx2.Timeout = DEFAULT_TIMEOUT) -> httpx2.AsyncClient:
    """One client per process, shared by the adapters; closed by the composition root."""
    return httpx2.AsyncClient(
        timeout=timeout,
        headers={"User-Agent": USER_AGENT},
        event_hooks={"response": [_log_response]},
        follow_redirects=False,
    )
