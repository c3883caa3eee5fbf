"""Arrangement fixtures: the shared ``world`` with a financial profile on each borrower."""
import datetime as dt
from decimal import Decimal

import pytest


def profile(debtor, income, household, other):
    from concord.debtors import services as debtors

    return debtors.record_financial_profile(None, debtor, monthly_income=Decimal(income),
                                            household_expenses=Decimal(household),
                                            other_debt_payments=Decimal(other), as_of=dt.date(2026, 11, 1))


@pytest.fixture
def arr(world):
    """Case a (bank card, col_a / team A): 4 500 disposable → 2 250 a month; case b (platform loan, col_b):
    4 000 → 2 000; case u (bank, unassigned): nothing left each month (hardship). The bank allows settlements over up to 12
    months (the default is 6)."""
    profile(world.cases["a"].debtor, "12000", "5000", "2500")
    profile(world.cases["b"].debtor, "8000", "3000", "1000")
    profile(world.cases["u"].debtor, "3000", "2500", "800")
    from concord.arrangements import authority

    authority.set_policy(world.users["manager"], world.creditors["bank"], settlement_max_months=12)
    return world
