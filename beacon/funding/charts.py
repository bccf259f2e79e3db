"""Charts of the accounts as inline SVG, drawn by matplotlib (Agg backend, DejaVu Sans shipped
with matplotlib: no font from the network). The output is deterministic: the same shares give
the same bytes (fixed hash salt, no date in the metadata, text kept as text)."""

import io
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

COLOURS = ["#0b5cad", "#3f7fc1", "#6d9fd3", "#98bde3", "#1e7b34", "#5aa36a", "#f5b301", "#c77d00"]
OTHER_COLOUR = "#b9c2cd"


def share_bars(
    items: Sequence[tuple[str, Decimal]],
    *,
    title: str = "",
    muted: Sequence[str] = (),
    ids: str = "chart",
) -> str:
    """Horizontal bars, one per (label, percent) in the order given, each labelled with its
    percentage (labels in `muted`, e.g. "not allocated", in grey); returns the <svg> element
    (no XML prolog) to inline in a page: it scales to its container, and its internal ids
    start with `ids` so that two charts on one page do not share them."""
    with matplotlib.rc_context(
        {
            "svg.hashsalt": "beacon-accounts",
            "svg.fonttype": "none",
            "font.family": "DejaVu Sans",
            "font.size": 9,
        }
    ):
        height = 0.5 + 0.42 * max(len(items), 1)
        figure = Figure(figsize=(6.4, height))
        axes = figure.add_axes((0.44, 0.04, 0.48, 0.92 if not title else 0.84))
        labels = [_wrap(label) for label, _p in items]
        values = [float(p) for _l, p in items]
        colours = [
            OTHER_COLOUR if label in muted else COLOURS[i % len(COLOURS)]
            for i, (label, _p) in enumerate(items)
        ]
        positions = list(range(len(items)))[::-1]
        axes.barh(positions, values, color=colours, height=0.66)
        axes.set_yticks(positions, labels)
        axes.set_xlim(0, max([*values, 1.0]) * 1.18)
        axes.set_xticks([])
        for side in ("top", "right", "bottom"):
            axes.spines[side].set_visible(False)
        axes.tick_params(axis="y", length=0)
        for position, value, (_label, percent) in zip(positions, values, items, strict=True):
            whole = Decimal(percent).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
            axes.text(value, position, f" {whole} %", va="center", ha="left")
        if title:
            figure.suptitle(title, x=0.02, ha="left", fontsize=10, fontweight="bold")
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 width="100%"', svg, count=1)
    svg = re.sub(r'id="([^"]+)"', rf'id="{ids}-\1"', svg)
    return re.sub(r'(url\(#|xlink:href="#)([^)"]+)', rf"\1{ids}-\2", svg)


def _wrap(label: str, width: int = 34) -> str:
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines[:2])
