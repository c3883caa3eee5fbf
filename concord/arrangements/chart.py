"""A small server-rendered SVG: each proposal as a point, monthly amount (x) against total paid (y)."""
from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

from concord.core.charts import PALETTE, _fmt


def proposals_chart(points: list[tuple[str, Decimal, Decimal]], *, cap: Decimal, title: str, x_label: str,
                    y_label: str, cap_label: str, width: int = 520, height: int = 240) -> str:
    """``points`` is [(label, monthly amount, total paid)]; a dashed line marks the monthly cap."""
    left, right, top, bottom = 64, 16, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    x_max = max([p[1] for p in points] + [cap, Decimal(1)]) * Decimal("1.1")
    y_max = max([p[2] for p in points] + [Decimal(1)]) * Decimal("1.05")
    y_min = min([p[2] for p in points] + [y_max]) * Decimal("0.9")  # totals differ by the discounts: zoom in

    def x(v):
        return left + float(Decimal(v) / x_max) * plot_w

    def y(v):
        return top + plot_h - float((Decimal(v) - y_min) / (y_max - y_min or 1)) * plot_h

    parts = [f'<svg class="chart" id="arrangement-chart" role="img" xmlns="http://www.w3.org/2000/svg" '
             f'viewBox="0 0 {width} {height}" width="{width}" '
             f'aria-label="{escape(title)}">',
             f'<text x="0" y="16" font-weight="600">{escape(title)}</text>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#718096"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#718096"/>',
             f'<text x="{left + plot_w / 2:.0f}" y="{height - 6}" text-anchor="middle">{escape(x_label)}</text>',
             f'<text x="4" y="{top + plot_h / 2:.0f}" transform="rotate(-90 12 {top + plot_h / 2:.0f})" '
             f'text-anchor="middle">{escape(y_label)}</text>',
             f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{_fmt(y_max)}</text>',
             f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">{_fmt(y_min)}</text>',
             f'<text x="{left + plot_w}" y="{top + plot_h + 14}" text-anchor="end">{_fmt(x_max)}</text>']
    if cap > 0:
        parts.append(f'<line x1="{x(cap):.1f}" y1="{top}" x2="{x(cap):.1f}" y2="{top + plot_h}" stroke="#c53030" '
                     f'stroke-dasharray="4 3"><title>{escape(cap_label)}: {_fmt(cap)}</title></line>'
                     f'<text x="{x(cap) - 4:.1f}" y="{top + plot_h - 4}" text-anchor="end" fill="#c53030">'
                     f'{escape(cap_label)}</text>')
    for i, (label, monthly, total) in enumerate(points):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<circle cx="{x(monthly):.1f}" cy="{y(total):.1f}" r="6" fill="{colour}">'
                     f'<title>{escape(label)}: {_fmt(monthly)} / {_fmt(total)}</title></circle>'
                     f'<text x="{x(monthly) + 8:.1f}" y="{y(total) + 4:.1f}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
