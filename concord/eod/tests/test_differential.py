"""Differential tests: the engine's account step equals the ``concord.loans`` pure functions to the fen."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concord.core.money import to_fen
from concord.eod import engine
from concord.loans import allocation, delinquency
from concord.loans.allocation import COMPONENTS

from .helpers import base_snapshot

AS_OF = dt.date(2026, 11, 28)
WATERFALLS = [",".join(p) for p in (allocation.DEFAULT_WATERFALL, allocation.REGULATORY_WATERFALL,
                                    ("interest", "principal", "fees", "penalty"))]
fen = st.integers(0, 5_000_000)


@st.composite
def account(draw, account_id: int):
    start = AS_OF - dt.timedelta(days=draw(st.integers(0, 3000)))
    n = draw(st.integers(0, 5))
    inst = []
    for k in range(1, n + 1):
        due = start + dt.timedelta(days=draw(st.integers(0, (AS_OF - start).days + 60)))
        pd_, id_ = draw(fen), draw(st.integers(0, 300_000))
        inst.append({"account_id": account_id, "number": k, "due_date": due, "principal_due_fen": pd_,
                     "interest_due_fen": id_, "principal_paid_fen": draw(st.integers(0, pd_)),
                     "interest_paid_fen": draw(st.integers(0, id_))})
    pays = [{"payment_id": account_id * 10 + j, "account_id": account_id, "amount_fen": draw(st.integers(1, 3_000_000)),
             "paid_on": AS_OF - dt.timedelta(days=draw(st.integers(-2, 5))), "posted": draw(st.booleans()),
             "reversed": draw(st.booleans())} for j in range(draw(st.integers(0, 3)))]
    acc = {"account_id": account_id, "case_id": account_id, "product_id": draw(st.integers(1, 3)),
           "status": draw(st.sampled_from(["open", "open", "settled", "recalled"])), "start_date": start,
           "contract_amount_fen": draw(st.integers(1, 50_000_000)),
           "principal_balance_fen": draw(fen), "interest_balance_fen": draw(fen), "penalty_balance_fen": draw(fen),
           "fees_balance_fen": draw(fen), "credit_balance_fen": draw(fen), "interest_charged_fen": draw(fen),
           "penalty_accrued_fen": draw(st.integers(0, 200_000)), "fees_accrued_fen": draw(st.integers(0, 20_000)),
           "prev_bucket": "M1"}
    return acc, inst, pays


@st.composite
def product(draw, product_id: int):
    return {"product_id": product_id, "creditor_id": 1, "kind": "online_loan",
            "penalty_daily_rate_e6": draw(st.integers(0, 10_000)), "compound_on_interest": draw(st.booleans()),
            "grace_days": draw(st.integers(0, 10)), "late_fee_fen": draw(st.integers(0, 10_000)),
            "total_cost_cap_rate_e4": draw(st.one_of(st.none(), st.integers(0, 3600))),
            "waterfall": draw(st.sampled_from(WATERFALLS)), "promise_grace_days": 1}


@st.composite
def book(draw):
    products = [draw(product(i)) for i in (1, 2, 3)]
    accounts, instalments, payments = [], [], []
    for i in range(1, draw(st.integers(1, 6)) + 1):
        a, inst, pays = draw(account(i))
        accounts.append(a)
        instalments += inst
        payments += pays
    return products, accounts, instalments, payments


def y(v: int) -> Decimal:
    return Decimal(v).scaleb(-2)


def reference(acc, insts, pays, prod):
    """The account after today's unposted payments and accrual, computed by the loans pure functions the way
    ``loans.services`` composes them (record_payment for each payment, then accrue_charges)."""
    items = [dict(due=i["due_date"], pd=y(i["principal_due_fen"]), id=y(i["interest_due_fen"]),
                  pp=y(i["principal_paid_fen"]), ip=y(i["interest_paid_fen"])) for i in sorted(insts, key=lambda i: i["number"])]
    bal = {c: y(acc[f"{c}_balance_fen"]) for c in COMPONENTS}
    credit = y(acc["credit_balance_fen"])
    active = acc["status"] in ("open", "settled")
    paid = {c: Decimal("0.00") for c in COMPONENTS}
    for p in sorted(pays, key=lambda p: p["payment_id"]):
        if p["posted"] or p["reversed"] or p["paid_on"] > AS_OF or not active:
            continue
        split = allocation.allocate(y(p["amount_fen"]), bal, prod["waterfall"].split(","))
        for c in COMPONENTS:
            bal[c] -= split.parts[c]
            paid[c] += split.parts[c]
        credit += split.remainder
        interest, principal = split.parts["interest"], split.parts["principal"]
        for it in items:  # loans.services._apply_to_instalments
            pay_i = max(min(interest, it["id"] - it["ip"]), Decimal(0))
            pay_p = max(min(principal, it["pd"] - it["pp"]), Decimal(0))
            it["ip"] += pay_i
            it["pp"] += pay_p
            interest -= pay_i
            principal -= pay_p
    due_items = [delinquency.DueItem(it["due"], it["pd"], it["id"], it["pp"], it["ip"]) for it in items]
    cap = None if prod["total_cost_cap_rate_e4"] is None else Decimal(prod["total_cost_cap_rate_e4"]).scaleb(-4)
    rule = delinquency.PenaltyRule(daily_rate=Decimal(prod["penalty_daily_rate_e6"]).scaleb(-6),
                                   compound_on_interest=prod["compound_on_interest"], grace_days=prod["grace_days"],
                                   late_fee=y(prod["late_fee_fen"]), total_cost_cap_rate=cap)
    prev_pen, prev_fees = y(acc["penalty_accrued_fen"]), y(acc["fees_accrued_fen"])
    pen_acc, fee_acc = prev_pen, prev_fees
    if active:
        pen = delinquency.penalty_accrued(due_items, AS_OF, rule)
        fees = delinquency.fees_accrued(due_items, AS_OF, rule)
        pen, fees = delinquency.apply_cost_cap(contract_principal=y(acc["contract_amount_fen"]),
                                               interest_charged=y(acc["interest_charged_fen"]), penalty=pen,
                                               fees=fees, start=acc["start_date"], as_of=AS_OF, cap_rate=cap)
        pen_acc, fee_acc = max(pen, prev_pen), max(fees, prev_fees)
    bal["penalty"] += pen_acc - prev_pen
    bal["fees"] += fee_acc - prev_fees
    dpd = delinquency.days_past_due(due_items, AS_OF)
    return {
        "dpd": dpd, "bucket": delinquency.bucket(dpd),
        **{f"{c}_balance_fen": to_fen(bal[c]) for c in COMPONENTS},
        **{f"paid_{c}_fen": to_fen(paid[c]) for c in COMPONENTS},
        "credit_balance_fen": to_fen(credit), "penalty_accrued_fen": to_fen(pen_acc),
        "fees_accrued_fen": to_fen(fee_acc),
        "instalments": [(to_fen(it["pp"]), to_fen(it["ip"])) for it in items],
    }


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(book())
def test_account_step_equals_loans_math(data):
    products, accounts, instalments, payments = data
    result = engine.run(base_snapshot(products, accounts, instalments, payments), AS_OF, instalments="full")
    got = {r["account_id"]: r for r in result.tables["account_state"].to_pylist()}
    inst = result.tables["instalment_state"].to_pylist()
    prods = {p["product_id"]: p for p in products}
    for acc in accounts:
        aid = acc["account_id"]
        want = reference(acc, [i for i in instalments if i["account_id"] == aid],
                         [p for p in payments if p["account_id"] == aid], prods[acc["product_id"]])
        row = got[aid]
        for key, value in want.items():
            if key == "instalments":
                mine = [(r["principal_paid_fen"], r["interest_paid_fen"]) for r in inst if r["account_id"] == aid]
                assert mine == value, (aid, key)
            else:
                assert row[key] == value, (aid, key, row[key], value)


def test_penalty_half_up_to_the_fen():
    """Penalty interest is rounded half-up to the fen per instalment."""
    prod = {"product_id": 1, "creditor_id": 1, "kind": "online_loan", "penalty_daily_rate_e6": 500,
            "compound_on_interest": False, "grace_days": 0, "late_fee_fen": 0, "total_cost_cap_rate_e4": None,
            "waterfall": "fees,penalty,interest,principal", "promise_grace_days": 1}
    acc = {"account_id": 1, "case_id": 1, "product_id": 1, "status": "open", "start_date": dt.date(2026, 1, 1),
           "contract_amount_fen": 10_001, "principal_balance_fen": 10_001, "interest_balance_fen": 0,
           "penalty_balance_fen": 0, "fees_balance_fen": 0, "credit_balance_fen": 0, "interest_charged_fen": 0,
           "penalty_accrued_fen": 0, "fees_accrued_fen": 0, "prev_bucket": "M0"}
    inst = [{"account_id": 1, "number": 1, "due_date": AS_OF - dt.timedelta(days=10), "principal_due_fen": 10_000,
             "interest_due_fen": 0, "principal_paid_fen": 0, "interest_paid_fen": 0}]
    # 10 000 fen × 0.0005 × 10 days = 50 fen exactly; 10 100 fen → 50.5 fen → 51 (half-up)
    row = engine.run(base_snapshot([prod], [acc], inst, []), AS_OF).tables["account_state"].to_pylist()[0]
    assert (row["penalty_accrued_fen"], row["dpd"], row["bucket"]) == (50, 10, "M1")
    inst[0]["principal_due_fen"] = 10_100
    row = engine.run(base_snapshot([prod], [acc], inst, []), AS_OF).tables["account_state"].to_pylist()[0]
    assert row["penalty_accrued_fen"] == 51
