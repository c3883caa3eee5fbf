"""A borrower with two debts at two creditors (张三: the bank's card and the platform's loan), and a client signed in
to the portal as that borrower."""
import datetime as dt
from decimal import Decimal

import pytest

PHONE = "13812348000"  # 张三's number in concord.conftest.build_world


def second_debt(world):
    """张三 (case "a", the bank's card) also owes the platform a loan."""
    from concord.cases import services as cases
    from concord.loans import services as loans

    debtor = world.cases["a"].debtor
    fin = world.creditors["fin"]
    case, _ = cases.open_case(None, creditor=fin, debtor=debtor, opened_on=dt.date(2026, 11, 28))
    loans.open_account(None, case=case, product=fin.products.get(kind="online_loan"), reference="LOAN-7001",
                       contract_amount=Decimal("6000"), annual_rate=Decimal("0.18"), method="equal_installment",
                       term_months=12, start_date=dt.date(2026, 1, 10), as_of=dt.date(2026, 11, 28),
                       paid_instalments=3)
    case.refresh_from_db()
    world.cases["a2"] = case
    return case


@pytest.fixture
def two_debts(world, settings, tmp_path):
    settings.CONCORD_PORTAL_KEY_DIR = str(tmp_path / "keys")
    settings.CONCORD_OUTBOX_DIR = str(tmp_path / "outbox")
    second_debt(world)
    return world


@pytest.fixture
def borrower_client(client, two_debts):
    from concord.core.actors import Borrower
    from concord.portal import services
    from concord.portal.auth import COOKIE

    key = services.start_session(Borrower(two_debts.cases["a"].debtor_id, "code"))
    client.cookies[COOKIE] = key
    return client
