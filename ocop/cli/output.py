"""Output for people and for scripts: tables, dates in Vietnam's time, JSON.

A table is drawn for the terminal it goes to (sized to its width, cut with "…", coloured unless
``NO_COLOR``) and written as plain tab-separated lines when standard output is a pipe or a file;
``--json`` is the format for programs and never changes with the terminal.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, TextIO

from ocop.text import weekday_name, written_day, written_moment
from ocop.workdays import local_now

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = [
    "colour",
    "dumps",
    "dumps_list",
    "fit_widths",
    "fmt_date",
    "fmt_moment",
    "is_terminal",
    "jsonable",
    "plain_lines",
    "plain_table",
    "table",
    "terminal_width",
    "weekday",
]

# The CLI's names for the catalogue's written forms of a day.
fmt_date = written_day
weekday = weekday_name


def fmt_moment(moment: datetime | None, lang: str) -> str:
    """A moment in Asia/Ho_Chi_Minh time, to the minute."""
    return written_moment(None if moment is None else local_now(moment), lang)


def table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], *, stream: TextIO | None = None
) -> str:
    """The rows as a table for ``stream`` (standard output unless given), without a final
    newline.

    On a terminal: a table sized to the terminal's width (``COLUMNS``, else the terminal's own
    size), a header wider than its cells cut first, then the widest columns (:func:`fit_widths`),
    long text cut with "…"
    by display width (rich measures Vietnamese combining marks as no width, East Asian
    characters as two), headers in colour unless ``NO_COLOR`` is set or ``TERM`` is ``dumb``.
    Elsewhere (a pipe, a file): :func:`plain_table`.
    """
    out = sys.stdout if stream is None else stream
    if not is_terminal(out):
        return plain_table(headers, rows)
    return _terminal_table(headers, rows, terminal_width(out), colour(out))


def plain_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """The rows as tab-separated lines, the headers first: no padding, no rule, no colour.

    A tab, a line break or another control character inside a cell becomes a space, so every
    line has as many fields as there are headers (``cut -f2``, ``awk -F'\\t'``, a spreadsheet).
    """
    return "\n".join(plain_lines(headers, rows))


def plain_lines(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The lines of :func:`plain_table`, one at a time (without newlines), the headers first:
    a long listing can be written as it is read."""
    yield "\t".join(_flat(cell) for cell in headers)
    for row in rows:
        # Most rows hold no control character at all: one check for the row, not one a cell.
        if "".join(row).isprintable():
            yield "\t".join(row)
        else:
            yield "\t".join(_flat(cell) for cell in row)


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal a person reads (not a pipe or a file)."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # closed or detached
        return False


def terminal_width(stream: TextIO) -> int:
    """The terminal's width in cells: ``COLUMNS`` when set, else the terminal's own, else 80."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):
        return 80


def colour(stream: TextIO) -> bool:
    """Whether to colour what goes to ``stream``: a terminal, ``NO_COLOR`` unset or empty
    (no-color.org), and a terminal that is not ``dumb``."""
    return (
        is_terminal(stream)
        and not os.environ.get("NO_COLOR")
        and os.environ.get("TERM", "") != "dumb"
    )


# C0 and C1 control characters (tabs, line breaks and escape sequences included): a cell is
# one line, and text from a file or a mail server never moves the cursor or sets colours.
_CONTROL = dict.fromkeys([*range(0x20), 0x7F, *range(0x80, 0xA0)], " ")

_GAP = "  "
"""Between two columns on a terminal."""


def _flat(cell: str) -> str:
    return cell if cell.isprintable() else cell.translate(_CONTROL)


def _terminal_table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], width: int, coloured: bool
) -> str:
    # rich measures and cuts by display cells (combining marks, wide characters); the layout
    # is ours because rich's Table takes about 0.1 ms a cell: 37 s for a 40 000-row
    # `ocop list --limit 0`, against 0.9 s here on the same machine. Imported here, not at the
    # top, so that `ocop --help` and `--version` stay light.
    from rich.cells import cell_len, set_cell_size
    from rich.style import Style

    head = [_flat(cell) for cell in headers]
    body = [[_flat(cell) for cell in row] for row in rows]
    content = [0] * len(head)
    for row in body:
        for index, cell in enumerate(row):
            size = cell_len(cell)
            if size > content[index]:
                content[index] = size
    titles = [cell_len(cell) for cell in head]
    widths = _widths(content, titles, width - len(_GAP) * (len(head) - 1))

    def fitted(cells: Sequence[str]) -> list[str]:
        out = []
        for cell, room in zip(cells, widths, strict=True):
            size = cell_len(cell)
            if size <= room:
                out.append(cell + " " * (room - size))
            else:
                out.append(set_cell_size(cell, room - 1) + "…" if room > 1 else "…"[:room])
        return out

    if coloured:
        bold, dim = Style(bold=True, color="cyan"), Style(dim=True)
        header = _GAP.join(bold.render(cell) for cell in fitted(head))
        rule = dim.render("─" * (sum(widths) + len(_GAP) * (len(widths) - 1)))
    else:
        header = _GAP.join(fitted(head))
        rule = "─" * (sum(widths) + len(_GAP) * (len(widths) - 1))
    lines = [_rstrip(header), rule]
    lines.extend(_GAP.join(fitted(row)).rstrip(" ") for row in body)
    return "\n".join(lines)


_SHORT_TITLE = 6
"""Cells a header may be cut to, before any cell of its column is."""


def _widths(content: Sequence[int], titles: Sequence[int], room: int) -> list[int]:
    """Widths within ``room``: the wider of each column's cells and header when they fit;
    else a header wider than its column's cells is cut first (to :data:`_SHORT_TITLE` cells),
    getting back what room is left; else :func:`fit_widths` cuts the widest columns."""
    natural = [max(c, h) for c, h in zip(content, titles, strict=True)]
    if sum(natural) <= room:
        return natural
    widths = [max(c, min(h, _SHORT_TITLE)) for c, h in zip(content, titles, strict=True)]
    if sum(widths) > room:
        return fit_widths(widths, room)
    spare = room - sum(widths)
    while spare > 0:  # the room left goes back to the cut headers, a cell each in turn
        grown = False
        for index, size in enumerate(natural):
            if spare > 0 and widths[index] < size:
                widths[index] += 1
                spare -= 1
                grown = True
        if not grown:
            break
    return widths


def fit_widths(natural: Sequence[int], room: int) -> list[int]:
    """Column widths within ``room`` cells: each column its natural width if all fit, else
    the widest cut first, down to a common width that fills the room (at least one cell
    each)."""
    if sum(natural) <= room:
        return list(natural)
    low, high = 1, max(natural)  # the largest cap whose columns fit
    while low < high:
        cap = (low + high + 1) // 2
        if sum(min(size, cap) for size in natural) <= room:
            low = cap
        else:
            high = cap - 1
    widths = [min(size, low) for size in natural]
    spare = room - sum(widths)
    for index, size in enumerate(natural):  # what is left goes to the columns that were cut
        if spare > 0 and size > widths[index]:
            widths[index] += 1
            spare -= 1
    return widths


def _rstrip(line: str) -> str:
    """A rendered line without trailing spaces, also those among closing colour codes."""
    stripped = _TRAILING.sub("", line)
    return stripped + "\x1b[0m" if "\x1b[" in stripped else stripped


_TRAILING = re.compile(r"(?: |\x1b\[[0-9;]*m)+$")


def _default(value: object) -> object:
    if isinstance(value, datetime):
        return local_now(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "model_dump"):  # a pydantic model, without importing pydantic here
        dumped: object = value.model_dump(mode="python")
        return dumped
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def jsonable(model: BaseModel) -> dict[str, Any]:
    """A record as a plain dict; dates stay objects until :func:`dumps`."""
    return model.model_dump(mode="python")


def dumps(value: object) -> str:
    """JSON with Vietnamese text kept readable and moments in Vietnam's time (+07:00)."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=_default)


def dumps_list(items: Iterable[object]) -> Iterator[str]:
    """The text of :func:`dumps` of ``list(items)``, in pieces, an item at a time: a long
    listing is written as it is read, never held whole. Joined, the pieces are that text."""
    first = True
    for item in items:
        # Indented one level more, as inside the list (a JSON string holds no raw newline).
        yield ("[\n  " if first else ",\n  ") + dumps(item).replace("\n", "\n  ")
        first = False
    yield "[]" if first else "\n]"
