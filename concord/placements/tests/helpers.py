"""A placement batch over the test book (``world``): bank's cases a (CARD-0001, col_a) and u (LOAN-0003)."""
from __future__ import annotations

import datetime as dt

from concord.cases.models import Case
from concord.creditors import services as creditors


def bank_batch(world, *, reference="B2026-09", placed_on=dt.date(2026, 9, 8), period_days=90, **terms):
    bank = world.creditors["bank"]
    placement = creditors.create_placement("tester", bank, reference=reference, placed_on=placed_on,
                                           period_days=period_days, **terms)
    Case.objects.filter(pk__in=[world.cases["a"].pk, world.cases["u"].pk]).update(placement=placement)
    creditors.register_accounts("tester", placement)
    return placement
