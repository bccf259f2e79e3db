"""The annual report's charts as inline SVG, drawn by matplotlib (Agg backend, DejaVu Sans shipped
with matplotlib: no font from the network), like beacon.funding.charts. Deterministic: the same
values give the same bytes (fixed hash salt, no date in the metadata, text kept as text)."""

import io
import re
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

from django.utils.formats import number_format  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

COLOURS = ["#0b5cad", "#f5b301", "#1e7b34", "#98bde3"]
GRID_COLOUR = "#d9dee5"


def _grouped(value: float) -> str:
    """A whole number with the thousands grouped the way the active language writes them
    (2.147 in Dutch, 2 147 in French, 2,147 in English), as the report's tables print them."""
    return number_format(round(value), 0, force_grouping=True)


def year_bars(
    years: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    ids: str = "chart",
) -> str:
    """Vertical bars per year, one bar per (label, values) series side by side, each labelled
    with its value, with a legend when there is more than one series; returns the <svg> element
    (no XML prolog) to inline in a page: it scales to its container, and its internal ids start
    with `ids` so that two charts on one page do not share them."""
    with matplotlib.rc_context(
        {
            "svg.hashsalt": "beacon-report",
            "svg.fonttype": "none",
            "font.family": "DejaVu Sans",
            "font.size": 8,
        }
    ):
        figure = Figure(figsize=(6.4, 2.4))
        axes = figure.add_axes((0.08, 0.12, 0.9, 0.74))
        count = max(len(series), 1)
        width = 0.8 / count
        top = max([v for _label, values in series for v in values] + [1.0])
        for index, (label, values) in enumerate(series):
            offset = (index - (count - 1) / 2) * width
            positions = [i + offset for i in range(len(years))]
            bars = axes.bar(
                positions, values, width=width * 0.92, color=COLOURS[index % len(COLOURS)]
            )
            bars.set_label(label)
            for position, value in zip(positions, values, strict=True):
                axes.text(
                    position,
                    value + top * 0.015,
                    _grouped(value),
                    ha="center",
                    va="bottom",
                    fontsize=6.5,
                )
        axes.set_xticks(range(len(years)), list(years))
        axes.set_ylim(0, top * 1.15)
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: _grouped(v)))
        axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.5)
        axes.set_axisbelow(True)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        axes.tick_params(axis="both", length=0)
        if len(series) > 1:
            figure.legend(
                loc="upper left", ncols=len(series), frameon=False, bbox_to_anchor=(0.07, 1.0)
            )
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 width="100%"', svg, count=1)
    svg = re.sub(r'id="([^"]+)"', rf'id="{ids}-\1"', svg)
    return re.sub(r'(url\(#|xlink:href="#)([^)"]+)', rf"\1{ids}-\2", svg)
