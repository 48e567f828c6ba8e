"""``ocop service install / show``: the systemd units shipped in ``ocop/data/systemd``.

Two ways to run the daemon under systemd, one or the other: ``ocop-daemon.service``, the
long-running ``ocop daemon``; or ``ocop-once.timer``, which starts ``ocop-once.service``
(``ocop daemon --once``) every 10 minutes. ``install`` writes them with ``ExecStart=`` pointing
at the ``ocop`` being run, into ``/etc/systemd/system`` (``~/.config/systemd/user`` with
``--user``, or ``--dir``), never over a different file without ``--force``, and prints the
``systemctl`` commands to run next; it runs none itself. ``show`` prints what it would write.

The shipped files are usable as they are (``ExecStart=/usr/local/bin/ocop``, settings in
``/etc/ocop/ocop.env``); ``--user`` drops what only the system manager can do (``User=``, the
data folder, the file-system sandbox) together with the comment above each line dropped.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

from ocop.cli.config import default_config_file
from ocop.cli.core import Commands, Context, Translate

__all__ = ["DAEMON", "ENV", "ONCE", "TIMER", "UNITS", "command_line", "register", "unit_text"]

UNITS = Path(__file__).resolve().parent.parent / "data" / "systemd"
"""Where the shipped unit files are."""

DAEMON, ONCE, TIMER, ENV = "ocop-daemon.service", "ocop-once.service", "ocop-once.timer", "ocop.env"
FILES = (DAEMON, ONCE, TIMER, ENV)

SHIPPED_OCOP = "/usr/local/bin/ocop"
SHIPPED_ENV_FILE = "/etc/ocop/ocop.env"
SYSTEM_DIR = Path("/etc/systemd/system")
USER_ENV_FILE = "%h/.config/ocop/ocop.env"

_USER_DROPS = frozenset(
    {
        "User",
        "Group",
        "StateDirectory",
        "StateDirectoryMode",
        "Environment",
        "ReadWritePaths",
        "ProtectSystem",
        "ProtectHome",
        "PrivateTmp",
        "PrivateDevices",
        "ProtectKernelTunables",
        "ProtectKernelModules",
        "ProtectKernelLogs",
        "ProtectControlGroups",
        "ProtectClock",
        "ProtectHostname",
        "RestrictNamespaces",
        "CapabilityBoundingSet",
    }
)
"""Keys a user's systemd cannot honour (no other user, no mount namespace without privileges)."""

_HOMES = ("/home/", "/root/", "/run/user/")


def register(commands: Commands) -> None:
    """Add ``ocop service``."""
    t = commands.t
    service = commands.group(
        "service",
        t("dịch vụ systemd: cài đặt, xem tệp unit"),
    )
    install = service.add(
        "install",
        install_units,
        t("ghi tệp unit systemd cho ocop daemon"),
        description=t(
            "Ghi ocop-daemon.service (dịch vụ chạy liên tục), hoặc với --timer "
            "ocop-once.service và ocop-once.timer (chạy `ocop daemon --once` mỗi 10 "
            "phút), vào /etc/systemd/system (--user: ~/.config/systemd/user), với "
            "ExecStart= trỏ tới lệnh ocop đang chạy; rồi in các lệnh systemctl cần "
            "chạy tiếp. Không ghi đè một tệp đã có và khác nếu không có --force. "
            "Không tự chạy systemctl."
        ),
    )
    install.add_argument("--dir", metavar="DIR", help=t("thư mục ghi tệp unit"))
    _mode_arguments(install, t)
    install.add_argument(
        "--force",
        action="store_true",
        help=t("ghi đè các tệp unit đã có mà khác bản sẽ ghi"),
    )
    show = service.add(
        "show",
        show_unit,
        t("in một tệp unit (như install sẽ ghi)"),
    )
    show.add_argument(
        "unit",
        nargs="?",
        default=DAEMON,
        choices=FILES,
        help=t("tệp cần in (mặc định {daemon}; {env}: tệp cấu hình mẫu)", daemon=DAEMON, env=ENV),
    )
    _mode_arguments(show, t, timer=False)


def _mode_arguments(parser: argparse.ArgumentParser, t: Translate, *, timer: bool = True) -> None:
    parser.add_argument(
        "--user",
        action="store_true",
        help=t("dịch vụ của người dùng (systemctl --user), không phải của hệ thống"),
    )
    if timer:
        parser.add_argument(
            "--timer",
            action="store_true",
            help=t(
                "{once} + {timer}: chạy `ocop daemon --once` mỗi 10 phút", once=ONCE, timer=TIMER
            ),
        )
    parser.add_argument(
        "--env-file",
        metavar="PATH",
        help=t(
            "tệp biến môi trường OCOP_* (mặc định {shipped_env_file}; --user: "
            "~/.config/ocop/ocop.env)",
            shipped_env_file=SHIPPED_ENV_FILE,
        ),
    )


def command_line(argv0: str | None = None, executable: str | None = None) -> list[str]:
    """The command that runs this ``ocop``, absolute: the console script if that is what runs,
    else the one beside the Python, else ``python -m ocop``."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = sys.executable if executable is None else executable
    candidates = [argv0] if Path(argv0).name == "ocop" else []
    candidates.append(str(Path(executable).with_name("ocop")))
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return [os.path.abspath(candidate)]
    return [os.path.abspath(executable), "-m", "ocop"]


def _quote(word: str) -> str:
    """One word of an ``ExecStart=`` line: specifiers and variables escaped, quoted if needed."""
    word = word.replace("%", "%%").replace("$", "$$")
    if word and not re.search(r"[\s\"'\\;]", word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _expand(path: str, home: str | None) -> str:
    """``path`` absolute, a leading ``~`` being ``home`` (the run's ``HOME``)."""
    if home and (path == "~" or path.startswith("~/")):
        path = home + path[1:]
    return os.path.abspath(os.path.expanduser(path))


def _env_path(value: str | None, *, user: bool, home: str | None = None) -> str:
    if not value:
        return USER_ENV_FILE if user else SHIPPED_ENV_FILE
    return _expand(value, home).replace("%", "%%")


def _hidden_by_protect_home(command: list[str]) -> bool:
    """Whether the program or the ocop package lives where ``ProtectHome=yes`` hides it."""
    return any(path.startswith(_HOMES) for path in (command[0], str(UNITS)))


def _for_user(text: str) -> str:
    """The unit for a user's systemd: system-only keys dropped with the comment above each."""
    out: list[str] = []
    comments: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            comments.append(line)
            continue
        key = line.partition("=")[0].strip() if "=" in line else ""
        network = key in ("Wants", "After") and "network-online.target" in line
        if key not in _USER_DROPS and not network:
            out.extend(comments)
            out.append(line.replace("WantedBy=multi-user.target", "WantedBy=default.target"))
        comments = []
    out.extend(comments)
    return "\n".join(out) + "\n"


def unit_text(
    name: str,
    *,
    command: list[str] | None = None,
    env_file: str | None = None,
    user: bool = False,
    home: str | None = None,
) -> str:
    """The file ``name`` as ``install`` writes it (``home``: where ``~`` in ``env_file`` is)."""
    text = (UNITS / name).read_text(encoding="utf-8")
    if name == ENV:
        return text
    command = command or command_line()
    start = " ".join(_quote(word) for word in command)
    text = text.replace(f"ExecStart={SHIPPED_OCOP} ", f"ExecStart={start} ")
    text = text.replace(
        f"EnvironmentFile={SHIPPED_ENV_FILE}\n",
        f"EnvironmentFile={_env_path(env_file, user=user, home=home)}\n",
    )
    if _hidden_by_protect_home(command):
        # The sandbox hides home folders; the program itself must stay visible.
        text = text.replace("ProtectHome=yes\n", "ProtectHome=read-only\n")
    return _for_user(text) if user else text


def _files(ctx: Context) -> tuple[str, ...]:
    return (ONCE, TIMER) if ctx.args.timer else (DAEMON,)


def _target(ctx: Context) -> Path:
    if ctx.args.dir:
        return Path(_expand(ctx.args.dir, ctx.settings.environ.get("HOME")))
    if ctx.args.user:
        return _user_dir(ctx)
    return SYSTEM_DIR


def _fail(ctx: Context, text: str) -> int:
    ctx.stderr.write(f"ocop service install: {text}\n")
    return 1


def install_units(ctx: Context) -> int:
    """``ocop service install``."""
    t = ctx.t
    user: bool = ctx.args.user
    folder = _target(ctx)
    command = command_line()
    home = ctx.settings.environ.get("HOME")
    wanted = {
        folder / name: unit_text(
            name, command=command, env_file=ctx.args.env_file, user=user, home=home
        )
        for name in _files(ctx)
    }
    changed = {path: text for path, text in wanted.items() if _differs(path, text)}
    taken = [path for path in changed if path.exists()]
    if taken and not ctx.args.force:
        names = ", ".join(str(p) for p in taken)
        mode = " --user" if user else ""
        if ctx.args.env_file:
            mode += f" --env-file {_env_path(ctx.args.env_file, user=user, home=home)}"
        compare = f"ocop service show {taken[0].name}{mode} | diff {taken[0]} -"
        return _fail(
            ctx,
            t(
                "{names} đã có và khác bản sẽ ghi; không ghi gì. So sánh: `{compare}`; "
                "thêm --force để ghi đè.",
                names=names,
                compare=compare,
            ),
        )
    try:
        _write_all(folder, changed)
    except OSError as exc:
        hint = "" if user or ctx.args.dir else t(" (chạy bằng sudo, hoặc dùng --user)")
        reason = exc.strerror or str(exc)
        return _fail(
            ctx,
            t(
                "không ghi được vào {folder}: {reason}{hint}",
                folder=folder,
                reason=reason,
                hint=hint,
            ),
        )
    for path in wanted:
        if path in changed:
            ctx.print(t("Đã ghi {path}", path=path))
        else:
            ctx.print(t("{path} đã đúng, không đổi", path=path))
    ctx.print(t("ExecStart: {command}", command=" ".join(command)))
    ctx.print()
    ctx.print(t("Việc cần làm tiếp:"))
    for step in _next_steps(ctx, folder, list(wanted), command):
        ctx.print(f"  {step}")
    return 0


def _differs(path: Path, text: str) -> bool:
    try:
        return path.read_bytes() != text.encode("utf-8")
    except OSError:  # not there (or not readable): to be written, which says what is wrong
        return True


def _write_all(folder: Path, files: dict[Path, str]) -> None:
    """Every file or none: each written to a temporary file first, then renamed into place."""
    if not files:
        return
    folder.mkdir(parents=True, exist_ok=True)
    temporary: dict[Path, str] = {}
    try:
        for path, text in files.items():
            fd, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
            temporary[path] = name
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            os.chmod(name, 0o644)
        for path, name in temporary.items():
            os.replace(name, path)
    finally:
        for name in temporary.values():
            if os.path.exists(name):
                os.unlink(name)


def _next_steps(ctx: Context, folder: Path, paths: list[Path], command: list[str]) -> list[str]:
    t = ctx.t
    user: bool = ctx.args.user
    systemctl = "systemctl --user" if user else "systemctl"
    unit = TIMER if ctx.args.timer else DAEMON
    steps: list[str] = []
    if not user:
        steps.append(t("# với quyền root; tài khoản riêng cho dịch vụ, không đăng nhập:"))
        steps.append("useradd --system --home-dir /var/lib/ocop --shell /usr/sbin/nologin ocop")
    if not user and _hidden_by_protect_home(command):
        steps.append(
            t(
                "# ocop được cài trong thư mục nhà (vì vậy dùng ProtectHome=read-only): "
                "tài khoản ocop phải đọc và chạy được nó; tốt hơn: cài ocop vào /opt "
                "hoặc /usr/local"
            )
        )
    home = ctx.settings.environ.get("HOME") or str(Path.home())
    env_file = _env_path(ctx.args.env_file, user=user, home=home).replace("%%", "%")
    real = Path(env_file.replace("%h", home))
    if not real.exists():
        steps.append(
            t(
                "# các thiết lập (OCOP_DATABASE, OCOP_PLAN, OCOP_SMTP_URL, "
                "OCOP_MAIL_FROM…), rồi sửa tệp {real}:",
                real=real,
            )
        )
        steps.append(f"mkdir -p {real.parent} && ocop service show {ENV} > {real}")
        steps.append(f"chmod 0640 {real}" + ("" if user else f" && chown root:ocop {real}"))
    standard = folder in (SYSTEM_DIR, _user_dir(ctx)) or str(folder).startswith("/usr/lib/systemd")
    if not standard:
        steps.append(
            t("# {folder} không phải thư mục systemd đọc; liên kết tệp vào:", folder=folder)
        )
        steps.append(f"{systemctl} link " + " ".join(str(p) for p in paths))
    other = folder / (DAEMON if ctx.args.timer else TIMER)
    if other.exists():
        steps.append(t("# chỉ dùng một trong hai cách: tắt {name}", name=other.name))
        steps.append(f"{systemctl} disable --now {other.name}")
    steps.append(f"{systemctl} daemon-reload")
    steps.append(f"{systemctl} enable --now {unit}")
    if user:
        steps.append(t("# để dịch vụ chạy cả khi không đăng nhập:"))
        steps.append(f"loginctl enable-linger {ctx.settings.environ.get('USER', '$USER')}")
    journal = "journalctl --user" if user else "journalctl"
    target = ONCE if ctx.args.timer else DAEMON
    steps.append(f"{systemctl} status {unit} && {journal} -u {target} -f")
    return steps


def _user_dir(ctx: Context) -> Path:
    return default_config_file(ctx.settings.environ).parent.parent / "systemd" / "user"


def show_unit(ctx: Context) -> int:
    """``ocop service show [UNIT]``."""
    home = ctx.settings.environ.get("HOME")
    text = unit_text(ctx.args.unit, env_file=ctx.args.env_file, user=ctx.args.user, home=home)
    ctx.stdout.write(text)
    return 0
