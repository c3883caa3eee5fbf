"""Creditor actions: set up a creditor with its products, change product rules, place and recall batches."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from concord.core import audit, clock
from concord.core.services import changed, save_validated, snapshot
from concord.loans.allocation import DEFAULT_WATERFALL

from .models import Creditor, Placement, PlacementStatus, Product, ProductKind

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


@transaction.atomic
def create_placement(actor, creditor: Creditor, *, reference: str, placed_on: dt.date, return_on: dt.date,
                     commission_terms: dict | None = None) -> Placement:
    placement = save_validated(Placement(creditor=creditor, reference=reference, placed_on=placed_on,
                                         return_on=return_on, commission_terms=commission_terms or {}))
    audit.record(actor, "placement.create", placement, {"reference": reference, "placed_on": placed_on,
                                                          "return_on": return_on})
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
