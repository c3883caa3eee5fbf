from decimal import Decimal

from django.utils import translation

from concord.core.charts import stacked_bars


def test_stacked_bars_draw_one_rect_per_nonzero_value_and_escape_labels():
    svg = stacked_bars(["银行<A>", "平台"], [("M1", [Decimal("120000"), 0]), ("M2", [Decimal("5"), Decimal("30000")])],
                       title="余额")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    bars = svg.count("<rect") - 2  # minus the legend swatches
    assert bars == 3
    assert "银行&lt;A&gt;" in svg and "<A>" not in svg


def test_amounts_are_shortened_in_the_users_language():
    with translation.override("zh-hans"):
        assert "12.0万" in stacked_bars(["x"], [("M1", [Decimal("120000")])])
    with translation.override("en"):
        assert "120.0K" in stacked_bars(["x"], [("M1", [Decimal("120000")])])
