"""SVG plots of canary vs baseline series: well-formed SVG with axes, legend, title and classification."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from gennaker.canary.plot import Series, nice_ticks, plot_title, render_metric_plot

SVG = "{http://www.w3.org/2000/svg}"


def test_a_plot_has_both_series_axes_legend_and_the_classification() -> None:
    svg = render_metric_plot(
        plot_title("error rate", {"pod": "web-1"}),
        [
            Series("canary (experiment)", [0.08, 0.09, math.nan, 0.085, math.inf], 60_000, "#e8710a"),
            Series("baseline (control)", [0.01, 0.011, 0.012, 0.01, 0.009], 60_000, "#1a73e8"),
        ],
        classification="High",
        reason="error rate was classified as High",
    )
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "error rate {pod=web-1}" in texts
    assert "High" in texts and "error rate was classified as High" in texts
    assert "canary (experiment)" in texts and "baseline (control)" in texts
    assert "time since window start (minutes)" in texts and "value" in texts
    assert "1 infinite value(s) not drawn" in texts
    # the canary breaks at its NaN (a line, then a lone point before the infinity), the baseline is one line
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert len(root.findall(f"{SVG}circle")) == 1
    classification = next(t for t in root.iter(f"{SVG}text") if t.text == "High")
    assert classification.get("fill") == "#d93025"


def test_an_empty_plot_says_no_data() -> None:
    svg = render_metric_plot(
        "m", [Series("canary", [], 1000, "#000"), Series("baseline", [math.nan], 1000, "#111")]
    )
    assert "no data" in [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_nice_ticks_cover_the_range_with_round_numbers() -> None:
    assert [round(t, 9) for t in nice_ticks(0.0, 1.0)] == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    ticks = nice_ticks(0.013, 0.087)
    assert ticks[0] <= 0.013 and ticks[-1] >= 0.087 and len(ticks) <= 8
    assert nice_ticks(5.0, 5.0)[0] < 5.0 < nice_ticks(5.0, 5.0)[-1]
