"""Charts drawn on the server as SVG: a page that shows them needs no script and no chart library
from outside (the center's network often reaches no internet, and the CSP allows no inline style).

Colours are SVG presentation attributes (`fill`), not `style=`; each chart is an `<svg role="img">`
with a `<title>` and each mark has its own `<title>` (the value on hover and to screen readers).
The page shows the same figures as a table beside the chart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 28, 56
# Distinguishable for the common colour-vision deficiencies (Okabe and Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def _nice_top(value: float) -> float:
    """The axis's top: 1, 2 or 5 times a power of ten, at or above `value`."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _frame(title: str, top: float, fmt: Callable[[float], str]) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="chart" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#ccc" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{escape(fmt(value))}</text>"
        )
    return parts


def stacked_bars(
    title: str,
    categories: Sequence[str],
    series: dict[str, Sequence[int]],
    *,
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
) -> Markup:
    """One bar per category (a month), stacked by series (a department), with a legend."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    # Counts: a top divisible by the four grid steps keeps every tick a whole number.
    top = 4 * math.ceil(_nice_top(max(totals, default=0)) / 4)
    parts = _frame(title, top, fmt)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(categories), 1)
    bar = min(slot * 0.7, 48)
    for i, category in enumerate(categories):
        x = LEFT + slot * i + (slot - bar) / 2
        base = 0
        for colour, (name, values) in zip(PALETTE * 4, series.items(), strict=False):
            if not values[i]:
                continue
            h = plot_h * values[i] / top
            y = TOP + plot_h - plot_h * base / top - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(category)} {escape(name)}: {escape(fmt(values[i]))}</title></rect>"
            )
            base += values[i]
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="11">{escape(category)}</text>'
        )
    legend_x = LEFT
    for colour, name in zip(PALETTE * 4, series, strict=False):
        parts.append(
            f'<rect x="{legend_x}" y="{HEIGHT - 22}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{legend_x + 14}" y="{HEIGHT - 13}" font-size="11">{escape(name)}</text>'
        )
        legend_x += 14 + 12 * len(name) + 16
    if not categories:
        parts.append(_empty())
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())


def line(
    title: str,
    points: Sequence[tuple[str, int]],
    *,
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
) -> Markup:
    """A value over time (deposits outstanding at the end of each week), with a dot per point."""
    top = _nice_top(max((v for _, v in points), default=0))
    parts = _frame(title, top, fmt)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)
    coordinates = [
        (LEFT + step * i, TOP + plot_h - plot_h * value / top) for i, (_, value) in enumerate(points)
    ]
    if len(coordinates) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>')
    every = max(1, math.ceil(len(points) / 8))
    for i, ((label, value), (x, y)) in enumerate(zip(points, coordinates, strict=True)):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}: {escape(fmt(value))}</title></circle>"
        )
        if i % every == 0 or i == len(points) - 1:
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                f'font-size="11">{escape(label)}</text>'
            )
    if not points:
        parts.append(_empty())
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())


def _empty() -> str:
    return (
        f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="13">'
        "暂无数据 / no data</text>"
    )
