"""Who may grant what: a creditor's arrangement policy and its approval limits per role."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from concord.core import audit
from concord.core.services import require, save_validated
from concord.staff.roles import APPROVAL_LADDER, Capability, Role, may

from . import calculator
from .models import DEFAULT_LIMITS, ApprovalLimit, ArrangementPolicy

#: Beyond the house's ladder of authority (``staff.roles.APPROVAL_LADDER``) the creditor decides.
CREDITOR = "creditor"


#: The borrower's own choice in the self-service portal is confirmed at once within the authority of the lowest rung
#: of the ladder (what the house lets a collector grant without anyone's approval: by default no discount);
#: beyond it the arrangement waits in the approvals queue like any other.
AUTOMATIC_ROLE = APPROVAL_LADDER[0]


def automatic_limit(creditor) -> Decimal:
    return limit_for(creditor, AUTOMATIC_ROLE)


def policy_row(creditor) -> ArrangementPolicy:
    row = ArrangementPolicy.objects.filter(creditor=creditor).first()
    return row or ArrangementPolicy(creditor=creditor)


def limits(creditor) -> dict[str, Decimal]:
    """Each role's discount limit for this creditor: the configured rows over the defaults."""
    out = dict(DEFAULT_LIMITS)
    out.update({row.role: row.max_discount_rate for row in ApprovalLimit.objects.filter(creditor=creditor)})
    return out


def limit_for(creditor, role: str) -> Decimal:
    return limits(creditor).get(role, Decimal("0"))


def house_limit(creditor, table: dict | None = None) -> Decimal:
    """The largest discount anyone in the house may grant on this creditor's cases (the authority available)."""
    table = table if table is not None else limits(creditor)
    return max((table.get(role, Decimal("0")) for role in (*APPROVAL_LADDER, Role.ADMIN)), default=Decimal("0"))


def calculator_policy(creditor, table: dict | None = None, *,
                      strategy: calculator.StrategyOffer | None = None) -> calculator.Policy:
    """The creditor's terms for the calculator, with the strategy's offer bounds for the case when given (both apply:
    ``calculator.bounds``)."""
    row = policy_row(creditor)
    return calculator.Policy(income_share=row.income_share, max_discount_rate=house_limit(creditor, table),
                             max_months=row.max_months, settlement_max_months=row.settlement_max_months,
                             strategy=strategy)


def required_role(creditor, discount: Decimal, balance: Decimal, table: dict | None = None) -> str:
    """The lowest role whose limit covers ``discount`` on ``balance``; ``"creditor"`` beyond the house's authority.
    ``table``: the creditor's limits when the caller already holds them."""
    table = table if table is not None else limits(creditor)
    for role in APPROVAL_LADDER:
        if calculator.within_limit(discount, balance, table.get(role, Decimal("0"))):
            return role
    return CREDITOR


def _rate(field: str, value, *, allow_one: bool = False) -> Decimal:
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        rate = None
    require(rate is not None and rate.is_finite(), field, _("必须是数字（如 0.10 表示 10%）"))
    if allow_one:
        require(Decimal("0") < rate <= Decimal("1"), field, _("必须大于 0 且不超过 1"))
    else:
        require(Decimal("0") <= rate < Decimal("1"), field, _("必须在 0 到 1 之间（不含 1）"))
    require(rate == rate.quantize(Decimal("0.0001")), field, _("最多四位小数"))
    return rate


@transaction.atomic
def set_approval_limit(actor, creditor, *, role: str, max_discount_rate) -> ApprovalLimit:
    """Set one role's discount limit for a creditor (managers and admins)."""
    require(may(actor, Capability.CONFIGURE), "actor",
            _("只有经理或管理员可以设置审批权限"))
    require(role in Role.values, "role", _("未知角色：%(r)s") % {"r": role})
    rate = _rate("max_discount_rate", max_discount_rate)
    row, _created = ApprovalLimit.objects.get_or_create(creditor=creditor, role=role,
                                                        defaults={"max_discount_rate": rate})
    before = row.max_discount_rate if not _created else None
    row.max_discount_rate = rate
    save_validated(row)
    audit.record(actor, "arrangement.limit", row, {"creditor": creditor.code, "role": role,
                                                    "max_discount_rate": [before, str(rate)]})
    return row


@transaction.atomic
def set_policy(actor, creditor, *, income_share=None, max_months=None, settlement_max_months=None,
               grace_days=None) -> ArrangementPolicy:
    """Change a creditor's arrangement terms; fields left None keep their value."""
    require(may(actor, Capability.CONFIGURE), "actor",
            _("只有经理或管理员可以设置还款方案政策"))
    row = ArrangementPolicy.objects.select_for_update().filter(creditor=creditor).first() or \
        ArrangementPolicy(creditor=creditor)
    before = {f: str(getattr(row, f)) for f in ("income_share", "max_months", "settlement_max_months", "grace_days")}
    if income_share is not None:
        row.income_share = _rate("income_share", income_share, allow_one=True)
    if max_months is not None:
        row.max_months = max_months
    if settlement_max_months is not None:
        row.settlement_max_months = settlement_max_months
    if grace_days is not None:
        row.grace_days = grace_days
    save_validated(row)
    after = {f: str(getattr(row, f)) for f in before}
    audit.record(actor, "arrangement.policy", row, {"creditor": creditor.code,
                                                     **{k: [before[k], after[k]] for k in after if before[k] != after[k]}})
    return row
