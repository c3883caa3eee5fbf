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


def _may_act(actor, creditor, *, agency_only: bool = False) -> None:
    """A creditor's user acts on their own creditor's statements only (and never on the agency's own steps); a
    person of the agency needs the statements capability. A command-line actor (a string) may."""
    from concord.staff.roles import Capability, may

    if not hasattr(actor, "pk"):
        return
    if may(actor, Capability.CREDITOR_PORTAL):
        require(not agency_only and actor.creditor_id == creditor.pk, "creditor",
                _("您只能处理本委托方的对账单"))
        return
    require(may(actor, Capability.STATEMENTS), "actor", _("您无权处理对账单"))


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
    _may_act(actor, statement.creditor, agency_only=True)
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
    _may_act(actor, statement.creditor, agency_only=True)
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


# -- reconciliation ---------------------------------------------------------------------------------------------
@transaction.atomic
def reconcile(actor, creditor, month: dt.date, path, *, file_name: str = "", encoding=None):
    """Compare the creditor's payment file for ``month`` with Concord's payments of the month; store every item."""
    from zoneinfo import ZoneInfo

    from concord.loans.models import Payment

    from .compute import _bounds, next_month
    from .models import Reconciliation, ReconciliationItem
    from .reconcile import Side, pair, read_theirs

    _may_act(actor, creditor)
    month = month_start(month)
    theirs, rejected, count = read_theirs(creditor, path, month, today=clock.today(), encoding=encoding)
    start, end = _bounds(creditor, month, next_month(month))
    zone = ZoneInfo(creditor.time_zone)
    ours = [Side(p.account.reference, p.external_reference, p.paid_at.astimezone(zone).date(), p.amount, p.pk)
            for p in Payment.objects.filter(creditor=creditor, paid_at__gte=start, paid_at__lt=end,
                                            reversed_at__isnull=True).select_related("account").order_by("paid_at")]
    run = Reconciliation.objects.create(creditor=creditor, month=month, file_name=(file_name or str(path))[-200:],
                                        rows=count, rejected=rejected[:1000],
                                        uploaded_by=actor if getattr(actor, "pk", None) else None,
                                        uploaded_at=clock.now())
    items = []
    for p in pair(theirs, ours):
        side = p.theirs or p.ours
        items.append(ReconciliationItem(
            reconciliation=run, kind=p.kind, account_reference=side.account,
            reference=(p.theirs.reference if p.theirs else p.ours.reference)[:100], paid_on=side.day,
            their_amount=p.theirs.amount if p.theirs else None, our_amount=p.ours.amount if p.ours else None,
            payment_id=p.ours.payment_id if p.ours else None, resolved=p.kind == "matched"))
    ReconciliationItem.objects.bulk_create(items)
    counts = {k: sum(1 for i in items if i.kind == k) for k in ("matched", "theirs_only", "ours_only", "amount")}
    audit.record(actor, "statement.reconcile", run, {"month": f"{month:%Y-%m}", "rows": count,
                                                     "rejected": len(rejected), **counts})
    return run


@transaction.atomic
def resolve_difference(actor, item, *, note: str):
    """Close a difference with a note (what was found and done)."""
    from .models import ReconciliationItem
    item = ReconciliationItem.objects.select_for_update().select_related("reconciliation").get(pk=item.pk)
    _may_act(actor, item.reconciliation.creditor)
    note = (note or "").strip()
    require(note, "note", _("请写明处理说明"))
    require(not item.resolved, "item", _("该差异已处理"))
    item.resolved, item.note, item.resolved_at = True, note[:500], clock.now()
    item.resolved_by = actor if getattr(actor, "pk", None) else None
    item.save(update_fields=["resolved", "note", "resolved_at", "resolved_by"])
    audit.record(actor, "statement.resolve", item.reconciliation, {"item": item.pk, "kind": item.kind, "note": note})
    return item


def latest_reconciliation(creditor, month: dt.date):
    from .models import Reconciliation
    return (Reconciliation.objects.filter(creditor=creditor, month=month_start(month))
            .order_by("-uploaded_at", "-id").first())


def open_differences(creditor, month: dt.date):
    """The unresolved differences of the month's latest reconciliation (none when there is none)."""
    run = latest_reconciliation(creditor, month)
    return list(run.items.filter(resolved=False)) if run is not None else []
