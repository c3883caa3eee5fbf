"""Placement actions above the cases: the end of a batch's period (extend, retain, recall), and recalling a
selection by hand. Every recall goes through ``cases.services.recall_accounts`` (the case ends, its assignment
closes, the placement record notes the date, the reason and the open promises and arrangements reported to the
creditor); the compliance gate then denies any contact about the case, naming the recall."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from concord.cases import recall_reports
from concord.cases import services as cases
from concord.cases.models import ACTIVE_STATUSES, Case
from concord.core import audit, clock
from concord.creditors import services as creditors
from concord.creditors.models import AccountState, EndAction, Placement, PlacementStatus, RetainWhen
from concord.loans.models import AccountStatus, LoanAccount

RETAIN_KINDS = {RetainWhen.PROMISE: {"promise"}, RetainWhen.ARRANGEMENT: {"arrangement"},
                RetainWhen.EITHER: {"promise", "arrangement"}, RetainWhen.NEVER: set()}
RUNNING_ARRANGEMENT = {"approved", "active"}


def retention_reason(retain_when: str, items: list[dict]) -> str | None:
    """Why a case with these open ``items`` is kept past the period under ``retain_when`` (None: it is not)."""
    kinds = RETAIN_KINDS.get(retain_when, set())
    for item in items:
        if item["kind"] == "promise" and "promise" in kinds:
            return _("承诺还款 ¥%(amount)s，%(due)s 到期，按约定留案") % {"amount": item["amount"], "due": item["due"]}
        if item["kind"] == "arrangement" and "arrangement" in kinds and item["status"] in RUNNING_ARRANGEMENT:
            return _("还款方案履行中（共 ¥%(amount)s，%(months)s 期，已还 ¥%(paid)s），按约定留案") % {
                "amount": item["amount"], "months": item["months"], "paid": item["paid"]}
    return None


@transaction.atomic
def end_period(actor, placement: Placement, *, on: dt.date | None = None) -> dict:
    """The batch's period is over: extend it once by agreement (``end_action`` extend), or return it — the cases
    whose running promise or arrangement the terms keep are retained (留案, with the reason), every other open
    account is recalled (退案). Returns what happened."""
    on = on or clock.today()
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if placement.status != PlacementStatus.ACTIVE:
        raise ValueError(_("该批次已不在案"))
    if placement.end_action == EndAction.EXTEND and not placement.extended_on:
        placement = creditors.extend_placement(actor, placement)
        return {"extended": placement.return_on.isoformat(), "recalled": 0, "retained": 0}
    creditors.register_accounts(actor, placement)
    active = list(Case.objects.filter(placement=placement, status__in=ACTIVE_STATUSES).values_list("id", flat=True))
    items = recall_reports.open_items(active)
    keep: dict[int, str] = {}
    for case_id in active:
        reason = retention_reason(placement.retain_when, items.get(case_id, []))
        if reason:
            keep[case_id] = reason
    kept_accounts = dict(LoanAccount.objects.filter(case_id__in=list(keep)).values_list("id", "case_id"))
    retained = creditors.retain_accounts(actor, placement, {a: keep[c] for a, c in kept_accounts.items()})
    reason = _("委案到期退案（退案日期 %(d)s）") % {"d": placement.return_on}
    accounts = LoanAccount.objects.filter(case__placement=placement, case__status__in=ACTIVE_STATUSES,
                                          status=AccountStatus.OPEN).exclude(case_id__in=list(keep))
    recalled = cases.recall_accounts(actor, accounts, reason=reason, on=on)["cases"] if accounts.exists() else []
    creditors.close_placement(actor, placement, reason=reason, cases=len(recalled), returned=True)
    return {"extended": None, "recalled": len(recalled), "retained": len(keep), "retained_accounts": retained}


@transaction.atomic
def recall_selection(actor, placement: Placement, account_ids, *, reason: str, on: dt.date | None = None) -> dict:
    """Recall chosen accounts of a batch by hand (a manager, for the creditor): the open ones among them."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(_("请填写退案原因"))
    ids = [int(i) for i in account_ids]
    if not ids:
        raise ValueError(_("请选择要退案的借据"))
    accounts = list(LoanAccount.objects.filter(pk__in=ids, placements__placement=placement))
    if len(accounts) != len(set(ids)):
        raise ValueError(_("所选借据不全属于该批次"))
    result = cases.recall_accounts(actor, accounts, reason=reason, on=on)
    audit.record(actor, "placement.recall_selection", placement,
                 {"accounts": sorted(ids), "recalled": len(result["accounts"]), "cases": len(result["cases"]),
                  "reason": reason})
    return result


def due_placements(day: dt.date):
    """Active batches whose return date is before ``day``."""
    return Placement.objects.filter(status=PlacementStatus.ACTIVE, return_on__lt=day).order_by("id")


__all__ = ["end_period", "recall_selection", "due_placements", "retention_reason", "AccountState"]
