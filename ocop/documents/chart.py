"""The progress report's chart: its content as data, and a PNG of it drawn with matplotlib.

A :class:`Chart` holds only words and numbers (panels of labelled bars), so a host can draw
it its own way; :func:`render_png` draws it for the Word and Excel files. matplotlib is
imported inside :func:`render_png`, not before, so the CLI and the library start without it;
it draws with the Agg backend on a figure of its own (no pyplot, so no window and no figure
left open), in DejaVu Sans, which ships with matplotlib and has every Vietnamese letter. The
font is matplotlib's setting for the drawing only (``rc_context``, process-wide while it lasts:
two threads drawing at once with other settings would see each other's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ocop.documents.common import Content

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["Chart", "ChartBar", "ChartPanel", "render_png"]

WIDTH_CM = 16.0
"""The picture's width in the Word file: the text width of an A4 page with 3 and 2 cm margins."""

FONT = "DejaVu Sans"
LEGEND_BAND = 0.6
"""Room above the bars for the legend, in bars."""
COLOURS = ("#1f4e79", "#2e8b57", "#e0a526")
"""One colour per series: the count or target, achieved, in progress."""


@dataclass(frozen=True)
class ChartBar(Content):
    """One labelled group of bars: a value for each series of its panel."""

    label: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class ChartPanel(Content):
    """A panel of horizontal bars: its title, the names of its series, its bars."""

    title: str
    series: tuple[str, ...]
    bars: tuple[ChartBar, ...]
    empty: str
    """Written in the panel when it has no bars."""


@dataclass(frozen=True)
class Chart(Content):
    """The chart of a report: panels one above the other, a caption under them."""

    caption: str
    description: str
    """The chart in words, with its numbers (the picture's alternative text)."""
    panels: tuple[ChartPanel, ...]


def _inch(cm: float) -> float:
    return cm / 2.54


def _panel(ax: Axes, panel: ChartPanel) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.set_title(panel.title, fontsize=10, fontweight="bold", loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not panel.bars:
        ax.set_yticks([])
        ax.set_xticks([])
        ax.text(0.5, 0.5, panel.empty, ha="center", va="center", transform=ax.transAxes)
        return
    count = len(panel.series)
    # A lone series gets thinner bars than a group of three shares.
    height = 0.55 if count == 1 else 0.8 / count
    top = max(max(bar.values, default=0) for bar in panel.bars)
    # The first bar at the top, as the table reads.
    rows = range(len(panel.bars) - 1, -1, -1)
    for n, name in enumerate(panel.series):
        offsets = [row + (count - 1 - 2 * n) * height / 2 for row in rows]
        values = [bar.values[n] for bar in panel.bars]
        drawn = ax.barh(
            offsets, values, height=height * 0.92, color=COLOURS[n % len(COLOURS)], label=name
        )
        ax.bar_label(drawn, padding=2, fontsize=8)
    ax.set_yticks(list(rows), [bar.label for bar in panel.bars], fontsize=9)
    ax.set_xlim(0, max(top, 1) * 1.15)
    ax.tick_params(axis="x", labelsize=8)
    if count > 1:
        # In a band of its own above the first bars, where it can hide none of them.
        ax.set_ylim(-0.5, len(panel.bars) - 0.5 + LEGEND_BAND)
        ax.legend(fontsize=8, loc="upper right", ncol=count, frameon=False)
    else:
        ax.set_ylim(-0.5, len(panel.bars) - 0.5)


def render_png(chart: Chart, *, dpi: int = 200) -> bytes:
    """``chart`` drawn as a PNG :data:`WIDTH_CM` wide at ``dpi`` dots per inch."""
    import io

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not chart.panels:
        raise ValueError("A chart needs at least one panel to draw.")
    rows = [max(len(p.bars) * max(len(p.series), 1), 1) for p in chart.panels]
    # Each panel grows with its bars: 0.5 cm a bar, 2.4 cm for its title and axis.
    heights = [
        2.4 + 0.5 * n + (0.5 if len(p.series) > 1 else 0)
        for n, p in zip(rows, chart.panels, strict=True)
    ]
    with matplotlib.rc_context({"font.family": FONT}):
        figure = Figure(figsize=(_inch(WIDTH_CM), _inch(sum(heights) + 0.8)), dpi=dpi)
        FigureCanvasAgg(figure)
        axes = figure.subplots(len(chart.panels), 1, squeeze=False, height_ratios=heights)
        for ax, panel in zip(axes[:, 0], chart.panels, strict=True):
            _panel(ax, panel)
        figure.tight_layout(h_pad=1.2)
        out = io.BytesIO()
        # No software or date in the file: the same chart gives the same bytes.
        figure.savefig(out, format="png", dpi=dpi, metadata={"Software": None})
    return out.getvalue()
