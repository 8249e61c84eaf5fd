"""Server-side SVG charts (trading/portal/oversight_charts.py): the marks say the figures they draw,
and nothing in them needs a style attribute, a script or an outside request."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from trading.portal.oversight_charts import line, stacked_bars

SVG = "{http://www.w3.org/2000/svg}"


def test_stacked_bars_are_as_tall_as_their_counts_and_say_them():
    svg = stacked_bars(
        "预警（按部门、月份）",
        ["2026-01", "2026-02"],
        {"城投集团": [2, 0], "人民医院": [1, 4]},
    )
    root = ET.fromstring(str(svg))
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    titles = [r.find(f"{SVG}title").text for r in bars]
    assert titles == ["2026-01 城投集团: 2", "2026-01 人民医院: 1", "2026-02 人民医院: 4"]
    heights = [float(r.get("height")) for r in bars]
    assert abs(heights[0] - 2 * heights[1]) < 0.2 and abs(heights[2] - 4 * heights[1]) < 0.2
    assert root.get("role") == "img" and root.find(f"{SVG}title").text == "预警（按部门、月份）"


def test_a_line_has_a_dot_per_point_higher_for_more():
    svg = line("保证金余额", [("11-02", 0), ("11-09", 50_000), ("11-16", 20_000)], fmt=lambda v: f"{v:,.0f}")
    root = ET.fromstring(str(svg))
    dots = list(root.iter(f"{SVG}circle"))
    assert [d.find(f"{SVG}title").text for d in dots] == ["11-02: 0", "11-09: 50,000", "11-16: 20,000"]
    ys = [float(d.get("cy")) for d in dots]
    assert ys[1] < ys[2] < ys[0]


def test_charts_carry_no_style_script_or_outside_reference_and_escape_names():
    for svg in (
        stacked_bars("t", ["m"], {"<b>&": [1]}),
        line("t", [("a", 1), ("b", 2)]),
        line("t", []),
        stacked_bars("t", [], {}),
    ):
        text = str(svg)
        assert "style=" not in text and "<script" not in text and "href" not in text
        assert "<b>" not in text
        ET.fromstring(text)
    assert "no data" in str(line("t", []))


def test_warnings_are_counted_per_department_and_local_month():
    import datetime as dt
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from trading.oversight.dashboard import warnings_per_department_month

    zone = ZoneInfo("Asia/Shanghai")

    def card(raised_at: str, department: str) -> SimpleNamespace:
        return SimpleNamespace(
            warning=SimpleNamespace(raised_at=dt.datetime.fromisoformat(raised_at)),
            step=SimpleNamespace(department=department),
        )

    views = [
        card("2026-10-31T17:00:00+00:00", "人民医院"),  # 1 November in Shanghai
        card("2026-11-15T02:00:00+00:00", "人民医院"),
        card("2026-11-20T02:00:00+00:00", "城投集团"),
        card("2026-12-01T02:00:00+00:00", "城投集团"),
        card("2026-12-01T03:00:00+00:00", "城投集团"),
        card("2026-08-01T02:00:00+00:00", "城投集团"),  # before the window
    ]
    now = dt.datetime(2026, 12, 1, 10, tzinfo=zone)
    months, counts = warnings_per_department_month(views, zone, months=3, now=now)
    assert months == ["2026-10", "2026-11", "2026-12"]
    assert counts == {"城投集团": [0, 1, 2], "人民医院": [0, 2, 0]}
