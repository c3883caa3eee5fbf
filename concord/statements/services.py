"""Statement actions: approve (freezes the lines and totals), query with a comment, close, and the remittance.

The order: a month is approved only when every earlier statement of the creditor that exists is frozen (so each
adjustment has exactly one next statement to land in), and only a month that has ended. Closing needs approval.
A creditor's user approves or queries only their creditor's statements; a manager approves and closes."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from concord.core import audit, clock
from concord.core.services import require

from .compute import compute_lines, month_end, month_start, summarize
from .models import FROZEN, Remittance, Statement, StatementLine, StatementStatus


def _statement(creditor, month: dt.date) -> Statement:
    statement, _created = Statement.objects.select_for_update().get_or_create(creditor=creditor,
                                                                               month=month_start(month))
    return statement


def _may_act(actor, creditor) -> None:
    own = getattr(actor, "creditor_id", None)
    if getattr(actor, "role", None) == "creditor_viewer":
        require(own == creditor.pk, "creditor", _("您只能处理本委托方的对账单"))


@transaction.atomic
def approve(actor, creditor, month: dt.date) -> Statement:
    """Approve the month's statement: its lines and totals are stored and never change again."""
    _may_act(actor, creditor)
    month = month_start(month)
    require(month_end(month) < clock.today(), "month", _("该月尚未结束，不能确认对账单"))
    statement = _statement(creditor, month)
    require(not statement.frozen, "status", _("该对账单已确认，不能再次确认"))
    earlier = Statement.objects.filter(creditor=creditor, month__lt=month).exclude(status__in=FROZEN)
    require(not earlier.exists(), "month", _("请先确认之前月份的对账单：%(m)s") % {
        "m": "、".join(f"{s.month:%Y-%m}" for s in earlier)})
    later = Statement.objects.filter(creditor=creditor, month__gt=month, status__in=FROZEN)
    require(not later.exists(), "month", _("之后月份的对账单已确认，本月不能再确认"))
    lines = compute_lines(creditor, month)
    StatementLine.objects.bulk_create([StatementLine(
        statement=statement, payment_id=l.payment_id, kind=l.kind, account_reference=l.account, paid_on=l.paid_on,
        amount=l.amount, channel=l.channel, direct=l.direct, commission=l.commission, rule=l.rule[:120],
        placement_id=l.placement_id) for l in lines])
    totals = summarize(lines).as_json()
    statement.status, statement.totals = StatementStatus.APPROVED, totals
    statement.approved_by = actor if getattr(actor, "pk", None) else None
    statement.approved_at = clock.now()
    statement.save()
    audit.record(actor, "statement.approve", statement, {"month": f"{month:%Y-%m}", "lines": len(lines), **totals})
    return statement


@transaction.atomic
def query(actor, creditor, month: dt.date, *, comment: str) -> Statement:
    """The creditor questions the month's statement (it stays open until approved)."""
    _may_act(actor, creditor)
    comment = (comment or "").strip()
    require(comment, "comment", _("请写明疑问"))
    require(len(comment) <= 2000, "comment", _("疑问不能超过 2000 个字符"))
    statement = _statement(creditor, month)
    require(not statement.frozen, "status", _("该对账单已确认，不能再提出疑问"))
    statement.status, statement.query_comment = StatementStatus.QUERIED, comment
    statement.queried_by = actor if getattr(actor, "pk", None) else None
    statement.queried_at = clock.now()
    statement.save()
    audit.record(actor, "statement.query", statement, {"month": f"{statement.month:%Y-%m}", "comment": comment})
    return statement


@transaction.atomic
def close(actor, statement: Statement) -> Statement:
    """Close an approved statement (关账)."""
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    require(statement.status == StatementStatus.APPROVED, "status", _("只有已确认的对账单可以关账"))
    statement.status, statement.closed_at = StatementStatus.CLOSED, clock.now()
    statement.closed_by = actor if getattr(actor, "pk", None) else None
    statement.save(update_fields=["status", "closed_at", "closed_by"])
    audit.record(actor, "statement.close", statement, {"month": f"{statement.month:%Y-%m}"})
    return statement


@transaction.atomic
def record_remittance(actor, statement: Statement, *, amount, reference: str, paid_on: dt.date,
                      note: str = "") -> Remittance:
    """The agency's transfer to the creditor for an approved statement, with its bank reference."""
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    require(statement.frozen, "status", _("请先确认对账单，再登记汇款"))
    reference = (reference or "").strip()
    require(reference, "reference", _("请填写汇款流水号"))
    require(not statement.remittances.filter(reference=reference).exists(), "reference",
            _("流水号 %(r)s 已登记") % {"r": reference})
    amount = Decimal(str(amount))
    require(amount > 0, "amount", _("汇款金额必须大于 0"))
    remittance = Remittance.objects.create(statement=statement, amount=amount, reference=reference, paid_on=paid_on,
                                           note=(note or "").strip()[:200],
                                           recorded_by=actor if getattr(actor, "pk", None) else None,
                                           recorded_at=clock.now())
    audit.record(actor, "statement.remit", statement, {"amount": str(amount), "reference": reference,
                                                       "paid_on": paid_on.isoformat()})
    return remittance


def remitted(statement: Statement) -> Decimal:
    return sum((r.amount for r in statement.remittances.all()), Decimal("0.00"))
