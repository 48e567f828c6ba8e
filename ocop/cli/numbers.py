"""``ocop number ID``: give a dossier the numbers of the record it is still waiting for.

A dossier registered or recognised while its commune's codes (the plan's ``[numbers]``) were
missing has its registration form number or product code pending (``ocop show`` says so and
what to set). Once the codes are in the plan, this takes the next numbers from the commune's
counters (:meth:`ocop.Registry.assign_numbers`).
"""

from __future__ import annotations

from ocop.cli.args import add_dossier
from ocop.cli.core import Commands, Context
from ocop.cli.output import dumps, jsonable
from ocop.cli.render import missing_codes_text
from ocop.errors import GuardFailed

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add ``number``."""
    t = commands.t
    parser = commands.add(
        "number",
        assign_numbers,
        t("cấp số phiếu đăng ký, mã sản phẩm OCOP còn chờ (khi kế hoạch đã có mã tỉnh, mã xã)"),
        json=True,
    )
    add_dossier(parser, t)


def assign_numbers(ctx: Context) -> int:
    """``ocop number ID``."""
    registry, actor = ctx.registry(), ctx.actor()
    t = ctx.t
    try:
        after = registry.assign_numbers(ctx.args.id, actor=actor)
    except GuardFailed as refused:
        if refused.trigger != "assign_numbers":
            raise
        dossier = registry.get(ctx.args.id, actor=actor)
        missing = registry.missing_codes(dossier)
        if missing:
            why = missing_codes_text(missing, dossier, ctx.lang)
            ctx.stderr.write(
                t("Chưa thể cấp số cho hồ sơ {id}: {why}.\n").format(id=dossier.id, why=why)
            )
        else:
            ctx.stderr.write(t("Hồ sơ {id} không còn số nào chờ cấp.\n").format(id=dossier.id))
        return 1
    if ctx.args.json:
        ctx.print(dumps(jsonable(after)))
        return 0
    ctx.print(t("Hồ sơ số {id}").format(id=after.id))
    if after.form_number:
        ctx.print(t("  Số phiếu đăng ký: ") + after.form_number)
    if after.product_code:
        ctx.print(t("  Mã sản phẩm OCOP: ") + after.product_code)
    return 0
