"""The scorecard's sections (the reports' ``pages.Section``): the lines with each measure's value and score, and the
counts they were made of; the chart shows each total as the sum of its weighted parts."""
from __future__ import annotations

from django.utils.translation import gettext as _

from concord.reports.pages import Column, Section, _bars
from concord.reports.tables import yuan

from .labels import measure_labels
from .scorecard import MEASURES

RATE_MEASURES = {"recovery", "promise_kept", "denials"}


def sections(lines, level: str, weights: dict) -> list[Section]:
    labels = measure_labels()
    name = _("催收员") if level == "collector" else _("小组")
    cols = [Column("rank", _("排名"), "int"), Column("name", name), Column("total", _("综合得分"), "number")]
    for m in MEASURES:
        cols.append(Column(m, f"{labels[m]}", "rate" if m in RATE_MEASURES else "number"))
        cols.append(Column(f"{m}_score", _("%(m)s 得分（权重 %(w)s）") % {"m": labels[m], "w": weights.get(m, 0)},
                           "number"))
    rows = []
    for ln in lines:
        row = {"rank": ln.rank, "name": ln.name, "total": ln.total, "key": ln.key,
               "missing": [str(labels[m]) for m in ln.missing]}
        for m in MEASURES:
            row[m] = ln.values.get(m)
            row[f"{m}_score"] = ln.scores.get(m)
        rows.append(row)
    drill = {i: {"key": ln.key} for i, ln in enumerate(lines)}
    main = Section("lines", _("平衡计分卡"), cols, rows, note=_(
        "各指标换算为 0–100 分后按权重加权：回收率以同组最佳者为 100；承诺履约率×100；投诉、闸门拒绝和质检违规以同组最差者为 0、"
        "为零者为 100；质检平均分原样计入。无数据的指标记 50 分（中位）。"), drill=drill)
    total_weight = sum(weights.get(m, 0) for m in MEASURES) or 1
    main.chart = _bars([r["name"] for r in rows],
                       [(str(labels[m]), "bar", [round(weights.get(m, 0) * r[f"{m}_score"] / total_weight, 2)
                                                 for r in rows]) for m in MEASURES], stack=True, horizontal=True)
    count_cols = [Column("name", name), Column("recovered", _("期间回款"), "money"),
                  Column("held", _("期初持有余额"), "money"), Column("resolved", _("到期判定承诺"), "int"),
                  Column("kept", _("履约"), "int"), Column("contacts", _("联系数"), "int"),
                  Column("complaints", _("投诉与异议"), "int"), Column("requests", _("联系申请"), "int"),
                  Column("denials", _("闸门拒绝"), "int"), Column("reviews", _("质检次数"), "int"),
                  Column("breaches", _("质检违规"), "int")]
    counts = Section("counts", _("指标明细"), count_cols, [
        {"name": ln.name, "key": ln.key, "recovered": yuan(ln.counts["recovered_fen"]),
         "held": yuan(ln.counts["held_fen"]),
         **{k: ln.counts[k] for k in ("resolved", "kept", "contacts", "complaints", "requests", "denials", "reviews",
                                      "breaches")}} for ln in lines], drill=drill)
    return [main, counts]
