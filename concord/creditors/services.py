"""Creditor actions: set up a creditor with its products, change product rules, place and recall batches."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from concord.core import audit, clock
from concord.core.services import changed, save_validated, snapshot
from concord.loans.allocation import DEFAULT_WATERFALL

from .models import (AccountState, Creditor, EndAction, Placement, PlacementAccount, PlacementStatus, Product,
                     ProductKind)

#: Starting rules for the two product kinds; an operator edits them per creditor.
DEFAULT_PRODUCTS = {
    ProductKind.CREDIT_CARD: dict(code="card", name="信用卡", penalty_daily_rate=Decimal("0.0005"),
                                  late_fee=Decimal("0"), total_cost_cap_rate=Decimal("0.24"),
                                  min_payment_rate=Decimal("0.10"), min_payment_floor=Decimal("0")),
    ProductKind.ONLINE_LOAN: dict(code="loan", name="网贷", penalty_daily_rate=Decimal("0.0005"),
                                  late_fee=Decimal("0"), total_cost_cap_rate=Decimal("0.24"), grace_days=3),
}
PRODUCT_FIELDS = ["name", "penalty_daily_rate", "compound_on_interest", "grace_days", "late_fee",
                  "total_cost_cap_rate", "waterfall", "min_payment_rate", "min_payment_floor", "promise_grace_days"]


@transaction.atomic
def add_creditor(actor, *, code: str, name: str, kind: str, policy_pack: str, currency: str = "CNY",
                 time_zone: str = "Asia/Shanghai", default_products: bool = True) -> Creditor:
    creditor = save_validated(Creditor(code=code, name=name, kind=kind, policy_pack=policy_pack,
                                       currency=currency, time_zone=time_zone))
    audit.record(actor, "creditor.add", creditor, {"code": code, "name": name, "kind": kind,
                                                    "policy_pack": policy_pack})
    if default_products:
        for product_kind, rules in DEFAULT_PRODUCTS.items():
            add_product(actor, creditor, kind=product_kind, **rules)
    return creditor


@transaction.atomic
def set_contact_sharing(actor, creditor: Creditor, *, allow: bool) -> Creditor:
    """Whether the contact details this creditor supplied may serve the same person's cases of other creditors (those
    must allow it too; ``compliance.provenance``). Off by default: an agency processes each creditor's data for it."""
    creditor = Creditor.objects.select_for_update().get(pk=creditor.pk)
    before = creditor.share_contact_points
    creditor.share_contact_points = bool(allow)
    creditor.save(update_fields=["share_contact_points"])
    audit.record(actor, "creditor.sharing", creditor, {"share_contact_points": [before, creditor.share_contact_points]})
    return creditor


@transaction.atomic
def add_product(actor, creditor: Creditor, *, kind: str, code: str, name: str, **rules) -> Product:
    rules.setdefault("waterfall", list(DEFAULT_WATERFALL))
    product = save_validated(Product(creditor=creditor, kind=kind, code=code, name=name, **rules))
    audit.record(actor, "product.add", product, {"creditor": creditor.code, "code": code, "kind": kind})
    return product


@transaction.atomic
def update_product(actor, product: Product, **changes) -> Product:
    unknown = set(changes) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    before = snapshot(product, changes)
    for field, value in changes.items():
        setattr(product, field, value)
    save_validated(product)
    audit.record(actor, "product.update", product, changed(before, snapshot(product, changes)))
    return product


TERM_FIELDS = ["return_on", "period_days", "end_action", "extension_days", "retain_when", "policy_pack",
               "commission_terms"]


@transaction.atomic
def create_placement(actor, creditor: Creditor, *, reference: str, placed_on: dt.date, return_on: dt.date | None = None,
                     commission_terms: dict | None = None, period_days: int | None = None,
                     end_action: str = EndAction.RECALL, extension_days: int = 0, retain_when: str | None = None,
                     policy_pack: str = "", products=()) -> Placement:
    """A placement batch with its terms: the period (``period_days`` gives the return date when ``return_on`` is not
    given), what happens at its end, the commission terms and the retention condition (the creditor's defaults when
    not given), the policy pack (the creditor's when blank) and the products it covers."""
    if return_on is None:
        if not period_days:
            raise ValueError(_("须填写退案日期或委案期限"))
        return_on = placed_on + dt.timedelta(days=period_days)
    placement = save_validated(Placement(
        creditor=creditor, reference=reference, placed_on=placed_on, return_on=return_on,
        commission_terms=creditor.commission_terms if commission_terms is None else commission_terms,
        period_days=period_days, end_action=end_action, extension_days=extension_days,
        retain_when=retain_when or creditor.retain_when, policy_pack=policy_pack))
    _set_products(placement, products)
    audit.record(actor, "placement.create", placement, {
        "reference": reference, "placed_on": placed_on, "return_on": return_on, "period_days": period_days,
        "end_action": end_action, "extension_days": extension_days, "retain_when": placement.retain_when,
        "policy_pack": policy_pack, "commission_terms": placement.commission_terms,
        "products": sorted(p.code for p in placement.products.all())})
    return placement


def _set_products(placement: Placement, products) -> None:
    products = list(products)
    foreign = [p for p in products if p.creditor_id != placement.creditor_id]
    if foreign:
        raise ValueError(_("产品 %(p)s 不属于该委托方") % {"p": ", ".join(p.code for p in foreign)})
    placement.products.set(products)


@transaction.atomic
def set_placement_terms(actor, placement: Placement, *, products=None, **changes) -> Placement:
    """Change a batch's terms (validated, audited with before and after)."""
    unknown = set(changes) - set(TERM_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    before = snapshot(placement, changes)
    for field, value in changes.items():
        setattr(placement, field, value)
    save_validated(placement)
    diff = changed(before, snapshot(placement, changes))
    if products is not None:
        was = sorted(p.code for p in placement.products.all())
        _set_products(placement, products)
        now = sorted(p.code for p in placement.products.all())
        if was != now:
            diff["products"] = [was, now]
    audit.record(actor, "placement.terms", placement, diff)
    return placement


@transaction.atomic
def set_creditor_terms(actor, creditor: Creditor, *, commission_terms: dict | None = None,
                       retain_when: str | None = None) -> Creditor:
    """The creditor's default commission terms and retention condition (new batches take them)."""
    creditor = Creditor.objects.select_for_update().get(pk=creditor.pk)
    fields = {k: v for k, v in (("commission_terms", commission_terms), ("retain_when", retain_when)) if v is not None}
    before = snapshot(creditor, fields)
    for field, value in fields.items():
        setattr(creditor, field, value)
    save_validated(creditor)
    audit.record(actor, "creditor.terms", creditor, changed(before, snapshot(creditor, fields)))
    return creditor


@transaction.atomic
def register_accounts(actor, placement: Placement, *, references=None) -> int:
    """Record each account of the batch's cases not yet recorded (those of ``references`` only, when given), with its
    balance and bucket now (at placement). Returns how many were added. Called when a placement file or a placement
    by hand lands accounts in the batch."""
    from concord.loans.models import LoanAccount

    accounts = LoanAccount.objects.filter(case__placement=placement)
    if references is not None:
        accounts = accounts.filter(creditor_id=placement.creditor_id, reference__in=list(references))
    known = set(PlacementAccount.objects.filter(placement=placement, account__in=accounts)
                .values_list("account_id", flat=True))
    rows = []
    parts = ("principal_balance", "interest_balance", "penalty_balance", "fees_balance")
    for account in accounts.only("id", "bucket", *parts):
        if account.pk not in known:
            rows.append(PlacementAccount(placement=placement, account=account, balance=account.total_balance,
                                         bucket=account.bucket))
    PlacementAccount.objects.bulk_create(rows, batch_size=1000)
    if rows:
        audit.record(actor, "placement.accounts", placement, {"added": len(rows)})
    return len(rows)


def mark_recalled(placement_ids, account_ids, *, reason: str, on: dt.date, open_items: dict | None = None) -> int:
    """The recorded accounts among ``account_ids`` leave their active batches: recalled on ``on`` for ``reason``,
    with the open promises and arrangements of each (``open_items``: account id → list), in the caller's
    transaction (``cases.services.recall_accounts`` audits the recall)."""
    open_items = open_items or {}
    rows = list(PlacementAccount.objects.select_for_update().filter(
        account_id__in=list(account_ids), state__in=[AccountState.PLACED, AccountState.RETAINED],
        **({"placement_id__in": list(placement_ids)} if placement_ids is not None else {})))
    for row in rows:
        row.state, row.recalled_on, row.recall_reason = AccountState.RECALLED, on, reason[:200]
        row.open_items = open_items.get(row.account_id, [])
    PlacementAccount.objects.bulk_update(rows, ["state", "recalled_on", "recall_reason", "open_items"])
    return len(rows)


@transaction.atomic
def retain_accounts(actor, placement: Placement, reasons: dict[int, str]) -> int:
    """Keep accounts (account id → why) past the batch's end by agreement (留案)."""
    rows = list(PlacementAccount.objects.select_for_update().filter(placement=placement, account_id__in=list(reasons),
                                                                   state=AccountState.PLACED))
    for row in rows:
        row.state, row.retained_reason = AccountState.RETAINED, reasons[row.account_id][:300]
    PlacementAccount.objects.bulk_update(rows, ["state", "retained_reason"])
    if rows:
        audit.record(actor, "placement.retain", placement,
                     {"accounts": {str(r.account_id): r.retained_reason for r in rows}})
    return len(rows)


@transaction.atomic
def extend_placement(actor, placement: Placement) -> Placement:
    """Extend a batch by its agreed extension (按约定延期), once."""
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if placement.status != PlacementStatus.ACTIVE:
        raise ValueError(_("该批次已不在案"))
    if placement.end_action != EndAction.EXTEND or not placement.extension_days or placement.extended_on:
        raise ValueError(_("该批次没有可用的延期约定"))
    before = placement.return_on
    placement.return_on = placement.extended_on = before + dt.timedelta(days=placement.extension_days)
    placement.save(update_fields=["return_on", "extended_on"])
    audit.record(actor, "placement.extend", placement, {"return_on": [before.isoformat(), placement.return_on.isoformat()]})
    return placement


@transaction.atomic
def close_placement(actor, placement: Placement, *, reason: str, cases: int, returned: bool = False) -> Placement:
    """Mark a batch recalled (撤案), or returned at its return date (退案, ``returned``) —
    ``cases.services.recall_placement`` recalls its accounts and cases and calls this in the same transaction."""
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if placement.status != PlacementStatus.ACTIVE:
        raise ValueError(_("该批次已不在案，无法撤案"))
    status = PlacementStatus.RETURNED if returned else PlacementStatus.RECALLED
    placement.status, placement.recalled_at, placement.recall_reason = status, clock.now(), reason
    placement.save(update_fields=["status", "recalled_at", "recall_reason"])
    audit.record(actor, "placement.return" if returned else "placement.recall", placement,
                 {"reason": reason, "cases": cases})
    return placement
