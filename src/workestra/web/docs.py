"""The interactive API docs (/docs, /redoc) under a policy of their own.

FastAPI's pages load Swagger UI and ReDoc from a CDN and start Swagger UI with an inline script,
which the pages' Content-Security-Policy forbids. Each docs page therefore carries a policy naming
exactly the origins its HTML loads from and the hashes of its inline scripts (no 'unsafe-inline'
for scripts), and still may not be framed.
"""

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_LOADED_FROM = re.compile(r'(?:src|href)="(https://[^/"]+)/')


def policy_for(html: str) -> str:
    """A CSP allowing ``html``'s own external origins and inline scripts, and nothing else."""
    origins = sorted(set(_LOADED_FROM.findall(html)))
    hashes = [
        f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
        for body in _INLINE_SCRIPT.findall(html)
    ]
    return "; ".join(
        (
            "default-src 'self'",
            " ".join(["script-src 'self'", *origins, *hashes]),
            # Swagger UI and ReDoc style their widgets inline, and ReDoc's fonts come through its CSS.
            " ".join(["style-src 'self' 'unsafe-inline'", *origins]),
            "font-src 'self' data: https:",
            "img-src 'self' data: https:",
            "worker-src 'self' blob:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def _with_policy(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = policy_for(bytes(page.body).decode())
    return page


def install_docs(app: FastAPI, *, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Serve the docs pages FastAPI would (create the app with ``docs_url=None, redoc_url=None``)."""
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect_url = f"{docs_url}/oauth2-redirect"

    @app.get(docs_url, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _with_policy(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{app.title} - Swagger UI",
                oauth2_redirect_url=oauth2_redirect_url,
            )
        )

    @app.get(oauth2_redirect_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return _with_policy(get_swagger_ui_oauth2_redirect_html())

    @app.get(redoc_url, include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _with_policy(get_redoc_html(openapi_url=openapi_url, title=f"{app.title} - ReDoc"))
