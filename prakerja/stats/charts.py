"""A server-rendered SVG line chart of daily (weekly, monthly) counts for the statistics (OPS-3).

Why not pygal or another charting library: they put a <style> element (and pygal a <script>) in
their SVG, which the site's Content-Security-Policy blocks when the SVG is inline, and the
charts would render unstyled or not at all. So, like ``selection.charts`` (whose bar chart the
statistics reuse for per-province and per-reason bars), this module writes the SVG itself under
the same rules: no <script>, no event handlers, no style attributes or <style> elements (only
presentation attributes such as stroke= and fill=), no external references; deterministic output
for the same input, so pages cache and tests compare it.

Layout: one line per series over a shared y axis that starts at 0, a legend above the plot (a
line sample in the series' colour and dash pattern, and its label, so the series differ by more
than colour), three labels on the x axis (first, middle, last period) and the largest value on
the y axis. With few points each value also gets a dot. width="100%" and a viewBox, so it scales
on a 360px phone.

Accessibility: role="img" with aria-labelledby pointing at the chart's <title> and <desc>; the
<desc> lists every series with its total and each period's value, so a screen reader gets the
whole chart as text (the page's table has the same numbers).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from prakerja.selection.charts import _ID_UNSAFE, _num, _text

WIDTH = 400
HEIGHT = 250
PAD = 8
FONT_SIZE = 14
LEGEND_ROW = 20
PLOT_LEFT = 44  # room for the y labels
PLOT_RIGHT = WIDTH - PAD
AXIS_LABEL_ROOM = 22  # below the plot
DOTS_UP_TO = 31  # points; more, and the dots would merge into the line
# The brand blue first; then colours that keep 3:1 against white, each with its own dash pattern.
STYLES = [("#0b5cad", ""), ("#b3261e", "6 3"), ("#1e7b34", "2 3"), ("#6b3fa0", "8 3 2 3")]


def _default_id(title: str, labels: Sequence[str], series) -> str:
    digest = hashlib.sha256(repr((title, list(labels), [(name, list(values)) for name, values in series]))
                            .encode()).hexdigest()
    return f"series-{digest[:10]}"


def _int(value: int) -> str:
    """12345 as "12.345", Indonesian style."""
    return f"{value:,}".replace(",", ".")


def _short(value: int) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}".rstrip("0").rstrip(".") + " jt"
    if value >= 10_000:
        return f"{value / 1_000:.0f} rb"
    return _int(value)


def line_chart_svg(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    value_label: str,
    empty_text: str | None = None,
    chart_id: str | None = None,
) -> SafeString:
    """Lines over periods as inline SVG markup, safe to output in a template.

    ``labels``: one text a period (e.g. "5 Mei 2026"); ``series``: (name, one int >= 0 a period),
    at most four. ``value_label`` says what the numbers count. ``empty_text`` is shown when there
    is no period or every value is 0 (default: "No data").
    """
    labels = [str(label) for label in labels]
    series = [(str(name), [int(v) for v in values]) for name, values in series]
    if len(series) > len(STYLES):
        raise ValueError(f"at most {len(STYLES)} series")
    for name, values in series:
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} periods")
        if any(v < 0 for v in values):
            raise ValueError(f"series {name!r} has a negative value")
    title, value_label = str(title), str(value_label)
    cid = _ID_UNSAFE.sub("-", chart_id) if chart_id else _default_id(title, labels, series)
    largest = max((max(values, default=0) for _name, values in series), default=0)
    empty = not labels or largest == 0
    empty_text = str(empty_text) if empty_text is not None else gettext("No data")

    if empty:
        desc = f"{value_label}. {empty_text}."
    else:
        parts = []
        for name, values in series:
            points = ", ".join(f"{label}: {_int(value)}" for label, value in zip(labels, values, strict=True))
            parts.append(f"{name} ({gettext('total')} {_int(sum(values))}): {points}")
        desc = f"{value_label}. " + "; ".join(parts) + "."

    legend_height = LEGEND_ROW * max(1, len(series)) + 6
    top = legend_height + 8
    bottom = HEIGHT - AXIS_LABEL_ROOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'class="line-chart" font-size="{FONT_SIZE}">',
        f'<title id="{cid}-title">{_text(title)}</title>',
        f'<desc id="{cid}-desc">{_text(desc)}</desc>',
    ]
    for n, (name, values) in enumerate(series):
        colour, dash = STYLES[n]
        y = PAD + LEGEND_ROW * n + 9
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{PAD}" y1="{y}" x2="{PAD + 26}" y2="{y}" stroke="{colour}" stroke-width="3"'
                   f'{dash_attr}/>')
        out.append(f'<text x="{PAD + 32}" y="{y + 4}" fill="currentColor">{_text(name)} '
                   f'({_text(_short(sum(values)))})</text>')
    # Axes: a baseline at 0 and a faint line at the largest value.
    out.append(f'<line x1="{PLOT_LEFT}" y1="{bottom}" x2="{PLOT_RIGHT}" y2="{bottom}" stroke="currentColor" '
               f'stroke-opacity="0.6"/>')
    out.append(f'<text x="{PLOT_LEFT - 4}" y="{bottom + 4}" fill="currentColor" fill-opacity="0.75" '
               f'text-anchor="end">0</text>')
    if empty:
        out.append(f'<text x="{PLOT_LEFT + 8}" y="{(top + bottom) // 2}" fill="currentColor" '
                   f'font-style="italic">{_text(empty_text)}</text>')
    else:
        out.append(f'<line x1="{PLOT_LEFT}" y1="{top}" x2="{PLOT_RIGHT}" y2="{top}" stroke="currentColor" '
                   f'stroke-opacity="0.2"/>')
        out.append(f'<text x="{PLOT_LEFT - 4}" y="{top + 4}" fill="currentColor" fill-opacity="0.75" '
                   f'text-anchor="end">{_text(_short(largest))}</text>')
        count = len(labels)
        step = (PLOT_RIGHT - PLOT_LEFT) / (count - 1) if count > 1 else 0

        def x_of(i: int) -> float:
            return PLOT_LEFT + step * i if count > 1 else (PLOT_LEFT + PLOT_RIGHT) / 2

        def y_of(v: int) -> float:
            return bottom - (bottom - top) * v / largest

        for i in sorted({0, (count - 1) // 2, count - 1}):
            anchor = "start" if i == 0 and count > 1 else "end" if i == count - 1 and count > 1 else "middle"
            out.append(f'<text x="{_num(x_of(i))}" y="{HEIGHT - 6}" fill="currentColor" fill-opacity="0.75" '
                       f'text-anchor="{anchor}">{_text(labels[i])}</text>')
        for n, (name, values) in enumerate(series):
            colour, dash = STYLES[n]
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<g class="line-chart-series"><title>{_text(name)}</title>')
            if count > 1:
                points = " ".join(f"{_num(x_of(i))},{_num(y_of(v))}" for i, v in enumerate(values))
                out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5" '
                           f'stroke-linejoin="round"{dash_attr}/>')
            if count <= DOTS_UP_TO:
                for i, v in enumerate(values):
                    out.append(f'<circle cx="{_num(x_of(i))}" cy="{_num(y_of(v))}" r="3" fill="{colour}">'
                               f'<title>{_text(name)}, {_text(labels[i])}: {_int(v)}</title></circle>')
            out.append("</g>")
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703 - every text above went through _text()
