"""Charts as SVG markup, drawn on the server: no script, no inline style (CSP default-src 'self'), classes only."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from html import escape

from markupsafe import Markup

BAR_H = 26
GAP = 8
LABEL_W = 260
VALUE_W = 110


def hbars(
    title: str, rows: Sequence[tuple[str, float, str]], *, width: int = 760, marked: Collection[str] = ()
) -> Markup:
    """Horizontal bars, one per (label, value, value text); labels in `marked` get the `mark` class."""
    top = 6
    height = top + len(rows) * (BAR_H + GAP) + GAP
    biggest = max((v for _, v, _ in rows), default=0) or 1
    span = width - LABEL_W - VALUE_W
    parts = [_open(width, height, title)]
    for i, (label, value, text) in enumerate(rows):
        y = top + i * (BAR_H + GAP)
        w = max(1.0, span * value / biggest) if value else 0.0
        cls = "bar mark" if label in marked else "bar"
        parts.append(f'<text class="label" x="{LABEL_W - 8}" y="{y + BAR_H * 0.72:.1f}">{escape(label)}</text>')
        parts.append(f'<rect class="{cls}" x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}"/>')
        parts.append(f'<text class="value" x="{LABEL_W + w + 6:.1f}" y="{y + BAR_H * 0.72:.1f}">{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(title: str, rows: Sequence[tuple[str, float]], *, width: int = 760, height: int = 240) -> Markup:
    """Vertical columns with labels underneath (weeks, hours of day)."""
    bottom, top, left = 40, 20, 40
    plot_h = height - bottom - top
    biggest = max((v for _, v in rows), default=0) or 1
    slot = (width - left - 10) / max(1, len(rows))
    parts = [_open(width, height, title)]
    parts.append(f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - 5}" y2="{top + plot_h}"/>')
    parts.append(f'<text class="tick" x="{left - 4}" y="{top + 4}">{_short(biggest)}</text>')
    for i, (label, value) in enumerate(rows):
        h = plot_h * value / biggest
        x = left + i * slot + slot * 0.15
        parts.append(
            f'<rect class="col" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}"/>'
        )
        cx = x + slot * 0.35
        parts.append(f'<text class="xlabel" x="{cx:.1f}" y="{height - bottom + 18}">{escape(label)}</text>')
        if value:
            parts.append(f'<text class="colvalue" x="{cx:.1f}" y="{top + plot_h - h - 4:.1f}">{_short(value)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def shares(title: str, counts: dict[str, int], *, width: int = 760) -> Markup:
    """One stacked bar of shares (text sizes, languages) with a legend; patterns differ, not only colours."""
    total = sum(counts.values()) or 1
    height = 40 + 34 * len(counts)
    parts = [_open(width, height, title)]
    x = 0.0
    for i, (label, n) in enumerate(counts.items()):
        w = (width - 2) * n / total
        parts.append(f'<rect class="share s{i % 4}" x="{x + 1:.1f}" y="2" width="{w:.1f}" height="28"/>')
        x += w
        y = 40 + 34 * i
        parts.append(f'<rect class="share s{i % 4}" x="2" y="{y}" width="24" height="24"/>')
        parts.append(f'<text class="legend" x="34" y="{y + 19}">{escape(label)}: {n} ({n / total:.0%})</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )


def _short(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
