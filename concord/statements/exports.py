"""A statement as Excel (XLSX) and as PDF (the letters' CJK fonts embedded), in the reader's language."""
from __future__ import annotations

import io

from django.utils.translation import gettext as _

from concord.core.spreadsheets import neutralise
from concord.loans.models import PaymentChannel
from concord.outreach.letters import render_table_pdf

from .compute import Line, Summary
from .labels import rule_label
from .models import LineKind


def headers() -> list[str]:
    return [_("借据号"), _("还款日期"), _("金额"), _("渠道"), _("收款方"), _("类型"), _("佣金"), _("计佣规则")]


def _row(line: Line) -> list:
    channel = PaymentChannel(line.channel).label if line.channel in PaymentChannel.values else line.channel
    return [line.account, line.paid_on.isoformat(), line.amount, str(channel),
            _("委托方直收") if line.direct else _("本机构代收"), str(LineKind(line.kind).label), line.commission, rule_label(line.rule)]


def summary_rows(summary: Summary) -> list[tuple[str, object]]:
    return [(_("还款笔数"), summary.payments), (_("回收金额"), summary.collected),
            (_("调整金额"), summary.adjustments), (_("佣金合计"), summary.commission),
            (_("应汇委托方"), summary.remit)]


def title(creditor, month, status_label: str) -> str:
    return _("%(creditor)s %(month)s 回款对账单（%(status)s）") % {
        "creditor": creditor.name, "month": f"{month:%Y-%m}", "status": status_label}


def xlsx(creditor, month, status_label: str, lines: list[Line], summary: Summary) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = f"{month:%Y-%m}"
    sheet.append([title(creditor, month, status_label)])
    sheet.append([])
    sheet.append(headers())
    for line in lines:
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in _row(line)])
    sheet.append([])
    for label, value in summary_rows(summary):
        sheet.append([label, value])
    for row in sheet.iter_rows():
        for cell in row:
            if hasattr(cell.value, "as_tuple"):      # Decimal → number with two places
                cell.value = float(cell.value)
                cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(creditor, month, status_label: str, lines: list[Line], summary: Summary, *, open_items: int = 0) -> bytes:
    rows = [[str(c if not hasattr(c, "as_tuple") else f"{c:,.2f}") for c in _row(line)] for line in lines]
    footer = [f"{label}：{value:,.2f}" if hasattr(value, "as_tuple") else f"{label}：{value}"
              for label, value in summary_rows(summary)]
    if open_items:
        footer.append(_("对账差异未解决：%(n)s 项") % {"n": open_items})
    return render_table_pdf(title=title(creditor, month, status_label), lines=[
        _("委托方：%(c)s　月份：%(m)s") % {"c": creditor.name, "m": f"{month:%Y-%m}"}], headers=headers(), rows=rows,
        footer=footer)
