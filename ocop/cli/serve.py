"""``ocop serve``: the public stamp page (:mod:`ocop.web`), served by uvicorn.

It reads the database named by ``--db`` / ``OCOP_DATABASE`` and the trusted keys of
``--keys`` / ``OCOP_KEYS``; it writes only the scan counts of stamps. Behind a reverse proxy
give ``--forwarded-allow-ips`` the proxy's address (the client's address is then taken from
``X-Forwarded-For``) and ``--root-path`` the path the proxy serves it under. Starlette and
uvicorn are imported inside the handler only.
"""

from __future__ import annotations

import argparse

from ocop.cli.core import Commands, Context, UsageError
from ocop.text import N_

__all__ = ["ENVIRONMENT", "register", "serve"]

ENVIRONMENT: dict[str, str] = {
    "OCOP_WARN_AFTER": N_(
        "số lượt quét một tem trước khi trang cảnh báo tem sao chép (mặc định 20)"
    ),
}


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port (1-65535)")
    return value


def register(commands: Commands) -> None:
    """Add ``ocop serve``."""
    from ocop.cli.stamps import add_keys_option

    t = commands.t
    parser = commands.add(
        "serve",
        serve,
        t("chạy trang kiểm tra tem công khai"),
        description=t(
            "Chạy trang web chỉ đọc kiểm tra tem OCOP tại /v/<mã tem>: tem có chính "
            "hãng không, sản phẩm, chủ thể, hạng sao, giấy chứng nhận và tình trạng "
            "hiện tại (thu hồi, hết hạn, đến hạn đánh giá lại), số lượt quét. Chỉ "
            "ghi số lượt quét tem. Dừng bằng Ctrl+C hoặc SIGTERM."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help=t("địa chỉ nghe (127.0.0.1)"))
    parser.add_argument("--port", type=_port, default=8080, help=t("cổng (8080)"))
    parser.add_argument(
        "--root-path",
        default="",
        metavar="PATH",
        help=t("đường dẫn gốc khi chạy sau reverse proxy, ví dụ /ocop"),
    )
    parser.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        metavar="IPS",
        help=t("địa chỉ proxy được tin để đọc X-Forwarded-*"),
    )
    parser.add_argument(
        "--warn-after",
        type=int,
        metavar="N",
        help=t("cảnh báo tem sao chép khi quá N lượt quét (OCOP_WARN_AFTER, 20)"),
    )
    add_keys_option(parser, t)


def serve(ctx: Context) -> int:
    """``ocop serve``: open the registry and the keys, then run uvicorn until stopped."""
    from ocop.cli.stamps import key_store, require

    require(ctx, "web", "starlette", "uvicorn")
    warn = ctx.args.warn_after or ctx.settings.environ.get("OCOP_WARN_AFTER") or 20
    try:
        warn_after = int(warn)
    except ValueError:
        raise UsageError(ctx.t("OCOP_WARN_AFTER không phải số: {warn}", warn=warn)) from None
    store = key_store(ctx)
    trusted = store.trusted()
    if not trusted:
        raise UsageError(
            ctx.t(
                "chưa có khóa tin cậy nào trong {path} (ocop keys init hoặc ocop keys trust)",
                path=store.path,
            )
        )
    import uvicorn

    from ocop.web.app import create_app

    app = create_app(ctx.registry(), trusted, warn_after=warn_after)
    keys = ", ".join(k.hex_id for k in trusted.values())
    ctx.print(
        ctx.t(
            "Trang kiểm tra tem: http://{host}:{port}/v/… (khóa {keys})",
            host=ctx.args.host,
            port=ctx.args.port,
            keys=keys,
        )
    )
    ctx.stdout.flush()
    uvicorn.run(
        app,
        host=ctx.args.host,
        port=ctx.args.port,
        root_path=ctx.args.root_path,
        proxy_headers=True,
        forwarded_allow_ips=ctx.args.forwarded_allow_ips,
        server_header=False,
        log_level="warning",
        access_log=False,
    )
    return 0
