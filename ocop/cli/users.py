"""``ocop user add / list / disable / enable``: who may act, in which role and area.

Users are managed by an administrator (``--as`` an admin). To start, on a database with no
active administrator, ``ocop user add`` may create an administrator, and nothing else, whoever
runs it (a configured ``OCOP_USER`` need not exist yet): the first admin opens the door, and it
closes behind them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ocop.cli.core import Commands, Context, UsageError
from ocop.cli.output import dumps, jsonable, table
from ocop.errors import PermissionDenied
from ocop.states import HUMAN_ROLES, Role
from ocop.text import N_, term

if TYPE_CHECKING:
    from ocop.models import User

__all__ = ["register"]

_MANAGE = "manage_users"


def register(commands: Commands) -> None:
    """Add ``ocop user …``."""
    t = commands.t
    user = commands.group("user", t("quản lý người dùng"))
    add = user.add(
        "add",
        add_user,
        t("thêm người dùng (cán bộ, chủ thể)"),
        description=t(
            "Thêm người dùng. Cần --as một quản trị viên; trên cơ sở dữ liệu chưa "
            "có quản trị viên, lệnh không có --as chỉ tạo được quản trị viên đầu "
            "tiên."
        ),
        json=True,
    )
    add.add_argument("username", help=t("tên đăng nhập, ví dụ lan"))
    add.add_argument("--name", dest="full_name", required=True, help=t("họ tên"))
    add.add_argument(
        "--role",
        required=True,
        choices=sorted(r.value for r in HUMAN_ROLES),
        help=t("vai trò"),
    )
    add.add_argument("--commune", help=t("xã (cán bộ xã)"))
    add.add_argument("--province", help=t("tỉnh (cán bộ xã, tỉnh)"))
    add.add_argument("--email", help=t("thư điện tử nhận nhắc việc"))
    user.add("list", list_users, t("danh sách người dùng"), json=True)
    for name, handler, text in (
        ("disable", disable_user, N_("khóa người dùng")),
        ("enable", enable_user, N_("mở khóa người dùng")),
    ):
        parser = user.add(name, handler, t(text))
        parser.add_argument("username")


def _admin(ctx: Context) -> None:
    """Refuse unless the acting user is an administrator."""
    actor = ctx.actor()
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(
            ctx.t(
                "Chỉ quản trị viên mới quản lý người dùng; {name} là {role}.",
                name=actor.name,
                role=actor.role.label(ctx.lang),
            ),
            trigger=_MANAGE,
            allowed_roles=[Role.ADMIN],
        )


def _has_admin(ctx: Context) -> bool:
    return any(u.role is Role.ADMIN and u.active for u in ctx.registry().users())


def add_user(ctx: Context) -> int:
    """``ocop user add``."""
    args = ctx.args
    role = Role(args.role)
    if _has_admin(ctx):
        if not ctx.settings.user:
            raise UsageError(ctx.t("cần --as một quản trị viên để thêm người dùng"))
        _admin(ctx)
    elif role is not Role.ADMIN:
        raise PermissionDenied(
            ctx.t(
                "Chưa có quản trị viên. Tạo quản trị viên trước: ocop user add TÊN "
                "--role admin --name 'Họ tên'."
            ),
            trigger=_MANAGE,
            allowed_roles=[Role.ADMIN],
        )
    if role is Role.COMMUNE_OFFICER and not (args.commune and args.province):
        raise UsageError(ctx.t("cán bộ xã cần --commune và --province"))
    if role is Role.PROVINCE_OFFICER and not args.province:
        raise UsageError(ctx.t("cán bộ tỉnh cần --province"))
    user = ctx.registry().add_user(
        {
            "username": args.username,
            "full_name": args.full_name,
            "role": role,
            "email": args.email,
            "commune": args.commune,
            "province": args.province,
        }
    )
    if args.json:
        ctx.print(dumps(jsonable(user)))
    else:
        ctx.print(
            ctx.t(
                "Đã thêm người dùng {username} ({full_name}, {role}).",
                username=user.username,
                full_name=user.full_name,
                role=role.label(ctx.lang),
            )
        )
    return 0


def _area(user: User) -> str:
    return ", ".join(part for part in (user.commune, user.province) if part) or "—"


def list_users(ctx: Context) -> int:
    """``ocop user list``: the reader and the users of their area (everyone for an
    administrator or a central officer)."""
    users = ctx.registry().users(actor=ctx.reader())
    if ctx.args.json:
        ctx.print(dumps([jsonable(u) for u in users]))
        return 0
    if not users:
        ctx.print(
            ctx.t("Chưa có người dùng. Bắt đầu: ocop user add TÊN --role admin --name 'Họ tên'")
        )
        return 0
    t = ctx.t
    rows = [
        [
            u.username,
            u.full_name,
            u.role.label(ctx.lang),
            _area(u),
            u.email or "—",
            t("hoạt động") if u.active else t("đã khóa"),
        ]
        for u in users
    ]
    headers = [
        t("Tên đăng nhập"),
        t("Họ tên"),
        t("Vai trò"),
        t("Địa bàn"),
        "Email",
        term(ctx.lang, "user status", "Trạng thái"),
    ]
    ctx.print(table(headers, rows))
    return 0


def _set_active(ctx: Context, active: bool) -> int:
    _admin(ctx)
    reg = ctx.registry()
    username = ctx.args.username
    target = reg.user(username)
    if not active and target.role is Role.ADMIN:
        others = [u for u in reg.users() if u.role is Role.ADMIN and u.active]
        if [u.username for u in others] == [target.username]:
            raise PermissionDenied(
                ctx.t(
                    "{username} là quản trị viên cuối cùng; thêm quản trị viên khác trước.",
                    username=username,
                ),
                trigger=_MANAGE,
            )
    user = reg.set_user_active(username, active)
    ctx.print(
        ctx.t("Đã mở khóa người dùng {username}.", username=user.username)
        if active
        else ctx.t("Đã khóa người dùng {username}.", username=user.username)
    )
    return 0


def disable_user(ctx: Context) -> int:
    """``ocop user disable``: the user can no longer act; their history stays."""
    return _set_active(ctx, False)


def enable_user(ctx: Context) -> int:
    """``ocop user enable``."""
    return _set_active(ctx, True)
