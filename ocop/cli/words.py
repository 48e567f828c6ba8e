"""argparse's own words (``usage:``, ``options``, its error lines) in the officer's language.

argparse looks its words up through :func:`gettext.gettext` and :func:`gettext.ngettext`,
bound as the module's globals ``_`` and ``ngettext``; for the length of one run of ``ocop``
they are pointed at the ``argparse`` domain of ocop's catalogue (``ocop/locale/vi``), then
put back, so a host that calls :func:`ocop.cli.main` keeps its own argparse as it was.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from ocop.text import catalogue

__all__ = ["argparse_words"]


@contextmanager
def argparse_words(lang: str) -> Iterator[None]:
    """Within the block, argparse writes in ``lang``."""
    words = catalogue(lang, "argparse")
    saved = {name: getattr(argparse, name) for name in ("_", "ngettext")}
    # Module globals, not declared in argparse's stubs: hence setattr.
    setattr(argparse, "_", words.gettext)  # noqa: B010
    setattr(argparse, "ngettext", words.ngettext)  # noqa: B010
    try:
        yield
    finally:
        for name, function in saved.items():
            setattr(argparse, name, function)
