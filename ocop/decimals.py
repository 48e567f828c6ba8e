"""Numbers as readers write them: ``71`` or ``71,5`` in Vietnamese text, ``71.5`` in English.

Scores are stored as numbers (``71.0``); Python's ``str`` and ``:g`` write them the English
way, which reads wrong in a Vietnamese sentence ("phần A: 32.0"). Everything that shows a
score or a count to a person formats it here: mail templates (the ``number`` filter), the
CLI's show, history and demo text, and paperwork.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

__all__ = ["decimal"]

_SEPARATORS = {"vi": (",", "."), "en": (".", ",")}
"""Per language: the decimal mark, then the thousands separator."""


def decimal(
    value: float | int | Decimal | str,
    lang: str = "vi",
    *,
    places: int = 2,
    fixed: bool = False,
) -> str:
    """``value`` with at most ``places`` decimals (exactly ``places`` when ``fixed``).

    Vietnamese writes a decimal comma and groups thousands with a dot (``1.234,5``); English
    the other way round (``1,234.5``). An unknown language is written as Vietnamese. Extra
    decimals are cut, not rounded: the star bands are taken on the unrounded score, so 49.996
    (2 stars) reads 49,99, never a 3-star-looking 50.

    >>> decimal(71.0), decimal(71.5), decimal(32), decimal(20000)
    ('71', '71,5', '32', '20.000')
    >>> decimal(71.25, "en"), decimal(2 / 3), decimal(49.996), decimal(18, fixed=True)
    ('71.25', '0,66', '49,99', '18,00')
    """
    mark, group = _SEPARATORS.get(lang, _SEPARATORS["vi"])
    # repr: the shortest decimal that is this float (71.3 stays 71.3, not 71.29999…).
    exact = Decimal(repr(value) if isinstance(value, float) else value)
    exact = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    sign, text = ("-", f"{-exact:f}") if exact < 0 else ("", f"{abs(exact):f}")
    whole, _, fraction = text.partition(".")
    if not fixed:
        fraction = fraction.rstrip("0")
    grouped = f"{int(whole):,}".replace(",", group)
    return sign + grouped + (mark + fraction if fraction else "")
