"""What each report page shows: its sections (a table, a chart, the drill-down of each row), built from the
computations of :mod:`concord.reports.metrics` with names and translated labels. The page, its Excel file and
the e-mailed reports all render these sections."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.creditors.models import Creditor
from concord.staff.models import Team, User

from . import excel
from .metrics import Filters, contact, promises, recovery, rolls
from .tables import yuan

REPORTS = {"recovery": gettext_lazy("回收率"), "roll-rates": gettext_lazy("迁徙率"),
           "promises": gettext_lazy("承诺还款"), "contact": gettext_lazy("联系")}


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | money | rate


@dataclass
class Section:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict]
    chart: dict | None = None
    drill: dict[int, dict] = field(default_factory=dict)  # row index → drill-down parameters
    note: str = ""


def _names(model, ids):
    """Id → what a person reads: people and creditors by name (``str``), never a username or a code."""
    ids = {i for i in ids if i is not None}
    return {o.pk: str(o) for o in model.objects.filter(pk__in=ids)} if ids else {}


def _bars(categories, series, *, percent=False, stack=False, horizontal=False) -> dict:
    axis_cat = {"type": "category", "data": [str(c) for c in categories]}
    if horizontal:      # every name shown, the first row on top (as in the table)
        axis_cat.update(inverse=True, axisLabel={"interval": 0})
    axis_val = {"type": "value"}
    if percent:
        axis_val["axisLabel"] = {"formatter": "{value}%"}
    return {"tooltip": {"trigger": "axis"}, "legend": {"top": 0},
            "grid": {"left": 60, "right": 20, "top": 40, "bottom": 40, "containLabel": True},
            "xAxis": axis_val if horizontal else axis_cat, "yAxis": axis_cat if horizontal else axis_val,
            "series": [{"name": name, "type": kind, "data": data, **({"stack": "s"} if stack else {})}
                       for name, kind, data in series]}


def _pct(r):
    return None if r is None else round(r * 100, 2)


def _drill(what: str, **params) -> dict:
    return {"what": what, **{k: v for k, v in params.items() if v is not None}}


# -- recovery -----------------------------------------------------------------------------------------------------
def recovery_sections(con, start: dt.date, end: dt.date, filters: Filters) -> list[Section]:
    vint = recovery.by_vintage(con, start, end, filters)
    codes = _names(Creditor, [r["creditor_id"] for r in vint])
    rows = [{"creditor": codes.get(r["creditor_id"], r["creditor_id"]), "month": r["month"].strftime("%Y-%m"),
             "accounts": r["accounts"], "placed": yuan(r["placed_fen"]), "recovered": yuan(r["recovered_fen"]),
             "rate": r["rate"], **{f"d{n}": r[f"d{n}_rate"] for n in recovery.POINTS}} for r in vint]
    vintage = Section("vintage", _("按委案月份（账龄曲线）"), [
        Column("creditor", _("委托方")), Column("month", _("委案月份")), Column("accounts", _("账户数"), "int"),
        Column("placed", _("委案金额"), "money"), Column("recovered", _("回收金额"), "money"),
        Column("rate", _("回收率"), "rate"),
        *[Column(f"d{n}", _("%(n)s天回收率") % {"n": n}, "rate") for n in recovery.POINTS]], rows,
        drill={i: _drill("vintage", month=r["month"].isoformat(), creditor=r["creditor_id"]) for i, r in enumerate(vint)},
        note=_("委案金额为账户委案后首个日终的余额；N天回收率在该批次全部账户委案满 N 天后才显示。"))
    vintage.chart = _bars([f"{r['creditor']} {r['month']}" for r in rows],
                          [(_("%(n)s天") % {"n": n}, "line", [_pct(r[f"d{n}"]) for r in rows]) for n in recovery.POINTS]
                          + [(_("至今"), "bar", [_pct(r["rate"]) for r in rows])], percent=True)
    by_bucket = recovery.by_placement_bucket(con, start, end, filters)
    bucket_rows = [{"bucket": r["bucket"], "accounts": r["accounts"], "placed": yuan(r["placed_fen"]),
                    "recovered": yuan(r["recovered_fen"]), "rate": r["rate"],
                    **{f"d{n}": r[f"d{n}_rate"] for n in recovery.POINTS}} for r in by_bucket]
    bucket_section = Section("placement_bucket", _("按委案时账龄"), [
        Column("bucket", _("委案时账龄")), Column("accounts", _("账户数"), "int"),
        Column("placed", _("委案金额"), "money"), Column("recovered", _("回收金额"), "money"),
        Column("rate", _("回收率"), "rate"),
        *[Column(f"d{n}", _("%(n)s天回收率") % {"n": n}, "rate") for n in recovery.POINTS]], bucket_rows,
        drill={i: _drill("placement_bucket", placed_bucket=r["bucket"]) for i, r in enumerate(by_bucket)},
        note=_("委案时账龄为账户委案后首个日终的账龄；期间内委案的账户，回收至期末。"))
    bucket_section.chart = _bars([r["bucket"] for r in bucket_rows],
                                 [(_("%(n)s天") % {"n": n}, "line", [_pct(r[f"d{n}"]) for r in bucket_rows])
                                  for n in recovery.POINTS]
                                 + [(_("至今"), "bar", [_pct(r["rate"]) for r in bucket_rows])], percent=True)
    cash = recovery.cash_by_day(con, start, end, filters)
    cash_section = Section("cash", _("每日回款"), [
        Column("day", _("日期")), Column("recovered", _("回款金额"), "money"), Column("paying", _("还款账户数"), "int")],
        [{"day": r["day"].isoformat(), "recovered": yuan(r["recovered_fen"]), "paying": r["paying_accounts"]}
         for r in cash],
        drill={i: _drill("paying", day=r["day"].isoformat()) for i, r in enumerate(cash) if r["recovered_fen"]})
    cash_section.chart = _bars([r["day"].isoformat() for r in cash],
                               [(_("回款金额"), "bar", [float(yuan(r["recovered_fen"])) for r in cash])])
    out = [vintage, cash_section]
    for by, title, model in (("team_id", _("按小组"), Team), ("collector_id", _("按催收员"), User),
                             ("creditor_id", _("按委托方"), Creditor)):
        raw = recovery.by_owner(con, start, end, by, filters)
        names = _names(model, [r[by] for r in raw])
        section = Section(by.removesuffix("_id"), title, [
            Column("name", _("名称")), Column("accounts", _("账户数"), "int"), Column("held", _("期初持有余额"), "money"),
            Column("recovered", _("期间回款"), "money"), Column("rate", _("回收率"), "rate")],
            [{"name": names.get(r[by], r[by]), "accounts": r["accounts"], "held": yuan(r["held_fen"]),
              "recovered": yuan(r["recovered_fen"]), "rate": r["rate"]} for r in raw],
            drill={i: _drill("paying", **{by.removesuffix("_id"): r[by]}) for i, r in enumerate(raw)})
        section.chart = _bars([str(r["name"]) for r in section.rows],
                              [(_("回收率"), "bar", [_pct(r["rate"]) for r in section.rows])], percent=True)
        out.append(section)
    out.append(bucket_section)
    return out


# -- roll rates ---------------------------------------------------------------------------------------------------
STATE_LABELS = {"paid_off": gettext_lazy("结清"), "recalled": gettext_lazy("退案"), "written_off": gettext_lazy("核销")}


def _state(s):
    return str(STATE_LABELS.get(s, s))


def roll_sections(con, start: dt.date, end: dt.date, filters: Filters) -> list[Section]:
    cells = rolls.matrix(con, start, end, filters)
    matrix = Section("matrix", _("月末迁徙矩阵"), [
        Column("month_end", _("月末")), Column("from", _("月末账龄")), Column("to", _("次月末状态")),
        Column("accounts", _("账户数"), "int"), Column("balance", _("月末余额"), "money"), Column("rate", _("迁徙率"), "rate")],
        [{"month_end": c["month_end"].isoformat(), "from": c["from_bucket"], "to": _state(c["to_bucket"]),
          "accounts": c["accounts"], "balance": yuan(c["balance_fen"]), "rate": c["rate"]} for c in cells],
        drill={i: _drill("roll", month_end=c["month_end"].isoformat(), next=c["next_month_end"].isoformat(),
                         **{"from": c["from_bucket"], "to": c["to_bucket"]}) for i, c in enumerate(cells)},
        note=_("月末为每月最后一个有日终历史的日期；只统计月末未结清的账户。"))
    trend = rolls.trend(cells)
    trend_section = Section("trend", _("迁徙率与回收（治愈）率趋势"), [
        Column("month_end", _("月末")), Column("roll", _("迁徙")), Column("roll_rate", _("迁徙率"), "rate"),
        Column("cure_rate", _("治愈率"), "rate"), Column("accounts", _("账户数"), "int")],
        [{"month_end": t["month_end"].isoformat(), "roll": f"{t['from_bucket']}→{t['to_bucket']}",
          "roll_rate": t["roll_rate"], "cure_rate": t["cure_rate"], "accounts": t["accounts"]} for t in trend])
    months = sorted({t["month_end"] for t in trend})
    rolls_named = sorted({f"{t['from_bucket']}→{t['to_bucket']}" for t in trend})
    lookup = {(t["month_end"], f"{t['from_bucket']}→{t['to_bucket']}"): t["roll_rate"] for t in trend}
    trend_section.chart = _bars([m.isoformat() for m in months],
                                [(r, "line" if len(months) > 1 else "bar", [_pct(lookup.get((m, r))) for m in months])
                                 for r in rolls_named],
                                percent=True)
    flow = rolls.flow_through(cells)
    flow_section = Section("flow", _("核销流转率"), [
        Column("month_end", _("月末")), Column("flow_through", _("M1 流转至 M7+"), "rate"),
        Column("written_off_rate", _("核销率"), "rate")],
        [{"month_end": f["month_end"].isoformat(), "flow_through": f["flow_through"],
          "written_off_rate": f["written_off_rate"]} for f in flow],
        note=_("各账龄逐月迁徙率之积；任一账龄当月无账户时不计算。"))
    return [matrix, trend_section, flow_section]


# -- promises -----------------------------------------------------------------------------------------------------
def _promise_columns(first: Column) -> list[Column]:
    return [first, Column("conversations", _("本人通话"), "int"), Column("made", _("承诺数"), "int"),
            Column("promise_rate", _("承诺率"), "rate"), Column("kept", _("履约"), "int"),
            Column("partial", _("部分履约"), "int"), Column("broken", _("违约"), "int"),
            Column("kept_rate", _("履约率"), "rate"), Column("promised", _("承诺金额"), "money"),
            Column("paid", _("实还金额"), "money")]


def _promise_row(name, r):
    return {"name": name, "conversations": r["conversations"], "made": r["made"], "promise_rate": r["promise_rate"],
            "kept": r["kept"], "partial": r["partial"], "broken": r["broken"], "kept_rate": r["kept_rate"],
            "promised": yuan(r["promised_fen"]), "paid": yuan(r["paid_fen"])}


def promise_sections(con, start: dt.date, end: dt.date, filters: Filters) -> list[Section]:
    raw = promises.by_collector(con, start, end, filters)
    users = _names(User, [r["collector_id"] for r in raw])
    by_collector = Section("collector", _("按催收员"), _promise_columns(Column("name", _("催收员"))),
                           [_promise_row(users.get(r["collector_id"], "—"), r) for r in raw],
                           drill={i: _drill("promises", collector=r["collector_id"]) for i, r in enumerate(raw)
                                  if r["collector_id"]},
                           note=_("履约率 = 期间内到期判定为履约的承诺 ÷ 期间内判定的承诺；承诺率 = 承诺数 ÷ 与本人的通话数。"))
    by_collector.chart = _bars([r["name"] for r in by_collector.rows],
                               [(_("履约"), "bar", [r["kept"] for r in by_collector.rows]),
                                (_("部分履约"), "bar", [r["partial"] for r in by_collector.rows]),
                                (_("违约"), "bar", [r["broken"] for r in by_collector.rows])], stack=True)
    seg = promises.by_segment(con, start, end, filters)
    by_segment = Section("segment", _("按客群"), _promise_columns(Column("name", _("客群"))),
                         [_promise_row(r["segment"] or _("（未分群）"), r) for r in seg])
    return [by_collector, by_segment]


# -- contact ------------------------------------------------------------------------------------------------------
WEEKDAYS = {1: gettext_lazy("周一"), 2: gettext_lazy("周二"), 3: gettext_lazy("周三"), 4: gettext_lazy("周四"),
            5: gettext_lazy("周五"), 6: gettext_lazy("周六"), 7: gettext_lazy("周日")}


def contact_sections(con, start: dt.date, end: dt.date, filters: Filters) -> list[Section]:
    from concord.compliance.models import Channel

    out = []
    labels = dict(Channel.choices)
    for by, title, heading in (("channel", _("按渠道"), _("渠道")), ("hour", _("按时段"), _("时段")),
                               ("weekday", _("按星期"), _("星期"))):
        raw = contact.attempts(con, start, end, by, filters)

        def name(v, by=by):
            return str(labels.get(v, v)) if by == "channel" else f"{v}:00" if by == "hour" else str(WEEKDAYS.get(v, v))
        section = Section(by, title, [
            Column("name", heading), Column("attempts", _("尝试"), "int"),
            Column("connects", _("接通"), "int"), Column("rpc", _("本人接通"), "int"),
            Column("connect_rate", _("接通率"), "rate"), Column("rpc_rate", _("本人接通率"), "rate"),
            Column("conversation_rate", _("每次尝试通话率"), "rate")],
            [{"name": name(r[by]), **{k: r[k] for k in ("attempts", "connects", "rpc", "connect_rate", "rpc_rate",
                                                        "conversation_rate")}} for r in raw],
            drill={i: _drill("contacts", channel=r["channel"]) for i, r in enumerate(raw)} if by == "channel" else {})
        section.chart = _bars([r["name"] for r in section.rows],
                              [(_("尝试"), "bar", [r["attempts"] for r in section.rows]),
                               (_("接通"), "bar", [r["connects"] for r in section.rows]),
                               (_("本人接通"), "bar", [r["rpc"] for r in section.rows])])
        out.append(section)
    den = contact.denials(con, start, end, filters)
    out.append(Section("denials", _("合规闸门拒绝（按规则）"), [Column("rule", _("规则")),
                                                                Column("denials", _("拒绝次数"), "int")], den))
    c = contact.complaints(con, start, end, filters)
    out.append(Section("complaints", _("投诉率"), [
        Column("complaints", _("投诉数"), "int"), Column("contacts", _("联系数"), "int"),
        Column("per_10000", _("每万次联系投诉数"))], [c]))
    return out


BUILDERS = {"recovery": recovery_sections, "roll-rates": roll_sections, "promises": promise_sections,
            "contact": contact_sections}


def sections(name: str, con, start: dt.date, end: dt.date, filters: Filters) -> list[Section]:
    return BUILDERS[name](con, start, end, filters)


def workbook(name: str, con, start: dt.date, end: dt.date, filters: Filters, subtitle: str) -> bytes:
    """The report as the Excel file its page exports (and its subscriptions e-mail)."""
    return excel.workbook(str(REPORTS[name]), subtitle, sections(name, con, start, end, filters))


def drill_query(params: dict, base: dict) -> str:
    return urlencode({**base, **params})
