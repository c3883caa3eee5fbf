from decimal import Decimal


def test_world_builds_cases_with_balances(world):
    card = world.cases["a"]
    assert card.total_balance > Decimal("15450.00")  # principal + interest + accrued penalty
    assert card.bucket == "M3" and card.max_dpd == 84
    loan = world.cases["b"]
    assert loan.max_dpd > 0 and loan.accounts.get().instalments.count() == 12
