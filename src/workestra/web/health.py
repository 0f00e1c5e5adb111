"""Probes for load balancers and orchestrators: `/healthz` (the process answers) and `/readyz` (the
database answers and its schema is at head). They spend no rate-limit budget, open no browser
session and are left out of the access log (``ProbeAccessFilter``, installed by `workestra serve`).
"""

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from workestra.services.health import readiness
from workestra.web.deps import CtxDep

PROBE_PATHS = ("/healthz", "/readyz")
_NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter(include_in_schema=False)


@router.api_route("/healthz", methods=["GET", "HEAD"])
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers=_NO_STORE)


@router.api_route("/readyz", methods=["GET", "HEAD"])
async def readyz(ctx: CtxDep) -> JSONResponse:
    result = await readiness(ctx)
    if result.ready:
        return JSONResponse({"status": "ok"}, headers=_NO_STORE)
    return JSONResponse(
        {"status": "unavailable", "reason": result.reason}, status_code=503, headers=_NO_STORE
    )


class ProbeAccessFilter(logging.Filter):
    """Drops uvicorn's access-log lines for the probes (asked every few seconds, they drown the rest).

    Uvicorn logs ``'%s - "%s %s HTTP/%s" %d'`` with (client, method, path?query, version, status).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            return args[2].partition("?")[0] not in PROBE_PATHS
        return True
