"""The regulator export: every stored decision of a period (optionally one creditor), as XLSX or CSV.

Cells that a spreadsheet would read as a formula (starting with = + - @, or a tab / carriage return) are
neutralised with a leading apostrophe. Each export is audited.
"""
from __future__ import annotations

import csv
import datetime as dt
import io

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit

from .models import ContactDecision

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def header() -> list[str]:
    return [_("编号"), _("时间"), _("委托方"), _("案件"), _("债务人编号"), _("联系对象"), _("渠道"), _("目的"),
            _("号码（脱敏）"), _("结果"), _("触发规则"), _("原因（中文）"), _("原因（英文）"), _("规则包"),
            _("规则包版本"), _("申请人"), _("联系结果"), _("所查内容")]


def rows(date_from: dt.date, date_to: dt.date, creditor=None):
    qs = (ContactDecision.objects.filter(at__date__gte=date_from, at__date__lte=date_to)
          .select_related("creditor", "case", "actor", "attempt").order_by("at", "id"))
    if creditor is not None:
        qs = qs.filter(creditor=creditor)
    from .models import Channel, Outcome, PartyKind, Purpose
    channels, purposes, parties, outcomes = (dict(Channel.choices), dict(Purpose.choices), dict(PartyKind.choices),
                                             dict(Outcome.choices))
    for d in qs.iterator(chunk_size=2000):
        attempt = getattr(d, "attempt", None)
        # words, not codes: creditors and people by name, channel, purpose, party and outcome by their labels
        yield [d.pk, timezone.localtime(d.at).strftime("%Y-%m-%d %H:%M:%S"), d.creditor.name if d.creditor else "",
               d.case.reference if d.case else "", d.debtor_id, str(parties.get(d.party_kind, d.party_kind)),
               str(channels.get(d.channel, d.channel)), str(purposes.get(d.purpose, d.purpose)), d.number_masked,
               _("允许") if d.allowed else _("拒绝"), " ".join(d.rules), d.reason_zh, d.reason_en, d.pack,
               d.pack_version, str(d.actor) if d.actor else "",
               str(outcomes.get(attempt.outcome, attempt.outcome)) if attempt else "", d.inputs.get("template", "")]


def build(fmt: str, date_from, date_to, creditor=None) -> tuple[bytes, int]:
    data = [header()] + [[neutralise(v) for v in row] for row in rows(date_from, date_to, creditor)]
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf).writerows(data)
        return buf.getvalue().encode("utf-8-sig"), len(data) - 1
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("联系决定"))
    for row in data:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), len(data) - 1


@transaction.atomic
def export_response(actor, *, date_from, date_to, creditor=None, format="xlsx") -> HttpResponse:
    body, count = build(format, date_from, date_to, creditor)
    audit.record(actor, "compliance.export", None, {"from": str(date_from), "to": str(date_to), "rows": count,
                                                    "creditor": creditor.code if creditor else None,
                                                    "format": format}, object_type="compliance.export")
    name = f"contact-decisions-{date_from:%Y%m%d}-{date_to:%Y%m%d}{'-' + creditor.code if creditor else ''}.{format}"
    ctype = "text/csv; charset=utf-8" if format == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
