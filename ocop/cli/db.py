"""``ocop db upgrade``: create or upgrade the database schema."""

from __future__ import annotations

from ocop.cli.core import Commands, Context, open_registry

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add ``ocop db upgrade``."""
    t = commands.t
    db = commands.group("db", t("cơ sở dữ liệu"))
    db.add(
        "upgrade",
        upgrade,
        t("tạo hoặc nâng cấp lược đồ cơ sở dữ liệu (bắt buộc với PostgreSQL)"),
    )


def upgrade(ctx: Context) -> int:
    """Apply the shipped migrations; running it again changes nothing."""
    registry = open_registry(ctx.settings, check_schema=False)
    try:
        registry.upgrade()
        name = registry.database.name
    finally:
        registry.close()
    ctx.print(ctx.t("Cơ sở dữ liệu {name} đã cập nhật.", name=name))
    return 0
