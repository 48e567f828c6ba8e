"""The public stamp page (``ocop serve``'s ``/v/<payload>``) against a bare page of the same
framework (Starlette), both served by uvicorn on loopback and asked over one kept-alive HTTP
connection, in one run.

The subject checks a real signed stamp, reads the dossier's live status and counts the scan
(one write per request); the floor returns a fixed HTML page from a Starlette route.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from datetime import UTC, date, datetime
from typing import Any

from bench.context import Run
from bench.harness import Result, alternate, not_measured

__all__ = ["bench_web"]


def bench_web(run: Run) -> list[Result]:
    """Requests per second of the stamp page against a bare Starlette page."""
    try:
        import uvicorn
        from starlette.applications import Starlette
        from starlette.responses import HTMLResponse
        from starlette.routing import Route

        from ocop.stamps.issue import issue_stamps
        from ocop.stamps.keys import KeyStore
        from ocop.web.app import create_app
    except ImportError as exc:
        return [not_measured("web: stamp page", f"the web extra is not installed ({exc.name})")]
    import ocop

    admin = ocop.Actor("root", ocop.Role.ADMIN)
    registry = ocop.open(f"sqlite:///{run.path('web.db')}")
    keys = KeyStore(run.path("web-keys"))
    if not keys.exists():
        keys.init()
    dossier = registry.import_certified(
        {
            "product_name": "Nem chua Minh Anh",
            "product_set": 8,
            "producer": {"name": "Cơ sở Minh Anh"},
            "commune": "Lưu Vệ",
            "province": "Thanh Hóa",
        },
        certificate_number=f"GCN-{time.monotonic_ns()}",
        stars=4,
        issued_on=date(2025, 5, 14),
        actor=admin,
    )
    (stamp,) = issue_stamps(
        registry,
        keys.issuer(),
        dossier.id,
        count=1,
        actor=admin,
        base_url="https://ocop.luuve.vn",
        now=datetime(2026, 12, 1, tzinfo=UTC),
    )

    def bare_page(request: object) -> HTMLResponse:
        return HTMLResponse("<p>ok</p>")

    apps = {
        "page": create_app(registry, keys.trusted(), warn_after=10**9),
        "bare": Starlette(routes=[Route("/v/{payload}", bare_page)]),
    }
    path = f"/v/{stamp.text}"
    count = run.scale(300, 60)
    servers = {name: _serve(uvicorn, app) for name, app in apps.items()}

    def loop(name: str) -> float:
        connection = http.client.HTTPConnection("127.0.0.1", servers[name][1], timeout=30)
        try:
            start = time.perf_counter()
            for _ in range(count):
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"{path} answered {response.status}")
            return count / (time.perf_counter() - start)
        finally:
            connection.close()

    try:
        subject, floor = alternate(run.reps, lambda: loop("page"), lambda: loop("bare"))
    finally:
        for server, _ in servers.values():
            server.should_exit = True
        registry.close()
    return [
        Result(
            name="web: stamp page, scan counted",
            unit="req/s",
            samples=subject,
            floor="a bare Starlette page, same uvicorn, same client",
            floor_samples=floor,
            note=f"{count} requests per sample, one connection, SQLite; "
            "signature checked, live status read, scan written",
        )
    ]


def _serve(uvicorn: Any, app: object) -> tuple[Any, int]:
    """``app`` on a free loopback port, in a thread; the server and its port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    return server, port
