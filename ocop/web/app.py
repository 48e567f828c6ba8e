"""The public stamp page: a small read-only Starlette app, thin like the CLI.

``GET /v/<payload>`` checks the stamp offline (:func:`ocop.stamps.verify.verify`), asks the
registry for the certificate's status today and counts the scan
(:func:`ocop.stamps.live.live_status`), and renders one page in Vietnamese, or English with
``?lang=en``. Opening the printed URL counts as a scan; the same page with a ``lang``
parameter (the language switch) or a ``HEAD`` request does not. Counting a scan of a stamp
issued here is the only write; no route writes a dossier, and every method but GET and
HEAD is refused (405). A bad, truncated or forged payload gets a page that says so; an
unexpected failure gets a plain error page, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from ocop.stamps.keys import PublicKey
from ocop.stamps.live import COPY_WARNING_SCANS, Live, LiveStatus, live_status
from ocop.stamps.verify import Outcome, Verdict, verify
from ocop.text import translator, written_day, written_moment
from ocop.workdays import local_now
from ocop.workflow.registry import Registry

__all__ = ["HEADERS", "create_app"]

log = logging.getLogger("ocop.web")
TEMPLATES = Path(__file__).parent / "templates"
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
"""Sent with every page: nothing loads from elsewhere, the page is never framed or cached."""


def _date(day: date | datetime | None, lang: str) -> str:
    if day is None:
        return "—"
    if isinstance(day, datetime):
        return written_moment(local_now(day), lang)
    return written_day(day, lang)


def _lang(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "vi"


def create_app(
    registry: Registry,
    trusted: Mapping[bytes, PublicKey],
    *,
    clock: Callable[[], datetime] | None = None,
    warn_after: int = COPY_WARNING_SCANS,
) -> Starlette:
    """The stamp page on ``registry``, checking stamps with the ``trusted`` keys.

    ``clock`` gives the moment of each check (default the registry's clock); a serial
    scanned more than ``warn_after`` times gets the copied-stamp warning.
    """
    now = clock or registry.now
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = _lang(request)
        page = env.get_template(template).render(
            lang=lang,
            t=translator(lang),
            fmt=lambda day: _date(day, lang),
            path=request.url.path,
            **context,
        )
        return HTMLResponse(page, status_code=status, headers=HEADERS)

    def home(request: Request) -> Response:
        return render(request, "home.html")

    def stamp_page(request: Request) -> Response:
        text = str(request.path_params["payload"])
        verdict: Verdict = verify(text, trusted, now=now())
        live: LiveStatus | None = None
        if verdict.stamp is not None:
            counts = request.method == "GET" and "lang" not in request.query_params
            live = live_status(
                registry, verdict.stamp, now=now(), count_scan=counts, warn_after=warn_after
            )
        return render(
            request,
            "stamp.html",
            verdict=verdict,
            stamp=verdict.stamp,
            live=live,
            level=_level(verdict, live),
            Outcome=Outcome,
            Live=Live,
        )

    def health(request: Request) -> Response:
        return PlainTextResponse("ok", headers=HEADERS)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        response = render(request, "error.html", status=exc.status_code, code=exc.status_code)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("the stamp page failed on %s", request.url.path, exc_info=exc)
        return render(request, "error.html", status=500, code=500)

    methods = ["GET", "HEAD"]
    return Starlette(
        debug=False,
        routes=[
            Route("/", home, methods=methods),
            Route("/v/{payload:path}", stamp_page, methods=methods),
            Route("/V/{payload:path}", stamp_page, methods=methods),
            Route("/healthz", health, methods=methods),
        ],
        exception_handlers={HTTPException: http_error, 500: server_error},
    )


def _level(verdict: Verdict, live: LiveStatus | None) -> str:
    """The page's colour: ``ok`` (green), ``warn`` (amber) or ``bad`` (red)."""
    if verdict.outcome is Outcome.NOT_GENUINE:
        return "bad"
    if live is not None and live.status in (Live.REVOKED, Live.SUPERSEDED):
        return "bad"
    if verdict.outcome is Outcome.EXPIRED or (live is not None and live.status is Live.EXPIRED):
        return "warn"
    if live is not None and (live.copied or live.status is Live.UNKNOWN):
        return "warn"
    return "ok"
