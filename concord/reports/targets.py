"""The monthly recovery targets per creditor: the only writer of ``RecoveryTarget`` (audited)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concord.core import audit, clock
from concord.staff.roles import Capability, may

from .models import RecoveryTarget


def set_target(actor, *, creditor, month: dt.date, amount: Decimal) -> RecoveryTarget:
    """Set (or change) ``creditor``'s target for ``month`` (any day of it). Managers and admins only."""
    if not may(actor, Capability.CONFIGURE):
        raise PermissionDenied(_("您的角色无权设置回收目标"))
    if amount is None or amount < 0:
        raise ValidationError({"amount": _("目标金额不能为负数")})
    month = month.replace(day=1)
    with transaction.atomic():
        target = RecoveryTarget.objects.select_for_update().filter(creditor=creditor, month=month).first()
        before = str(target.amount) if target else None
        if target is None:
            target = RecoveryTarget(creditor=creditor, month=month)
        target.amount, target.updated_by, target.updated_at = amount, actor, clock.now()
        target.save()
        audit.record(actor, "reports.target_set", target,
                     {"creditor": creditor.code, "month": month.strftime("%Y-%m"),
                      "amount": [before, str(amount)]})
    return target


def targets_for(month: dt.date) -> dict[int, Decimal]:
    """Each creditor's target for ``month`` (creditor id → amount)."""
    return dict(RecoveryTarget.objects.filter(month=month.replace(day=1)).values_list("creditor_id", "amount"))
