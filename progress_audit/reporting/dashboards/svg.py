"""Charts as inline SVG, drawn in Python (图表): nothing to load, nothing from a CDN.

Every label is escaped (`markupsafe.escape`): unit names came from workbooks. Text uses the
CJK font stack, so Chinese labels render with the fonts the office's computers have.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from progress_audit.model.wording import amount_label, figure_label, percent_label

FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif"


def _num(x: float) -> str:
    return figure_label(x, 1)


def _text(
    x: float,
    y: float,
    label: str,
    *,
    anchor: str = "start",
    size: int = 12,
    fill: str = "#222",
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}" font-weight="{weight}">{escape(label)}</text>'
    )


def _axis(value: float) -> tuple[int, int]:
    """A round top for a count axis and its number of whole-number ticks: 2 → (2, 2),
    7 → (10, 5), 38 → (40, 4), 233 → (250, 5)."""
    if value <= 5:
        top = max(1, int(-(-value // 1)))
        return top, top
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 5:
            top = int(-(-value // step) * step)
            return top, top // step
    return int(value) + 1, 1


def stacked_bars(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    *,
    width: int = 900,
    height: int = 360,
    unit: str = "",
) -> Markup:
    """Vertical stacked bars: one bar per category (month), one segment per series (status).

    `series` is (label, colour, values per category). Segments show their count when tall
    enough; the legend names every series, so the chart reads in black and white too.
    """
    left, right, top, bottom = 48, 16, 40, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s[2][i] for s in series) for i in range(len(categories))]
    top_value, ticks = _axis(max(totals, default=0))
    parts = [_text(left, 22, title, size=15, weight="bold")]
    for k in range(ticks + 1):
        v = top_value * k / ticks
        y = top + plot_h - plot_h * k / ticks
        parts.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}" '
            f'stroke="#ddd" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y + 4, _num(v), anchor="end", size=11, fill="#555"))
    n = max(len(categories), 1)
    slot = plot_w / n
    bar = min(64.0, slot * 0.6)
    for i, cat in enumerate(categories):
        x = left + slot * i + (slot - bar) / 2
        y = top + plot_h
        for label, colour, values in series:
            v = values[i]
            if v <= 0:
                continue
            h = plot_h * v / top_value
            y -= h
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(bar)}" height="{_num(h)}" '
                f'fill="{colour}"><title>{escape(f"{cat} {label}：{_num(v)}{unit}")}</title></rect>'
            )
            if h >= 14:
                parts.append(
                    _text(
                        x + bar / 2, y + h / 2 + 4, _num(v), anchor="middle", size=11, fill="#fff"
                    )
                )
        parts.append(_text(x + bar / 2, top + plot_h + 16, cat, anchor="middle", size=12))
        parts.append(
            _text(x + bar / 2, y - 4, _num(totals[i]), anchor="middle", size=11, fill="#555")
        )
    lx, ly = left, height - 18
    for label, colour, _ in series:
        parts.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(lx + 16, ly, label, size=12))
        lx += 16 + 14 * len(label) + 18
    return _svg(title, width, height, parts)


def horizontal_bars(
    title: str,
    bars: Sequence[tuple[str, float | None]],
    *,
    width: int = 900,
    maximum: float = 1.0,
    percent: bool = True,
    colour_of: Mapping[str, str] | None = None,
) -> Markup:
    """One horizontal bar per label (unit), value 0..maximum, the figure at the bar's end.

    None is drawn as a dash ("—", nothing to show). Bars are coloured by value (red, amber,
    green) unless `colour_of` names a colour per label.
    """
    row_h, left, right, top = 22, 190, 70, 56
    height = top + row_h * len(bars) + 16
    plot_w = width - left - right
    parts = [_text(8, 22, title, size=15, weight="bold")]
    for k in range(5):
        x = left + plot_w * k / 4
        parts.append(
            f'<line x1="{_num(x)}" y1="{top - 6}" x2="{_num(x)}" y2="{height - 12}" '
            f'stroke="#e4e4e4" stroke-width="1"/>'
        )
        tick = maximum * k / 4
        shown = percent_label(tick, 0) if percent else _num(tick)
        parts.append(_text(x, top - 10, shown, anchor="middle", size=11, fill="#555"))
    for i, (label, value) in enumerate(bars):
        y = top + row_h * i
        parts.append(_text(left - 8, y + 15, label, anchor="end", size=12))
        if value is None:
            parts.append(_text(left + 4, y + 15, "—", size=12, fill="#777"))
            continue
        share = max(0.0, min(1.0, value / maximum)) if maximum else 0.0
        colour = (colour_of or {}).get(label) or score_colour(share, strong=True)
        w = plot_w * share
        shown = percent_label(value, 0) if percent else _num(value)
        parts.append(
            f'<rect x="{left}" y="{y + 3}" width="{_num(max(w, 1.5))}" height="{row_h - 6}" '
            f'fill="{colour}"><title>{escape(f"{label}：{shown}")}</title></rect>'
        )
        parts.append(_text(left + w + 6, y + 15, shown, size=12))
    return _svg(title, width, height, parts)


def horizontal_stacked_bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    *,
    width: int = 900,
    unit: str = "",
) -> Markup:
    """One horizontal bar per label (unit), one segment per series (dimension), a legend."""
    row_h, left, right, top = 22, 190, 60, 76
    height = top + row_h * len(labels) + 16
    plot_w = width - left - right
    totals = [sum(s[2][i] for s in series) for i in range(len(labels))]
    top_value, ticks = _axis(max(totals, default=0))
    parts = [_text(8, 22, title, size=15, weight="bold")]
    lx = left
    for label, colour, _ in series:
        parts.append(f'<rect x="{lx}" y="32" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(lx + 16, 43, label, size=12))
        lx += 16 + 14 * len(label) + 18
    for k in range(ticks + 1):
        x = left + plot_w * k / ticks
        parts.append(
            f'<line x1="{_num(x)}" y1="{top - 6}" x2="{_num(x)}" y2="{height - 12}" '
            f'stroke="#e4e4e4" stroke-width="1"/>'
        )
        parts.append(
            _text(x, top - 10, _num(top_value * k / ticks), anchor="middle", size=11, fill="#555")
        )
    for i, label in enumerate(labels):
        y = top + row_h * i
        parts.append(_text(left - 8, y + 15, label, anchor="end", size=12))
        x = float(left)
        for name, colour, values in series:
            v = values[i]
            if v <= 0:
                continue
            w = plot_w * v / top_value
            tip = escape(f"{label} {name}：{_num(v)}{unit}")
            parts.append(
                f'<rect x="{_num(x)}" y="{y + 3}" width="{_num(w)}" height="{row_h - 6}" '
                f'fill="{colour}"><title>{tip}</title></rect>'
            )
            if w >= 14:
                parts.append(
                    _text(x + w / 2, y + 15, _num(v), anchor="middle", size=11, fill="#fff")
                )
            x += w
        parts.append(_text(x + 6, y + 15, _num(totals[i]), size=12))
    return _svg(title, width, height, parts)


def score_colour(score: float | None, *, strong: bool = False) -> str:
    """Red → amber → green for a 0..1 score (the heat map's cell colour); grey when None."""
    if score is None:
        return "#eeeeee"
    hue = 120 * max(0.0, min(1.0, score)) ** 2  # stay red-amber until well up the scale
    return f"hsl({hue:.0f},{'60%' if strong else '70%'},{'45%' if strong else '82%'})"


def count_colour(count: int) -> str:
    """The heat map's colour for a number of problems: none green, a few amber, many red."""
    if count <= 0:
        return "hsl(120,55%,85%)"
    if count <= 2:
        return "hsl(45,90%,80%)"
    if count <= 5:
        return "hsl(25,90%,75%)"
    return "hsl(0,75%,75%)"


def _svg(title: str, width: int, height: int, parts: Sequence[str]) -> Markup:
    body = "".join(parts)
    return Markup(
        f'<svg class="chart" role="img" '
        f'aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" font-family="{FONT}">{body}</svg>'
    )


def progress_line(
    title: str,
    actual: Mapping[int, float],
    expected: Mapping[int, float],
    target: float,
    *,
    uom: str = "",
    counted: bool = False,
    width: int = 440,
    height: int = 210,
) -> Markup:
    """A year's cumulative figure by month (1–12) against the 序时进度 line and the target:
    the figure solid blue with its points, 序时进度 dashed grey, the target a dotted line. The
    latest figure is written at its point; a legend names the lines (readable in grey print).
    `counted`: the figure counts whole things, so 序时进度 is said whole (约 3 所)."""
    left, right, top, bottom = 52, 14, 30, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max([target, *actual.values(), *expected.values(), 0.0])
    top_value, ticks = _axis(highest)

    def x(month: int) -> float:
        return left + plot_w * (month - 0.5) / 12

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / top_value

    parts = [_text(left, 18, title, size=13, weight="bold")]
    for k in range(ticks + 1):
        v = top_value * k / ticks
        parts.append(
            f'<line x1="{left}" y1="{_num(y(v))}" x2="{width - right}" y2="{_num(y(v))}" '
            f'stroke="#e4e4e4" stroke-width="1"/>'
        )
        parts.append(
            _text(left - 5, y(v) + 4, figure_label(v, 0), anchor="end", size=10, fill="#555")
        )
    for month in range(1, 13):
        parts.append(
            _text(x(month), top + plot_h + 14, f"{month}月", anchor="middle", size=10, fill="#555")
        )
    parts.append(
        f'<line x1="{left}" y1="{_num(y(target))}" x2="{width - right}" y2="{_num(y(target))}" '
        f'stroke="#1b5e20" stroke-width="1.2" stroke-dasharray="2 3"/>'
    )
    parts.append(
        _text(
            width - right,
            y(target) - 4,
            f"全年目标 {figure_label(target, 0)}",
            anchor="end",
            size=10,
            fill="#1b5e20",
        )
    )

    def path(points: Mapping[int, float]) -> str:
        return " ".join(f"{_num(x(m))},{_num(y(v))}" for m, v in sorted(points.items()))

    if expected:
        parts.append(
            f'<polyline points="{path(expected)}" fill="none" stroke="#777" stroke-width="2" '
            f'stroke-dasharray="6 4"/>'
        )
    if actual:
        parts.append(
            f'<polyline points="{path(actual)}" fill="none" stroke="#1f5fa8" stroke-width="2.5"/>'
        )
        for m, v in sorted(actual.items()):
            tip = escape(
                f"{m}月 累计完成 {figure_label(v)}{uom}；序时进度 "
                f"{amount_label(expected.get(m), uom, counted) or '—'}"
            )
            parts.append(
                f'<circle cx="{_num(x(m))}" cy="{_num(y(v))}" r="3.5" fill="#1f5fa8">'
                f"<title>{tip}</title></circle>"
            )
        last = max(actual)
        parts.append(
            _text(
                x(last) + 6,
                y(actual[last]) - 6,
                figure_label(actual[last]),
                size=11,
                fill="#1f5fa8",
                weight="bold",
            )
        )
    ly = height - 8
    parts.append(
        f'<line x1="{left}" y1="{ly - 4}" x2="{left + 22}" y2="{ly - 4}" '
        f'stroke="#1f5fa8" stroke-width="2.5"/>'
    )
    parts.append(_text(left + 26, ly, "本年累计完成", size=10))
    parts.append(
        f'<line x1="{left + 110}" y1="{ly - 4}" x2="{left + 132}" y2="{ly - 4}" '
        f'stroke="#777" stroke-width="2" stroke-dasharray="6 4"/>'
    )
    parts.append(_text(left + 136, ly, "序时进度", size=10))
    return _svg(title, width, height, parts)
