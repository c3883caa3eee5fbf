"""Exports for creditors: the case list and the activity log (催记), as CSV or XLSX.

Rows stream from the database into :class:`concord.core.spreadsheets.TableWriter`, so a large book does not sit in
memory, and every text cell that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``) is neutralised.
Identity numbers leave only as their last four characters; phones and addresses do not leave at all. Each export
is an audited action (who, what, which filter, how many rows). Row-level access is the caller's queryset
(``visible_cases``): a creditor's user exports only that creditor's cases.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.cases.models import Activity, Case
from concord.core import audit
from concord.core.spreadsheets import TableWriter

FORMATS = ("csv", "xlsx")
PROGRESS_ROWS = 2000


def case_headers() -> list[str]:
    return [_("案件编号"), _("委托方"), _("姓名"), _("证件后四位"), _("账龄"), _("最大逾期天数"), _("欠款总额"),
            _("状态"), _("小组"), _("催收员"), _("立案日期"), _("结案日期")]


def activity_headers() -> list[str]:
    return [_("案件编号"), _("委托方"), _("时间"), _("类型"), _("渠道"), _("方向"), _("结果"), _("结果代码"),
            _("摘要"), _("备注"), _("操作人")]


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


@transaction.atomic
def export_cases(actor, cases, path: Path, fmt: str, *, filters: dict | None = None, progress=None) -> int:
    """Write the cases of ``cases`` (a queryset already restricted to what the actor may see) to ``path``.
    ``progress(rows, total)`` is called every :data:`PROGRESS_ROWS` rows (a job's progress; it may raise to stop)."""
    total = cases.count() if progress else None
    writer = TableWriter(path, fmt, case_headers(), sheet=_("案件"))
    statuses = dict(Case._meta.get_field("status").choices)
    rows = (cases.order_by("creditor__code", "reference")
            .values_list("reference", "creditor__name", "debtor__full_name", "debtor__id_last4", "bucket", "max_dpd",
                         "total_balance", "status", "assigned_team__name", "assigned_collector__username",
                         "opened_on", "closed_on"))
    for ref, creditor, name, last4, bucket, dpd, balance, status, team, collector, opened, closed in rows.iterator(
            chunk_size=2000):
        writer.write([ref, creditor, name, last4, bucket, dpd, balance, str(statuses.get(status, status)),
                      team or "", collector or "", opened, closed])
        if progress and writer.rows % PROGRESS_ROWS == 0:
            progress(writer.rows, total)
    writer.close()
    audit.record(actor, "export.cases", None, {"format": fmt, "rows": writer.rows, "filters": filters or {}},
                 object_type="export", object_id=path.name)
    return writer.rows


@transaction.atomic
def export_activities(actor, cases, path: Path, fmt: str, *, start: dt.date | None = None,
                      end: dt.date | None = None, filters: dict | None = None, progress=None) -> int:
    """Write the activity log of ``cases`` between ``start`` and ``end`` (inclusive, local dates) to ``path``."""
    qs = Activity.objects.filter(case__in=cases)
    if start:
        qs = qs.filter(at__date__gte=start)
    if end:
        qs = qs.filter(at__date__lte=end)
    total = qs.count() if progress else None
    kinds = dict(Activity._meta.get_field("kind").choices)
    directions = dict(Activity._meta.get_field("direction").choices)
    writer = TableWriter(path, fmt, activity_headers(), sheet=_("催记"))
    rows = qs.order_by("at", "id").values_list("case__reference", "case__creditor__name", "at", "kind", "channel",
                                               "direction", "outcome", "result_codes", "summary", "note",
                                               "actor__username")
    for ref, creditor, at, kind, channel, direction, outcome, codes, summary, note, actor_name in rows.iterator(
            chunk_size=2000):
        writer.write([ref, creditor, _local(at), str(kinds.get(kind, kind)), channel,
                      str(directions.get(direction, direction)), outcome, ", ".join(codes or []), summary, note,
                      actor_name or ""])
        if progress and writer.rows % PROGRESS_ROWS == 0:
            progress(writer.rows, total)
    writer.close()
    audit.record(actor, "export.activities", None, {
        "format": fmt, "rows": writer.rows, "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None, "filters": filters or {}}, object_type="export", object_id=path.name)
    return writer.rows
