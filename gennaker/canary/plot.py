"""SVG plots of canary versus baseline series: what people look at to read a canary.

Who calls it: :mod:`gennaker.canary.report` (through ``CanaryService.metric_plot_svg``); the UI embeds the SVG
and the CLI saves it. Pure functions, standard library only: the SVG is built as text.

One plot per metric series: x is the time since each side's window start (the baseline window may be
offset), y the metric value; both series are drawn as lines broken at NaN (infinite values are left out and
counted in a note), with labelled axes (1-2-5 "nice" ticks), a legend (canary orange, baseline blue), the
metric name and tags as the title, and the classification as a coloured label (High/Low red, Pass green,
anything else grey) with the reason below it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 64, 56
CANARY_COLOUR = "#e8710a"
BASELINE_COLOUR = "#1a73e8"
LABEL_COLOURS = {"High": "#d93025", "Low": "#d93025", "Pass": "#188038"}


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]
    step_ms: int
    colour: str


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering ``[low, high]``."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    if high <= low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks: list[float] = []
    value = first
    while value <= high + step * 1e-9 and len(ticks) < 50:
        ticks.append(round(value, 12))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 12))
    return ticks


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e5 or magnitude < 1e-3:
        return f"{value:.2e}"
    return f"{value:.6g}"


def _time_unit(total_ms: float) -> tuple[float, str]:
    if total_ms >= 2 * 3_600_000:
        return 3_600_000, "hours"
    if total_ms >= 2 * 60_000:
        return 60_000, "minutes"
    return 1000, "seconds"


def render_metric_plot(
    title: str,
    series: Sequence[Series],
    *,
    classification: str | None = None,
    reason: str | None = None,
) -> str:
    """The SVG document of one metric's series."""
    finite = [v for s in series for v in s.values if math.isfinite(v)]
    skipped = sum(1 for s in series for v in s.values if math.isinf(v))
    durations = [max(0, len(s.values) - 1) * max(1, s.step_ms) for s in series]
    total_ms = max(durations or [0]) or 1000
    unit_ms, unit = _time_unit(total_ms)
    y_ticks = nice_ticks(min(finite), max(finite)) if finite else [0.0, 1.0]
    x_ticks = nice_ticks(0.0, total_ms / unit_ms)
    y_low, y_high = y_ticks[0], y_ticks[-1]
    x_high = x_ticks[-1] or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + plot_w * (x / x_high)

    def py(y: float) -> float:
        span = (y_high - y_low) or 1.0
        return TOP + plot_h * (1 - (y - y_low) / span)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="20" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    if classification:
        colour = LABEL_COLOURS.get(classification, "#5f6368")
        out.append(
            f'<text x="{WIDTH - RIGHT}" y="20" text-anchor="end" font-size="14" font-weight="bold" '
            f'fill="{colour}" class="classification">{escape(classification)}</text>'
        )
    if reason:
        out.append(f'<text x="{LEFT}" y="38" fill="#5f6368">{escape(reason)}</text>')
    for tick in y_ticks:
        y = py(tick)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#e0e0e0"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(_fmt(tick))}</text>')
    for tick in x_ticks:
        x = px(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="{TOP + plot_h}" x2="{x:.1f}" y2="{TOP + plot_h + 4}" stroke="#333"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{escape(_fmt(tick))}</text>'
        )
    out.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#333"/>'
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#333"/>'
    )
    out.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 12}" text-anchor="middle">'
        f"time since window start ({unit})</text>"
    )
    out.append(
        f'<text transform="translate(16 {TOP + plot_h / 2:.1f}) rotate(-90)" '
        'text-anchor="middle">value</text>'
    )
    for s in series:
        segments: list[list[str]] = [[]]
        for i, value in enumerate(s.values):
            if not math.isfinite(value):
                if segments[-1]:
                    segments.append([])
                continue
            x = i * max(1, s.step_ms) / unit_ms
            segments[-1].append(f"{px(x):.1f},{py(value):.1f}")
        for points in segments:
            if len(points) == 1:
                cx, cy = points[0].split(",")
                out.append(f'<circle cx="{cx}" cy="{cy}" r="2" fill="{s.colour}"/>')
            elif points:
                out.append(
                    f'<polyline fill="none" stroke="{s.colour}" stroke-width="1.5" '
                    f'points="{" ".join(points)}"/>'
                )
    legend_x = LEFT + 8
    for i, s in enumerate(series):
        y = TOP + 14 + i * 16
        out.append(
            f'<line x1="{legend_x}" y1="{y - 4}" x2="{legend_x + 18}" y2="{y - 4}" '
            f'stroke="{s.colour}" stroke-width="3"/>'
        )
        out.append(f'<text x="{legend_x + 24}" y="{y}">{escape(s.label)}</text>')
    if not finite:
        out.append(
            f'<text x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" '
            'fill="#5f6368">'
            "no data</text>"
        )
    if skipped:
        out.append(
            f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 12}" text-anchor="end" fill="#5f6368">'
            f"{skipped} infinite value(s) not drawn</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


def plot_title(name: str, tags: Mapping[str, str]) -> str:
    if not tags:
        return name
    return name + " {" + ", ".join(f"{k}={v}" for k, v in sorted(tags.items())) + "}"
