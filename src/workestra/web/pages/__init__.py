"""HTML pages (placeholder router until the pages land)."""

from fastapi import APIRouter

router = APIRouter()
