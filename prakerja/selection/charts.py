"""Server-rendered SVG bar charts for the open statistics of a wave (issue 16, item 5).

No JavaScript and nothing the site's Content-Security-Policy would block: no <script>, no event
handler attributes, no style attributes or <style> elements (only SVG presentation attributes
such as fill=), no external references. The output is deterministic for the same input, so pages
cache and tests compare it.

Layout: one horizontal bar per row, its label on a line above the bar and the displayed value
just after the bar's end, so long labels (province names) stay readable on a 360px-wide phone.
The SVG has width 100% and a viewBox, so it scales with its container; give the container (or the
``bar-chart`` class) a max-width in the site's CSS where a very wide page would enlarge the text.

Suppressed values: a row whose value is ``None`` (a count too small to publish, the caller passes
e.g. "<10" as its display) gets NO bar at all -- any bar length would state a number we chose not
to publish -- only its display text, in a muted italic, where the bar would start.

Accessibility: role="img" with aria-labelledby pointing at the chart's <title> and <desc>; the
<desc> lists every label with its displayed value, so a screen reader gets the whole chart as text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

WIDTH = 400  # viewBox units; on a 360px phone one unit is about 0.9px
PAD = 8
FONT_SIZE = 14
VALUE_FONT_SIZE = 13
CAPTION_HEIGHT = 26  # the value label above the rows
ROW_HEIGHT = 46  # label line + bar + gap
BAR_OFFSET = 20  # from the top of a row to the top of its bar
BAR_HEIGHT = 18
VALUE_GAP = 6  # between a bar's end and its value text
MAX_LABEL_CHARS = 48
BAR_FILL = "#0b5cad"  # the site's --brand colour; white-on-brand and brand-on-white both pass AA

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")

Row = tuple[str, int | None, str]


def _text(value) -> str:
    """Escaped text for an SVG text node or attribute (also drops characters XML forbids)."""
    return escape(_NOT_XML.sub("", str(value)))


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _shorten(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1].rstrip() + "\u2026"


def _default_id(title: str, value_label: str, rows: Sequence[Row]) -> str:
    digest = hashlib.sha256(repr((title, value_label, [tuple(map(str, row)) for row in rows])).encode()).hexdigest()
    return f"chart-{digest[:10]}"


def bar_chart_svg(
    rows: Sequence[Row],
    *,
    title: str,
    value_label: str,
    empty_text: str | None = None,
    chart_id: str | None = None,
) -> SafeString:
    """A horizontal bar chart as inline SVG markup, safe to output in a template.

    ``rows``: (label, value, display) -- value an int >= 0 (the bar length, relative to the largest
    value) or None for a suppressed count (no bar, only ``display``); display is the text shown.
    ``title`` and ``value_label`` (what the numbers count, shown above the bars) name the chart.
    ``empty_text`` is shown when there are no rows (default: "No data"). ``chart_id`` prefixes the
    ids of <title>/<desc>; by default it is derived from the content, so it is stable, and two
    different charts on one page do not share ids.
    """
    rows = [(str(label), value, str(display)) for label, value, display in rows]
    for label, value, _display in rows:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValueError(f"bar value for {label!r} must be a non-negative int or None, got {value!r}")
    title, value_label = str(title), str(value_label)
    cid = _ID_UNSAFE.sub("-", chart_id) if chart_id else _default_id(title, value_label, rows)

    if rows:
        height = CAPTION_HEIGHT + ROW_HEIGHT * len(rows) + PAD
        desc = f"{value_label}. " + "; ".join(f"{label}: {display}" for label, _value, display in rows) + "."
    else:
        height = CAPTION_HEIGHT + ROW_HEIGHT
        empty_text = str(empty_text) if empty_text is not None else gettext("No data")
        desc = f"{value_label}. {empty_text}."

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'class="bar-chart" font-size="{FONT_SIZE}">',
        f'<title id="{cid}-title">{_text(title)}</title>',
        f'<desc id="{cid}-desc">{_text(desc)}</desc>',
        f'<text x="{PAD}" y="{CAPTION_HEIGHT - 10}" fill="currentColor" fill-opacity="0.75" '
        f'font-size="{VALUE_FONT_SIZE}">{_text(value_label)}</text>',
    ]
    if not rows:
        parts.append(
            f'<text x="{PAD}" y="{CAPTION_HEIGHT + BAR_OFFSET + 14}" fill="currentColor" '
            f'font-style="italic">{_text(empty_text)}</text>'
        )
    else:
        longest_display = max(len(display) for _label, _value, display in rows)
        value_room = min(140, max(40, longest_display * 8 + VALUE_GAP + 4))
        bar_room = WIDTH - 2 * PAD - value_room
        largest = max((value for _label, value, _display in rows if value is not None), default=0)
        for index, (label, value, display) in enumerate(rows):
            top = CAPTION_HEIGHT + ROW_HEIGHT * index
            bar_top = top + BAR_OFFSET
            text_y = bar_top + BAR_HEIGHT - 4
            parts.append('<g class="bar-chart-row">')
            parts.append(f"<title>{_text(label)}: {_text(display)}</title>")
            parts.append(f'<text x="{PAD}" y="{top + 14}" fill="currentColor">{_text(_shorten(label))}</text>')
            if value is None:
                parts.append(
                    f'<text x="{PAD}" y="{text_y}" fill="currentColor" fill-opacity="0.75" '
                    f'font-size="{VALUE_FONT_SIZE}" font-style="italic">{_text(display)}</text>'
                )
            else:
                bar_width = bar_room * value / largest if largest else 0
                parts.append(
                    f'<rect x="{PAD}" y="{bar_top}" width="{_num(bar_width)}" height="{BAR_HEIGHT}" fill="{BAR_FILL}"/>'
                )
                parts.append(
                    f'<text x="{_num(PAD + bar_width + VALUE_GAP)}" y="{text_y}" fill="currentColor" '
                    f'font-size="{VALUE_FONT_SIZE}">{_text(display)}</text>'
                )
            parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703 - every text above went through escape()
