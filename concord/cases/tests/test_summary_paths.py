"""The three paths that keep a case's summary — the ledger's follower (``refresh_case_summary``), the placement
import (``PlacementWriter.refresh_cases``) and the end-of-day write-back (``writeback.case_plan``) — give the same
figures and status for the same accounts, which are those of the pure rule (``loans.summary``)."""
from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

from concord.cases.models import Case, CaseStatus
from concord.cases.services import refresh_case_summary
from concord.conftest import make_case, resident_id
from concord.core import clock
from concord.core.money import to_fen
from concord.eod import writeback
from concord.imports.placing import PlacementWriter
from concord.loans import services as loans
from concord.loans import summary
from concord.loans.models import AccountStatus, LoanAccount

pytestmark = pytest.mark.django_db
FIELDS = ("total_balance", "max_dpd", "bucket", "status", "closed_on")


def _book(world, rng: random.Random) -> list[Case]:
    """Cases of one to three accounts, with random account statuses, balances and DPDs and random case statuses."""
    bank = world.creditors["bank"]
    cases = []
    for n in range(12):
        case = make_case(None, bank, name=f"测试{n}", id_number=resident_id("110105", "19800101", 400 + n),
                         phone=f"1390000{n:04d}", reference=f"SUM-{n}-0")
        product = bank.products.get(kind="online_loan")
        for k in range(1, rng.randint(1, 3)):
            loans.open_account(None, case=case, product=product, reference=f"SUM-{n}-{k}",
                               contract_amount=Decimal("6000"), annual_rate=Decimal("0.12"),
                               method="equal_principal", term_months=6, start_date=clock.today().replace(day=1),
                               as_of=clock.today())
        for account in case.accounts.all():
            LoanAccount.objects.filter(pk=account.pk).update(
                status=rng.choice(AccountStatus.values), dpd=rng.randint(0, 400),
                principal_balance=Decimal(rng.randint(0, 900000)) / 100,
                interest_balance=Decimal(rng.randint(0, 9000)) / 100,
                penalty_balance=Decimal(rng.randint(0, 900)) / 100, fees_balance=Decimal(rng.randint(0, 90)) / 100)
        Case.objects.filter(pk=case.pk).update(status=rng.choice(CaseStatus.values), total_balance=Decimal("1.00"),
                                               max_dpd=1, bucket="M1", closed_on=None)
        cases.append(case)
    return cases


def _figures(case_ids) -> dict:
    return {c["id"]: tuple(c[f] for f in FIELDS) for c in Case.objects.filter(pk__in=case_ids).values("id", *FIELDS)}


def _reset(before: dict) -> None:
    for pk, values in before.items():
        Case.objects.filter(pk=pk).update(**dict(zip(FIELDS, values)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_path_keeps_the_same_summary(world, seed):
    cases = _book(world, random.Random(seed))
    ids = [c.pk for c in cases]
    before = _figures(ids)
    today = clock.today()

    # the rule itself
    expected = {}
    for case in Case.objects.filter(pk__in=ids):
        accounts = [summary.AccountFigures(a.status, a.total_balance, a.dpd) for a in case.accounts.all()]
        s = summary.summarize(case.status, accounts, closed=case.closed_on, today=today, zero=Decimal("0.00"))
        expected[case.pk] = (s.total, s.max_dpd, s.bucket, s.status, s.closed_on)

    # the ledger's follower
    for case in Case.objects.filter(pk__in=ids):
        refresh_case_summary(case)
    assert _figures(ids) == expected

    # the placement import's bulk refresh
    _reset(before)
    PlacementWriter(world.creditors["bank"], batch_label="test", today=today,
                    placement_for=lambda *_: None).refresh_cases(set(ids))
    assert _figures(ids) == expected

    # the end-of-day write-back's plan (integer fen)
    _reset(before)
    cases_db = pa.Table.from_pylist([{"case_id": pk, "total_fen": to_fen(v[0]), "max_dpd": v[1], "bucket": v[2],
                                      "status": v[3]} for pk, v in sorted(before.items())])
    accounts = pa.Table.from_pylist([
        {"case_id": a.case_id, "account_id": a.pk, "total_balance_fen": to_fen(a.total_balance), "dpd": a.dpd,
         "status": a.status} for a in LoanAccount.objects.filter(case_id__in=ids).order_by("pk")])
    plan = writeback.case_plan(cases_db, accounts, np.array([], np.int64))
    got = {r["case_id"]: (Decimal(r["total_fen"]) / 100, r["max_dpd"], r["bucket"], r["status"],
                          today if r["closed"] else None if r["opened"] else before[r["case_id"]][4])
           for r in plan.rows.to_pylist()}
    assert got == expected
    assert any(v[3] != before[pk][3] for pk, v in expected.items()), "the book should move some statuses"
