"""A council's result in the officer's words: the score with 2 decimals, how many sheets it
averages, why the stars were capped, the proposal to the Ministry and its central round.

One home for the lines ``rate``, ``show`` and the demo print, so they say it the same way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ocop.cli.output import fmt_date
from ocop.decimals import decimal
from ocop.text import translator

if TYPE_CHECKING:  # pydantic's models stay out of `ocop --help` and `--version`
    from ocop.models import Rating

__all__ = ["rating_lines", "score_text"]


def _stars(count: int) -> str:
    return f"{count}★"


def _shown(score: float | Decimal, lang: str, *, fixed: bool = False) -> str:
    # At most two decimals, cut (ocop.decimals): 49.996, a 2★ average, never reads as 50.
    return decimal(score, lang, fixed=fixed)


def score_text(r: Rating, lang: str) -> str:
    """``A 33,33 + B 18,50 + C 21,00 = 72,83 → 4★``: a council's average of its members'
    sheets with two decimals; averages given as decided, as given (``A 32 + B 18 …``)."""
    fixed = bool(r.sheets)
    a, b, c, total = (_shown(x, lang, fixed=fixed) for x in (r.a, r.b, r.c, r.total))
    return f"A {a} + B {b} + C {c} = {total} → {_stars(r.stars)}"


def rating_lines(r: Rating, lang: str, *, sheets: bool = False) -> list[str]:
    """The rating's lines; ``sheets`` adds one line per member's sheet."""
    t = translator(lang)
    head = score_text(r, lang)
    if r.sheets:
        head += t(
            " (trung bình {sheets_count} phiếu thành viên Hội đồng)", sheets_count=len(r.sheets)
        )
    lines = [head]
    if r.band_stars is not None and r.stars < r.band_stars:
        lowest = t(" (thấp nhất trong các phiếu)") if r.sheets else ""
        lines.append(
            t(
                "Hạng theo điểm là {band}, nhưng tiêu chí bắt buộc chỉ đạt đến mức "
                "{minimum}{lowest}: công nhận {stars}.",
                band=_stars(r.band_stars),
                minimum=_stars(r.minimum_stars_met or 0),
                lowest=lowest,
                stars=_stars(r.stars),
            )
            if r.stars >= 3
            else t(
                "Hạng theo điểm là {band}, nhưng tiêu chí bắt buộc chỉ đạt đến mức "
                "{minimum}{lowest}: {stars} (chưa đạt OCOP).",
                band=_stars(r.band_stars),
                minimum=_stars(r.minimum_stars_met or 0),
                lowest=lowest,
                stars=_stars(r.stars),
            )
        )
    if sheets:
        for sheet in r.sheets:
            # Added as typed (19.99 + 15 + 15 is 49.99, not a float's 49.98999…).
            total = sum(Decimal(repr(x)) for x in (sheet.a, sheet.b, sheet.c))
            minimum = (
                t(
                    "; tiêu chí bắt buộc đạt {minimum_stars_met}★",
                    minimum_stars_met=sheet.minimum_stars_met,
                )
                if sheet.minimum_stars_met is not None
                else ""
            )
            lines.append(
                t("Phiếu ")
                + f"{sheet.member}: A {_shown(sheet.a, lang)} + B {_shown(sheet.b, lang)}"
                f" + C {_shown(sheet.c, lang)} = {_shown(total, lang)}{minimum}"
            )
    if r.proposed_on is not None:
        text = t(
            "UBND tỉnh đề nghị Bộ NN&MT đánh giá 5 sao ngày {proposed_on}",
            proposed_on=fmt_date(r.proposed_on, lang),
        )
        if r.central_round and r.central_round_year:
            # Its rating deadline is the dossier's next date, shown beside this.
            text += t(
                "; đợt {central_round}/{central_round_year} của Trung ương",
                central_round=r.central_round,
                central_round_year=r.central_round_year,
            )
        lines.append(text + ".")
    return lines
