"""``ocop keys …`` (the issuer's keys) and ``ocop stamp …`` (issue, verify, list e-stamps).

Settings, each from its flag, else its variable, else the config file's ``[stamps]`` table:

* ``--keys DIR`` / ``OCOP_KEYS`` / ``keys``: the key folder, by default
  ``~/.local/share/ocop/keys`` (``$XDG_DATA_HOME/ocop/keys``);
* ``--passphrase-file FILE`` / ``OCOP_KEYS_PASSPHRASE``: the private key's passphrase;
* ``--base-url URL`` / ``OCOP_STAMP_URL`` / ``base_url``: the public page's address, which
  every stamp's QR code starts with. No default: it is the commune's own address.

Exit status of ``ocop stamp verify``: 0 genuine, 3 (:data:`EXIT_NOT_GENUINE`) not genuine,
4 (:data:`EXIT_EXPIRED`) genuine but the certificate has expired, 5 (:data:`EXIT_REVOKED`,
only with ``--live``) the registry has revoked or replaced the certificate. cryptography,
segno, Pillow and zxing-cpp are imported inside the handlers only.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocop.cli.args import date_type, dossier_id
from ocop.cli.config import default_database_file
from ocop.cli.core import Commands, Context, Translate, UsageError
from ocop.text import N_

if TYPE_CHECKING:
    from ocop.errors import StampError
    from ocop.stamps.keys import KeyStore
    from ocop.stamps.payload import Stamp
    from ocop.stamps.verify import Verdict

__all__ = ["ENVIRONMENT", "EXIT_EXPIRED", "EXIT_NOT_GENUINE", "EXIT_REVOKED", "register"]

EXIT_NOT_GENUINE = 3
EXIT_EXPIRED = 4
EXIT_REVOKED = 5

ENVIRONMENT: dict[str, str] = {
    "OCOP_KEYS": N_("thư mục khóa của tem điện tử (mặc định ~/.local/share/ocop/keys)"),
    "OCOP_KEYS_PASSPHRASE": N_("mật khẩu của khóa bí mật"),
    "OCOP_STAMP_URL": N_("địa chỉ trang kiểm tra tem, đầu của mã QR (https://…)"),
}


def require(ctx: Context, extra: str, *modules: str) -> None:
    """A :class:`UsageError` naming ``pip install 'ocop[extra]'`` if a module is missing."""
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise UsageError(
            ctx.t(
                "thiếu {missing}: cài bằng pip install 'ocop[{extra}]'",
                missing=", ".join(missing),
                extra=extra,
            )
        )


def _setting(ctx: Context, flag: str, variable: str, key: str) -> str | None:
    table = ctx.settings.sections.get("stamps", {})
    value = getattr(ctx.args, flag, None) or ctx.settings.environ.get(variable) or table.get(key)
    return str(value) if value else None


def key_store(ctx: Context) -> KeyStore:
    """The key folder the settings name (and a usage error without ``ocop[stamps]``)."""
    require(ctx, "stamps", "cryptography", "segno", "PIL", "zxingcpp")
    from ocop.stamps.keys import KeyStore

    folder = _setting(ctx, "keys", "OCOP_KEYS", "keys")
    if folder:
        return KeyStore(Path(folder).expanduser())
    return KeyStore(default_database_file(ctx.settings.environ).parent / "keys")


def _passphrase(ctx: Context) -> bytes | None:
    file = getattr(ctx.args, "passphrase_file", None)
    if file:
        try:
            return Path(file).expanduser().read_bytes().rstrip(b"\r\n") or None
        except OSError as exc:
            raise UsageError(
                ctx.t("không đọc được {file}: {reason}", file=file, reason=exc.strerror)
            ) from None
    value = ctx.settings.environ.get("OCOP_KEYS_PASSPHRASE")
    return value.encode("utf-8") if value else None


def _say(ctx: Context, error: StampError) -> int:
    """A refusal in the run's language, on standard error, as :mod:`ocop.explanations` says it
    with the CLI's hints (:mod:`ocop.cli.messages`); exit status 1."""
    from ocop.cli.messages import explain

    line = explain(error, ctx.lang)
    prog = f"ocop {ctx.args.command}"
    sub = getattr(ctx.args, f"{ctx.args.command}_command", None)
    sys.stderr.write(f"{prog} {sub}: {line}\n" if sub else f"{prog}: {line}\n")
    return 1


def add_keys_option(parser: argparse.ArgumentParser, t: Translate) -> None:
    parser.add_argument(
        "--keys",
        metavar="DIR",
        help=t("thư mục khóa (OCOP_KEYS)"),
    )


def _add_passphrase(parser: argparse.ArgumentParser, t: Translate) -> None:
    parser.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help=t("tệp chứa mật khẩu của khóa bí mật (OCOP_KEYS_PASSPHRASE)"),
    )


def register(commands: Commands) -> None:
    """Add ``ocop keys`` and ``ocop stamp``."""
    t = commands.t
    keys = commands.group("keys", t("khóa phát hành tem điện tử"))
    init = keys.add(
        "init",
        keys_init,
        t("tạo cặp khóa Ed25519 của đơn vị phát hành"),
    )
    init.add_argument(
        "--rotate",
        action="store_true",
        help=t("thay khóa đang dùng; khóa công khai cũ vẫn được tin cậy"),
    )
    show = keys.add("show", keys_show, t("xem khóa và khóa tin cậy"), json=True)
    export = keys.add("export", keys_export, t("xuất khóa công khai"))
    export.add_argument("-o", "--output", metavar="FILE", help=t("ghi ra tệp"))
    trust = keys.add("trust", keys_trust, t("tin cậy một khóa công khai"))
    trust.add_argument("file", metavar="FILE", nargs="?", help=t("tệp PEM"))
    trust.add_argument(
        "--remove",
        metavar="KEY_ID",
        help=t("thôi tin cậy khóa có mã này"),
    )
    for parser in (init, show, export, trust):
        add_keys_option(parser, t)
    _add_passphrase(init, t)

    stamp = commands.group("stamp", t("tem điện tử OCOP"))
    issue = stamp.add(
        "issue",
        stamp_issue,
        t("phát hành tem có ký số cho sản phẩm có giấy chứng nhận còn hiệu lực"),
        json=True,
    )
    issue_arguments(issue, t)
    verify = stamp.add(
        "verify",
        stamp_verify,
        t("kiểm tra tem (không cần mạng)"),
        json=True,
        description=t(
            "Kiểm tra chữ ký của tem bằng các khóa công khai tin cậy và hạn của "
            "giấy chứng nhận. Mã thoát: 0 chính hãng, {exit_not_genuine} không "
            "chính hãng, {exit_expired} hết hiệu lực, {exit_revoked} bị thu hồi "
            "hoặc thay thế (--live).",
            exit_not_genuine=EXIT_NOT_GENUINE,
            exit_expired=EXIT_EXPIRED,
            exit_revoked=EXIT_REVOKED,
        ),
    )
    add_verify_arguments(verify, t)
    listing = stamp.add("list", stamp_list, t("các tem của một hồ sơ"), json=True)
    listing.add_argument("id", metavar="ID", type=dossier_id(t), help=t("số hồ sơ"))
    for parser in (issue, verify):
        add_keys_option(parser, t)
    _add_passphrase(issue, t)


def keys_init(ctx: Context) -> int:
    """``ocop keys init``."""
    from ocop.errors import StampError

    store = key_store(ctx)
    try:
        public = store.init(passphrase=_passphrase(ctx), rotate=ctx.args.rotate)
    except StampError as exc:
        return _say(ctx, exc)
    ctx.print(ctx.t("Đã tạo khóa {hex_id} trong {path}", hex_id=public.hex_id, path=store.path))
    ctx.print(
        ctx.t(
            "Khóa bí mật: {private_file} (chỉ chủ sở hữu đọc được)", private_file=store.private_file
        )
    )
    ctx.print(ctx.t("Khóa công khai (gửi cho nơi cần kiểm tra tem):"))
    ctx.print(public.pem().rstrip())
    return 0


def keys_show(ctx: Context) -> int:
    """``ocop keys show``."""
    from ocop.cli.output import dumps
    from ocop.errors import StampError

    store = key_store(ctx)
    try:
        own = store.public() if store.exists() else None
        trusted = store.trusted()
    except StampError as exc:
        return _say(ctx, exc)
    if ctx.args.json:
        data: dict[str, Any] = {
            "folder": str(store.path),
            "issuer": _key_json(own) if own else None,
            "trusted": [_key_json(k) for k in trusted.values()],
        }
        ctx.print(dumps(data))
        return 0
    ctx.print(ctx.t("Thư mục khóa: {path}", path=store.path))
    if own is None:
        ctx.print(ctx.t("Chưa có khóa phát hành (ocop keys init)."))
    else:
        ctx.print(ctx.t("Khóa phát hành: {hex_id}", hex_id=own.hex_id))
        ctx.print(f"  {own.base64()}")
        ctx.print(f"  SHA-256 {own.fingerprint}")
    ctx.print(ctx.t("Khóa tin cậy ({trusted_count}):", trusted_count=len(trusted)))
    for key in trusted.values():
        mark = ctx.t(" (khóa phát hành)") if own and key.id == own.id else ""
        ctx.print(f"  {key.hex_id}  {key.base64()}{mark}")
    return 0


def _key_json(key: Any) -> dict[str, str]:
    return {"id": key.hex_id, "base64": key.base64(), "sha256": key.fingerprint, "pem": key.pem()}


def keys_export(ctx: Context) -> int:
    """``ocop keys export [-o FILE]``."""
    from ocop.errors import StampError

    try:
        public = key_store(ctx).public()
    except StampError as exc:
        return _say(ctx, exc)
    if ctx.args.output:
        Path(ctx.args.output).write_text(public.pem(), encoding="ascii")
        ctx.print(
            ctx.t("Đã ghi khóa {hex_id} vào {output}", hex_id=public.hex_id, output=ctx.args.output)
        )
    else:
        ctx.stdout.write(public.pem())
    return 0


def keys_trust(ctx: Context) -> int:
    """``ocop keys trust FILE`` / ``--remove KEY_ID``."""
    from ocop.errors import StampError

    store = key_store(ctx)
    if bool(ctx.args.file) == bool(ctx.args.remove):
        raise UsageError(ctx.t("cho một tệp PEM, hoặc --remove KEY_ID"))
    try:
        if ctx.args.remove:
            key = store.distrust(ctx.args.remove)
            ctx.print(ctx.t("Đã thôi tin cậy khóa {hex_id}", hex_id=key.hex_id))
            return 0
        try:
            data = Path(ctx.args.file).read_bytes()
        except OSError as exc:
            raise UsageError(
                ctx.t(
                    "không đọc được {file}: {strerror}", file=ctx.args.file, strerror=exc.strerror
                )
            ) from None
        key = store.trust(data, source=ctx.args.file)
    except StampError as exc:
        return _say(ctx, exc)
    ctx.print(ctx.t("Đã tin cậy khóa {hex_id}", hex_id=key.hex_id))
    return 0


def verify_moment(ctx: Context) -> datetime:
    """``--as-of DATE`` at noon in Vietnam, else now."""
    as_of: date | None = getattr(ctx.args, "as_of", None)
    if as_of is None:
        return datetime.now(UTC)
    from ocop.workdays import TZ

    return datetime.combine(as_of, time(12), TZ)


def describe(ctx: Context, verdict: Verdict) -> list[str]:
    """The lines ``ocop stamp verify`` prints for one stamp."""
    from ocop.cli.output import fmt_date, fmt_moment
    from ocop.stamps.verify import Outcome, Reason

    t, lang = ctx.t, ctx.lang
    head = {
        Outcome.GENUINE: t("CHÍNH HÃNG"),
        Outcome.EXPIRED: t("HẾT HIỆU LỰC"),
        Outcome.NOT_GENUINE: t("KHÔNG CHÍNH HÃNG"),
    }[verdict.outcome]
    why = {
        Reason.VALID: t("tem do khóa {claimed_key} ký", claimed_key=verdict.claimed_key),
        Reason.EXPIRED: t("giấy chứng nhận trên tem đã quá hạn"),
        Reason.UNREADABLE: t("không phải tem OCOP hoặc tem bị cắt, sửa"),
        Reason.UNKNOWN_KEY: t(
            "ký bằng khóa {claimed_key} không được tin cậy", claimed_key=verdict.claimed_key
        ),
        Reason.BAD_SIGNATURE: t("chữ ký không khớp nội dung tem: tem bị sửa hoặc giả"),
    }[verdict.reason]
    lines = [f"{head}: {why}."]
    stamp: Stamp | None = verdict.stamp
    if stamp is not None:
        lines += [
            t("  Sản phẩm: {product}", product=stamp.product),
            t("  Chủ thể: {producer}", producer=stamp.producer),
            t("  Hạng: {stars} sao", stars=stamp.stars),
            t("  Giấy chứng nhận: ")
            + stamp.certificate
            + t(", hiệu lực đến ")
            + fmt_date(stamp.expires_on, lang),
            t("  Số tem: ")
            + stamp.serial_text
            + t(", phát hành ")
            + fmt_moment(stamp.issued_at, lang)
            + t(" (hồ sơ {dossier_id})", dossier_id=stamp.dossier_id),
        ]
    return lines


def add_verify_arguments(parser: argparse.ArgumentParser, t: Translate) -> None:
    """The arguments of ``ocop stamp verify``."""
    parser.add_argument(
        "stamp",
        metavar="PAYLOAD|URL|IMAGE",
        help=t("mã trên tem, địa chỉ trong mã QR, hoặc ảnh chụp mã QR"),
    )
    parser.add_argument(
        "--as-of",
        type=date_type(t),
        metavar="DATE",
        help=t("kiểm tra như vào ngày này"),
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help=t("hỏi thêm cơ sở dữ liệu: thu hồi, hết hạn, đến hạn đánh giá lại (không ghi gì)"),
    )


def issue_arguments(parser: argparse.ArgumentParser, t: Translate) -> None:
    """The arguments of ``ocop stamp issue``."""
    parser.add_argument("id", metavar="ID", type=dossier_id(t), help=t("số hồ sơ"))
    parser.add_argument("--count", type=int, required=True, metavar="N", help=t("số tem"))
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help=t("tờ tem .svg, .png hoặc .pdf (mặc định ocop-tem-ID-….svg và .pdf)"),
    )
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help=t("địa chỉ trang kiểm tra tem (OCOP_STAMP_URL)"),
    )


def stamp_issue(ctx: Context) -> int:
    """``ocop stamp issue ID --count N [-o FILE]``."""
    require(ctx, "stamps", "cryptography", "segno", "PIL", "zxingcpp")
    from ocop.cli.output import dumps
    from ocop.errors import StampError
    from ocop.stamps.issue import check_base_url, issue_stamps
    from ocop.stamps.sheet import write_sheet

    base = _setting(ctx, "base_url", "OCOP_STAMP_URL", "base_url")
    if not base:
        raise UsageError(
            ctx.t("cần địa chỉ trang kiểm tra tem: --base-url https://… hoặc OCOP_STAMP_URL")
        )
    registry, actor = ctx.registry(), ctx.actor()
    try:
        check_base_url(base)
        key = key_store(ctx).issuer(_passphrase(ctx))
        issued = issue_stamps(
            registry,
            key,
            ctx.args.id,
            count=ctx.args.count,
            actor=actor,
            base_url=base,
            now=registry.now(),
        )
        first = issued[0].stamp.serial_text
        if ctx.args.output:
            targets = [Path(ctx.args.output)]
        else:
            stem = ctx.t("ocop-tem-{id}-{serial}", id=ctx.args.id, serial=first)
            targets = [Path(f"{stem}.svg"), Path(f"{stem}.pdf")]
        files = [f for target in targets for f in write_sheet(target, issued, ctx.lang)]
    except StampError as exc:
        return _say(ctx, exc)
    if ctx.args.json:
        rows = [{"serial": i.stamp.serial_text, "payload": i.text, "url": i.url} for i in issued]
        ctx.print(dumps({"dossier": ctx.args.id, "stamps": rows, "files": [str(f) for f in files]}))
        return 0
    ctx.print(
        ctx.t(
            "Đã phát hành {issued_count} tem cho hồ sơ {id} (khóa {hex_id}):",
            issued_count=len(issued),
            id=ctx.args.id,
            hex_id=key.public.hex_id,
        )
    )
    for i in issued:
        ctx.print(f"  {i.stamp.serial_text}  {i.url}")
    for file in files:
        ctx.print(ctx.t("Tờ tem: {file}", file=file))
    return 0


def stamp_verify(ctx: Context) -> int:
    """``ocop stamp verify PAYLOAD|URL|IMAGE``: exit 0, 3, 4 (or 5 with ``--live``)."""
    require(ctx, "stamps", "cryptography", "segno", "PIL", "zxingcpp")
    from ocop.cli.output import dumps
    from ocop.errors import StampError
    from ocop.stamps.verify import Outcome, read_image, verify

    given, now = ctx.args.stamp, verify_moment(ctx)
    path = Path(given) if len(given) < 4096 else None
    is_file = path is not None and path.is_file()
    if path is not None and not is_file and path.suffix.lower() in _IMAGES:
        raise UsageError(ctx.t("không có tệp {given}", given=given))
    try:
        trusted = key_store(ctx).trusted()
        texts = read_image(path) if path is not None and is_file else [given]
    except StampError as exc:
        return _say(ctx, exc)
    codes = {
        Outcome.GENUINE: 0,
        Outcome.NOT_GENUINE: EXIT_NOT_GENUINE,
        Outcome.EXPIRED: EXIT_EXPIRED,
    }
    worst, results = 0, []
    for text in texts:
        verdict = verify(text, trusted, now=now)
        code = codes[verdict.outcome]
        live = _live(ctx, verdict, now) if ctx.args.live and verdict.stamp else None
        if live is not None:
            code = max(
                code,
                {"revoked": EXIT_REVOKED, "superseded": EXIT_REVOKED, "expired": EXIT_EXPIRED}.get(
                    live, 0
                ),
            )
        worst = max(worst, code)
        results.append((verdict, live))
    if ctx.args.json:
        ctx.print(dumps([_verdict_json(v, live) for v, live in results]))
        return worst
    for verdict, live in results:
        for line in describe(ctx, verdict):
            ctx.print(line)
        if live is not None:
            from ocop.stamps.live import Live

            ctx.print(ctx.t(" Cơ sở dữ liệu: {live}", live=Live(live).label(ctx.lang)))
    return worst


_IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff")


def _live(ctx: Context, verdict: Verdict, now: datetime) -> str:
    from ocop.stamps.live import live_status

    assert verdict.stamp is not None
    return live_status(ctx.registry(), verdict.stamp, now=now, count_scan=False).status.value


def _verdict_json(verdict: Verdict, live: str | None) -> dict[str, Any]:
    stamp = verdict.stamp
    data: dict[str, Any] = {
        "outcome": verdict.outcome.value,
        "reason": verdict.reason.value,
        "key_id": verdict.claimed_key,
        "live": live,
    }
    if stamp is not None:
        data["stamp"] = {
            "serial": stamp.serial_text,
            "dossier": stamp.dossier_id,
            "product": stamp.product,
            "producer": stamp.producer,
            "stars": stamp.stars,
            "certificate": stamp.certificate,
            "expires_on": stamp.expires_on.isoformat(),
            "issued_at": stamp.issued_at.isoformat(),
        }
    return data


def stamp_list(ctx: Context) -> int:
    """``ocop stamp list ID``: the dossier's stamps and how often each was scanned."""
    from ocop.cli.output import dumps, fmt_moment, table
    from ocop.stamps.payload import format_serial, parse_serial
    from ocop.stamps.store import StampStore

    registry = ctx.registry()
    registry.get(ctx.args.id)
    records = StampStore(registry.database).for_dossier(ctx.args.id)
    if ctx.args.json:
        ctx.print(dumps([vars(r) for r in records]))
        return 0
    rows = [
        [
            format_serial(parse_serial(r.serial)),
            r.certificate,
            r.key_id,
            r.issued_by,
            fmt_moment(r.issued_at, ctx.lang),
            str(r.scans),
            fmt_moment(r.last_scan_at, ctx.lang),
        ]
        for r in records
    ]
    headers = ctx.t(
        "số tem|giấy chứng nhận|khóa|người phát hành|lúc|lượt quét|quét gần nhất"
    ).split("|")
    ctx.print(table(headers, rows))
    return 0
