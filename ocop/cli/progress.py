"""Progress bars for long work (import, export, reports, a sweep), on a terminal only.

The library never prints: its long operations take a ``progress`` callback, called with how
much is done (and, when known, out of how much). :func:`progress_bar` gives the CLI's: on a
terminal (standard error, so that standard output can still be piped to a file) a rich
progress bar that appears only once the work has taken more than :data:`DELAY` seconds, and
goes away when it ends, leaving the command's own summary; when standard error is not a
terminal, no callback at all (``None``), so nothing is drawn and nothing is computed for it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from ocop.cli.output import colour, is_terminal

if TYPE_CHECKING:
    from ocop.cli.core import Context

__all__ = ["DELAY", "Bar", "counted", "progress_bar"]

T = TypeVar("T")

DELAY = 1.0
"""Seconds of work before a bar is drawn: quick work shows nothing."""

_REFRESH = 0.1
"""Seconds between two redraws (the library may call back thousands of times a second)."""


class Bar:
    """A progress callback that draws on ``stream`` once the work has lasted ``delay`` seconds.

    Call it as ``bar(done)`` or ``bar(done, total)``; :meth:`close` (or leaving the ``with``
    block) takes the bar away.
    """

    def __init__(
        self, stream: TextIO, label: str, *, total: int | None = None, delay: float = DELAY
    ) -> None:
        self.stream = stream
        self.label = label
        self.total = total
        self.delay = delay
        self.done = 0
        self._started = time.monotonic()  # clock-ok: elapsed time only
        self._drawn = 0.0
        self._progress: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int | None = None) -> None:
        """``done`` units of work so far, out of ``total`` (or the total given before)."""
        self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()  # clock-ok: elapsed time only
        if self._progress is None:
            if now - self._started < self.delay:
                return
            self._start()
        if now - self._drawn >= _REFRESH or (self.total is not None and done >= self.total):
            self._progress.update(self._task, completed=done, total=self.total)
            self._progress.refresh()
            self._drawn = now

    @property
    def shown(self) -> bool:
        """Whether the bar has been drawn (the work outlasted the delay)."""
        return self._progress is not None

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        coloured = colour(self.stream)
        console = Console(
            file=self.stream,
            force_terminal=True,
            no_color=not coloured,
            color_system="standard" if coloured else None,
            highlight=False,
            emoji=False,
            markup=False,
        )
        self._progress = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            auto_refresh=False,  # drawn from __call__: no thread of its own
            transient=True,
        )
        self._task = self._progress.add_task(self.label, total=self.total, completed=self.done)
        self._progress.start()

    def close(self) -> None:
        """Take the bar away (if it was drawn)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def progress_bar(ctx: Context, label: str, *, total: int | None = None) -> Iterator[Bar | None]:
    """A :class:`Bar` on the command's standard error when it is a terminal, else ``None``;
    the bar is taken away when the block ends, however it ends."""
    if not is_terminal(ctx.stderr):
        yield None
        return
    with Bar(ctx.stderr, label, total=total, delay=_delay(ctx)) as bar:
        yield bar


def _delay(ctx: Context) -> float:
    """``OCOP_PROGRESS_DELAY``: seconds of work before a bar is drawn (default :data:`DELAY`)."""
    given = ctx.settings.environ.get("OCOP_PROGRESS_DELAY")
    if given is None:
        return DELAY
    try:
        delay = float(given)
    except ValueError:
        delay = -1.0
    if not 0 <= delay < 3600:
        from ocop.cli.core import UsageError

        raise UsageError(
            ctx.t("OCOP_PROGRESS_DELAY phải là số giây từ 0 (không phải '{given}')", given=given)
        )
    return delay


def counted(items: Sequence[T], bar: Bar | None) -> Iterator[T]:
    """``items`` one by one, telling ``bar`` (if any) how many have been taken."""
    if bar is None:
        yield from items
        return
    total = len(items)
    for index, item in enumerate(items, start=1):
        yield item
        bar(index, total)
