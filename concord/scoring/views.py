"""The model registry pages (managers: ``Capability.CONFIGURE``): the list of models, a model's page with its
validation figures, its bins and points (an ECharts chart per characteristic: points and event rate per bin) and
its drift, and the approve / retire buttons (POST, through ``services``)."""
from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from concord.staff.roles import Capability, require_capability

from . import selectors, services
from .models import ModelStatus, ScoringModel

CHARACTERISTICS = {
    "max_dpd": gettext_lazy("最大逾期天数"), "total_balance_fen": gettext_lazy("欠款余额（元）"),
    "paid_90d_fen": gettext_lazy("近 90 天还款（元）"), "kept_promises": gettext_lazy("已兑现承诺数"),
    "broken_promises": gettext_lazy("已违约承诺数"), "conversations_30d": gettext_lazy("近 30 天通话数"),
}
MONEY = {"total_balance_fen", "paid_90d_fen"}
LEFT_OUT = {"constant": gettext_lazy("训练样本中取值不变"), "one_bin": gettext_lazy("只能分成一个箱"),
            "low_iv": gettext_lazy("信息值 %(iv)s 低于 %(min_iv)s"),
            "wrong_sign": gettext_lazy("系数方向与分箱趋势相反（与其他特征共线）")}


def left_out(why: dict) -> str:
    text = str(LEFT_OUT.get(why.get("reason"), why.get("reason", "")))
    return text % why if "%(" in text else text


def _bound(char: str, v) -> str:
    if v is None:
        return ""
    return f"{(Decimal(v) / 100).quantize(Decimal('0.01')):,}" if char in MONEY else str(v)


def bin_label(char: str, lower, upper) -> str:
    """``[lower, upper)`` in words: "< 31", "31 – 60", "≥ 181" (money in yuan)."""
    if lower is None and upper is None:
        return _("全部")
    if lower is None:
        return f"< {_bound(char, upper)}"
    if upper is None:
        return f"≥ {_bound(char, lower)}"
    return f"[{_bound(char, lower)}, {_bound(char, upper)})"


def _chart(char: str, stats: list[dict]) -> str:
    labels = [bin_label(char, s["lower"], s["upper"]) for s in stats]
    option = {
        "tooltip": {"trigger": "axis"}, "legend": {"top": 0},
        "grid": {"left": 50, "right": 50, "top": 40, "bottom": 40, "containLabel": True},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": [{"type": "value", "name": str(_("分值"))},
                  {"type": "value", "name": str(_("事件率")), "axisLabel": {"formatter": "{value}%"}}],
        "series": [{"name": str(_("分值")), "type": "bar", "data": [s["points"] for s in stats]},
                   {"name": str(_("事件率")), "type": "line", "yAxisIndex": 1,
                    "data": [round(s["event_rate"] * 100, 2) for s in stats]}]}
    return json.dumps(option, ensure_ascii=False)


@login_required
def registry(request):
    require_capability(request.user, Capability.CONFIGURE)
    return render(request, "scoring/registry.html", {"models": selectors.registry()})


@login_required
def detail(request, pk: int):
    require_capability(request.user, Capability.CONFIGURE)
    model = get_object_or_404(ScoringModel, pk=pk)
    stats = model.details.get("bin_stats", [])
    chars = []
    for char in model.features:
        rows = [s for s in stats if s["characteristic"] == char]
        chars.append({"name": char, "label": CHARACTERISTICS.get(char, char), "iv": model.details["iv"].get(char),
                      "bins": [{**s, "label": bin_label(char, s["lower"], s["upper"]),
                                "rate_pct": round(s["event_rate"] * 100, 2)} for s in rows],
                      "chart": _chart(char, rows)})
    v = model.validation
    figures = [(_("评分卡 · 训练"), v["scorecard"]["train"]), (_("评分卡 · 留出样本"), v["scorecard"]["holdout"]),
               (_("LightGBM 对照 · 训练"), v["lightgbm"]["train"]),
               (_("LightGBM 对照 · 留出样本"), v["lightgbm"]["holdout"])]
    base = next((b[3] for b in model.bins if b[0] == "base"), 0)
    return render(request, "scoring/detail.html", {
        "model": model, "chars": chars, "figures": figures, "base": base, "drift": selectors.drift_of(model),
        "dropped": [(CHARACTERISTICS.get(k, k), left_out(r)) for k, r in model.details.get("dropped", {}).items()],
        "may_approve": model.status == ModelStatus.DRAFT, "may_retire": model.status != ModelStatus.RETIRED,
        "live": selectors.live(model.target)})


def _act(request, pk: int, action, done: str):
    model = get_object_or_404(ScoringModel, pk=pk)
    try:
        action(request.user, model)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("scoring-model", pk=model.pk)


@login_required
@require_POST
def approve(request, pk: int):
    require_capability(request.user, Capability.CONFIGURE)
    return _act(request, pk, services.approve, _("模型已批准，下一次日终运行起生效。"))


@login_required
@require_POST
def retire(request, pk: int):
    require_capability(request.user, Capability.CONFIGURE)
    return _act(request, pk, services.retire, _("模型已停用。"))
