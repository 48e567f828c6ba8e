"""What officers, producers and the public read, in their language, from one catalogue.

Vietnamese is the source language: every text is written in the code in Vietnamese, as the
message id, and the English catalogue ``ocop/locale/en/LC_MESSAGES/ocop.po`` (compiled to
``ocop.mo`` beside it) gives its English. A text with values names them and the translation
fills them::

    t = translator("en")
    t("Đã nhập {count} hồ sơ.", count=3)   # 'Imported 3 dossiers.'

A text the catalogue does not hold comes out in Vietnamese, never as an error; the test suite
fails when the code holds a text the catalogue lacks (see CONTRIBUTING.md, "Add a translated
text", for the three Babel commands that extract, update and compile it).
"""

from __future__ import annotations

import gettext
from functools import cache
from importlib.resources import files
from typing import Protocol

__all__ = ["LANGUAGES", "NC_", "N_", "Translate", "catalogue", "term", "translator"]

LANGUAGES = ("vi", "en")
"""The languages ocop writes in; Vietnamese first, the default."""

DOMAIN = "ocop"


class Translate(Protocol):
    """``t("Vietnamese text {name}", name=value)``: the text in the reader's language."""

    def __call__(self, message: str, /, **values: object) -> str: ...


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue where it is declared; translate it where it is shown."""
    return message


def NC_(context: str, message: str) -> str:
    """Mark ``message`` for the catalogue under ``context`` (``"state"``, ``"role"`` …), where
    one Vietnamese word names two things English tells apart; :func:`term` translates it."""
    return message


def term(lang: str, context: str, message: str) -> str:
    """A word of the vocabulary (a state, a role, a message kind …) in ``lang``."""
    return catalogue(lang).pgettext(context, message)


@cache
def catalogue(lang: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The compiled catalogue of ``domain`` for ``lang``, or none when there is nothing to look up.

    ``ocop`` texts are written in Vietnamese, so Vietnamese needs no catalogue; the
    ``argparse`` domain holds the standard library's own English words in Vietnamese.
    """
    compiled = files("ocop") / "locale" / lang / "LC_MESSAGES" / f"{domain}.mo"
    if not compiled.is_file():
        return gettext.NullTranslations()
    with compiled.open("rb") as stream:
        return gettext.GNUTranslations(stream)


def translator(lang: str) -> Translate:
    """The :class:`Translate` function for ``lang`` (``"vi"`` or ``"en"``)."""
    lookup = catalogue(lang).gettext

    def t(message: str, /, **values: object) -> str:
        text = lookup(message)
        return text.format(**values) if values else text

    return t
