"""Server-rendered SVG charts: no JavaScript, no CDN, readable in any intranet browser."""
from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.translation import get_language

PALETTE = ["#2f855a", "#d69e2e", "#dd6b20", "#c05621", "#c53030", "#9b2c2c", "#742a2a", "#4a5568"]


def _fmt(value: Decimal | int | float) -> str:
    """Short amounts: 1.2万 / 3.4亿 in Chinese, 12.0K / 340.0M in other languages."""
    value = Decimal(value)
    if not (get_language() or "zh").startswith("zh"):
        for size, unit in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
            if value >= size:
                return f"{value / size:.1f}{unit}"
        return f"{value:,.0f}"
    if value >= 100_000_000:
        return f"{value / 100_000_000:.1f}亿"
    if value >= 10_000:
        return f"{value / 10_000:.1f}万"
    return f"{value:,.0f}"


def stacked_bars(categories: list[str], series: list[tuple[str, list]], *, title: str = "",
                 width: int = 640, bar_height: int = 26) -> str:
    """Horizontal stacked bars: one bar per category, one colour per series (e.g. creditor × bucket).

    ``series`` is [(series label, [value per category])]. Returns an SVG string with a legend and totals.
    """
    label_w, pad, top = 120, 60, 24 if title else 6
    totals = [sum((Decimal(s[1][i]) for s in series), Decimal(0)) for i in range(len(categories))]
    peak = max(totals, default=Decimal(0)) or Decimal(1)
    plot_w = width - label_w - pad
    legend_y = top + len(categories) * (bar_height + 8) + 8
    height = legend_y + 20 * ((len(series) + 3) // 4) + 8
    parts = [f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="100%" aria-label="{escape(title)}">']
    if title:
        parts.append(f'<text x="0" y="14" font-weight="600">{escape(title)}</text>')
    for i, category in enumerate(categories):
        y = top + i * (bar_height + 8)
        parts.append(f'<text x="0" y="{y + bar_height * 0.68:.0f}">{escape(category)}</text>')
        x = Decimal(label_w)
        for j, (name, values) in enumerate(series):
            value = Decimal(values[i])
            if value <= 0:
                continue
            w = value / peak * plot_w
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" '
                         f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(category)} · {escape(name)}: '
                         f'{_fmt(value)}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + bar_height * 0.68:.0f}">{_fmt(totals[i])}</text>')
    for j, (name, _values) in enumerate(series):
        lx, ly = label_w + (j % 4) * 120, legend_y + (j // 4) * 20
        parts.append(f'<rect x="{lx}" y="{ly}" width="10" height="10" fill="{PALETTE[j % len(PALETTE)]}"/>'
                     f'<text x="{lx + 14}" y="{ly + 9}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
