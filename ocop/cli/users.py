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

if TYPE_CHECKING:
    from ocop.models import User

__all__ = ["register"]

_MANAGE = "manage_users"


def register(commands: Commands) -> None:
    """Add ``ocop user …``."""
    t = commands.t
    user = commands.group("user", t("quản lý người dùng", "manage users"))
    add = user.add(
        "add",
        add_user,
        t("thêm người dùng (cán bộ, chủ thể)", "add a user (officer, producer)"),
        description=t(
            "Thêm người dùng. Cần --as một quản trị viên; trên cơ sở dữ liệu chưa có quản trị "
            "viên, lệnh không có --as chỉ tạo được quản trị viên đầu tiên.",
            "Add a user. Needs --as an administrator; on a database with no administrator "
            "yet, the command without --as may create the first administrator only.",
        ),
        json=True,
    )
    add.add_argument("username", help=t("tên đăng nhập, ví dụ lan", "login name, e.g. lan"))
    add.add_argument("--name", dest="full_name", required=True, help=t("họ tên", "full name"))
    add.add_argument(
        "--role",
        required=True,
        choices=sorted(r.value for r in HUMAN_ROLES),
        help=t("vai trò", "role"),
    )
    add.add_argument("--commune", help=t("xã (cán bộ xã)", "commune (commune officers)"))
    add.add_argument(
        "--province", help=t("tỉnh (cán bộ xã, tỉnh)", "province (commune, province officers)")
    )
    add.add_argument("--email", help=t("thư điện tử nhận nhắc việc", "e-mail for reminders"))
    user.add("list", list_users, t("danh sách người dùng", "list users"), json=True)
    for name, handler, vi, en in (
        ("disable", disable_user, "khóa người dùng", "disable a user"),
        ("enable", enable_user, "mở khóa người dùng", "enable a user"),
    ):
        parser = user.add(name, handler, t(vi, en))
        parser.add_argument("username")


def _admin(ctx: Context) -> None:
    """Refuse unless the acting user is an administrator."""
    actor = ctx.actor()
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(
            ctx.t(
                f"Chỉ quản trị viên mới quản lý người dùng; {actor.name} là "
                f"{actor.role.label('vi')}.",
                f"Only an administrator manages users; {actor.name} is a {actor.role.label('en')}.",
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
            raise UsageError(
                ctx.t(
                    "cần --as một quản trị viên để thêm người dùng",
                    "adding a user needs --as an administrator",
                )
            )
        _admin(ctx)
    elif role is not Role.ADMIN:
        raise PermissionDenied(
            ctx.t(
                "Chưa có quản trị viên. Tạo quản trị viên trước: "
                "ocop user add TÊN --role admin --name 'Họ tên'.",
                "There is no administrator yet. Create one first: "
                "ocop user add NAME --role admin --name 'Full Name'.",
            ),
            trigger=_MANAGE,
            allowed_roles=[Role.ADMIN],
        )
    if role is Role.COMMUNE_OFFICER and not (args.commune and args.province):
        raise UsageError(
            ctx.t(
                "cán bộ xã cần --commune và --province",
                "a commune officer needs --commune and --province",
            )
        )
    if role is Role.PROVINCE_OFFICER and not args.province:
        raise UsageError(ctx.t("cán bộ tỉnh cần --province", "a province officer needs --province"))
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
                f"Đã thêm người dùng {user.username} ({user.full_name}, {role.label('vi')}).",
                f"Added user {user.username} ({user.full_name}, {role.label('en')}).",
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
            ctx.t(
                "Chưa có người dùng. Bắt đầu: ocop user add TÊN --role admin --name 'Họ tên'",
                "No users yet. Start with: ocop user add NAME --role admin --name 'Full Name'",
            )
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
            t("hoạt động", "active") if u.active else t("đã khóa", "disabled"),
        ]
        for u in users
    ]
    headers = [
        t("Tên đăng nhập", "Username"),
        t("Họ tên", "Name"),
        t("Vai trò", "Role"),
        t("Địa bàn", "Area"),
        "Email",
        t("Trạng thái", "Status"),
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
                    f"{username} là quản trị viên cuối cùng; thêm quản trị viên khác trước.",
                    f"{username} is the last administrator; add another one first.",
                ),
                trigger=_MANAGE,
            )
    user = reg.set_user_active(username, active)
    ctx.print(
        ctx.t(
            f"Đã {'mở khóa' if active else 'khóa'} người dùng {user.username}.",
            f"User {user.username} {'enabled' if active else 'disabled'}.",
        )
    )
    return 0


def disable_user(ctx: Context) -> int:
    """``ocop user disable``: the user can no longer act; their history stays."""
    return _set_active(ctx, False)


def enable_user(ctx: Context) -> int:
    """``ocop user enable``."""
    return _set_active(ctx, True)
