"""The account and payment API: visibility, money as strings, recording payments (idempotent, validated, nothing
written on a refusal) and reversing them."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from concord.core import clock
from concord.core.models import AuditEvent
from concord.loans import services
from concord.loans.models import LoanAccount, Payment

ALL = {"a", "b", "u"}
VISIBLE = {"admin": ALL, "manager": ALL, "compliance": ALL, "legal": ALL, "lead_a": {"a"}, "col_a": {"a"},
           "col_b": {"b"}, "field": set(), "viewer": {"a", "u"}}
MONEY_FIELDS = ["contract_amount", "principal_balance", "interest_balance", "penalty_balance", "fees_balance",
                "total_balance", "credit_balance", "minimum_payment"]


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def account(world, key) -> LoanAccount:
    return world.cases[key].accounts.get()


def account_key(world, account_id) -> str:
    return next(k for k, c in world.cases.items() if c.accounts.filter(pk=account_id).exists())


#: One payment time for the module, so that a replay is the same payment.
PAID_AT = clock.now().replace(microsecond=0) - dt.timedelta(hours=1)


def paid_at(**delta) -> str:
    return (PAID_AT + dt.timedelta(**delta)).isoformat()


def ledger_state(acc: LoanAccount) -> dict:
    acc.refresh_from_db()
    return {"balances": {k: getattr(acc, k) for k in ("principal_balance", "interest_balance", "penalty_balance",
                                                       "fees_balance", "credit_balance")},
            "instalments": list(acc.instalments.order_by("number").values_list("principal_paid", "interest_paid")),
            "status": acc.status, "case_total": type(acc.case).objects.get(pk=acc.case_id).total_balance}


def counts() -> tuple[int, int]:
    return Payment.objects.count(), AuditEvent.objects.count()


# --- accounts ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_account_list_shows_exactly_the_visible_accounts(world, username):
    body = api(world.users[username]).get("/api/accounts/").json()
    assert {account_key(world, row["id"]) for row in body["results"]} == VISIBLE[username]
    assert body["count"] == len(VISIBLE[username])


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_account_detail_of_an_invisible_account_is_404(world, username):
    client = api(world.users[username])
    for key in ALL:
        r = client.get(f"/api/accounts/{account(world, key).pk}/")
        assert r.status_code == (200 if key in VISIBLE[username] else 404), (username, key)


def test_account_detail_has_terms_balances_and_schedule(world):
    loan = account(world, "b")
    r = api(world.users["col_b"]).get(f"/api/accounts/{loan.pk}/")
    body = r.json()
    assert body["reference"] == "LOAN-0002" and body["method"] == "equal_installment"
    assert body["creditor"]["code"] == "fin" and body["product"]["kind"] == "online_loan"
    assert body["debtor"] == {"id": loan.debtor_id, "full_name": "李四"}
    assert body["case"] == world.cases["b"].pk
    assert body["term_months"] == 12 and body["start_date"] == "2026-01-10"
    assert body["annual_rate"] == "0.18000"
    assert body["dpd"] == loan.dpd and body["bucket"] == loan.bucket
    for name in MONEY_FIELDS:
        assert isinstance(body[name], str), name
        assert Decimal(body[name]).as_tuple().exponent == -2, name
    assert body["contract_amount"] == "12000.00"
    assert Decimal(body["total_balance"]) == loan.total_balance
    assert len(body["instalments"]) == 12
    first = body["instalments"][0]
    assert first["number"] == 1 and first["unpaid"] == "0.00"  # two instalments were paid
    assert Decimal(body["instalments"][2]["unpaid"]) == Decimal(body["instalments"][2]["total_due"]) > 0
    card = api(world.users["viewer"]).get(f"/api/accounts/{account(world, 'a').pk}/").json()
    assert card["method"] == "revolving" and len(card["instalments"]) == 1
    assert card["principal_balance"] == "15000.00"


def test_account_filters(world):
    client = api(world.users["manager"])

    def found(**params):
        r = client.get("/api/accounts/", params)
        assert r.status_code == 200, r.content
        return {account_key(world, row["id"]) for row in r.json()["results"]}

    assert found(creditor="bank") == {"a", "u"}
    assert found(product_kind="credit_card") == {"a"}
    assert found(case=world.cases["b"].pk) == {"b"}
    assert found(debtor=world.cases["u"].debtor_id) == {"u"}
    assert found(reference="LOAN-0003") == {"u"}
    assert found(status="open") == ALL
    assert found(status="settled") == set()
    assert found(bucket=account(world, "a").bucket) >= {"a"}
    assert client.get("/api/accounts/", {"status": "gone"}).status_code == 400
    assert {account_key(world, r["id"]) for r in api(world.users["col_a"]).get(
        "/api/accounts/", {"creditor": "fin"}).json()["results"]} == set()


# --- payments: reading ------------------------------------------------------------------------------------------

@pytest.fixture
def payments(world):
    out = {}
    for key in ALL:
        out[key], _ = services.record_payment(None, account=account(world, key), amount=Decimal("100.00"),
                                              paid_at=clock.now() - dt.timedelta(days=1), channel="alipay",
                                              external_reference=f"SEED-{key}")
    return out


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_payment_list_shows_exactly_the_visible_payments(world, payments, username):
    client = api(world.users[username])
    body = client.get("/api/payments/").json()
    assert {account_key(world, row["account"]) for row in body["results"]} == VISIBLE[username]
    assert body["count"] == len(VISIBLE[username])
    for key, payment in payments.items():
        assert client.get(f"/api/payments/{payment.pk}/").status_code == (200 if key in VISIBLE[username] else 404)


def test_payment_list_filters(world, payments):
    client = api(world.users["manager"])
    body = client.get("/api/payments/", {"account": account(world, "b").pk}).json()
    assert [row["id"] for row in body["results"]] == [payments["b"].pk]
    body = client.get("/api/payments/", {"case": world.cases["u"].pk}).json()
    assert [row["id"] for row in body["results"]] == [payments["u"].pk]
    services.reverse_payment(None, payments["a"], reason="test")
    assert client.get("/api/payments/", {"reversed": "true"}).json()["count"] == 1
    assert client.get("/api/payments/", {"reversed": "false"}).json()["count"] == 2
    assert client.get("/api/payments/", {"account": "x"}).status_code == 400
    # a collector filtering on an account they cannot see gets nothing
    col_a = api(world.users["col_a"])
    assert col_a.get("/api/payments/", {"account": account(world, "b").pk}).json()["count"] == 0


def test_payment_body(world, payments):
    body = api(world.users["manager"]).get(f"/api/payments/{payments['b'].pk}/").json()
    assert body["amount"] == "100.00" and body["channel"] == "alipay"
    assert body["account"] == account(world, "b").pk and body["account_reference"] == "LOAN-0002"
    assert body["external_reference"] == "SEED-b" and body["is_reversed"] is False
    parts = body["allocation"]["parts"]
    assert set(parts) == {"principal", "interest", "penalty", "fees"}
    assert all(isinstance(v, str) for v in parts.values())
    assert sum(Decimal(v) for v in parts.values()) + Decimal(body["allocation"]["remainder"]) == Decimal("100.00")


# --- payments: recording ----------------------------------------------------------------------------------------

def post_payment(world, username, key="b", **overrides):
    data = {"account": account(world, key).pk, "amount": "500.00", "paid_at": paid_at(), "channel": "bank_transfer",
            "external_reference": "TXN-20261128-0001", **overrides}
    return api(world.users[username]).post("/api/payments/", data, format="json")


def test_record_payment(world):
    acc = account(world, "b")
    before = ledger_state(acc)
    n_payments, n_events = counts()
    r = post_payment(world, "manager")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["amount"] == "500.00" and body["recorded_by"] == "manager"
    payment = Payment.objects.get(pk=body["id"])
    assert payment.amount == Decimal("500.00") and payment.recorded_by == world.users["manager"]
    after = ledger_state(acc)
    owed = sum(before["balances"][k] for k in ("principal_balance", "interest_balance", "penalty_balance",
                                               "fees_balance"))
    owed_now = sum(after["balances"][k] for k in ("principal_balance", "interest_balance", "penalty_balance",
                                                  "fees_balance"))
    assert owed - owed_now == Decimal("500.00")
    assert after["case_total"] == before["case_total"] - Decimal("500.00")
    assert counts()[0] == n_payments + 1
    assert AuditEvent.objects.filter(action="payment.record", object_id=str(payment.pk)).count() == 1
    assert counts()[1] > n_events


def test_replaying_the_same_payment_is_idempotent(world):
    first = post_payment(world, "manager")
    assert first.status_code == 201
    state, n = ledger_state(account(world, "b")), counts()
    again = post_payment(world, "admin")
    assert again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"]
    assert counts() == n and ledger_state(account(world, "b")) == state
    # the reference is trimmed before comparing
    assert post_payment(world, "manager", external_reference="  TXN-20261128-0001 ").status_code == 200
    assert counts() == n
    # the same reference with another time or channel is a different payment: refused, nothing written
    for changed in ({"paid_at": paid_at(minutes=-5)}, {"channel": "alipay"}):
        response = post_payment(world, "manager", **changed)
        assert response.status_code == 400 and "external_reference" in response.json()
    assert counts() == n


@pytest.mark.parametrize("overrides,field", [
    ({"amount": "-5.00"}, "amount"),
    ({"amount": "0"}, "amount"),
    ({"amount": "abc"}, "amount"),
    ({"amount": "1,000.00"}, "amount"),
    ({"amount": "10.005"}, "amount"),
    ({"amount": 10.5}, "amount"),
    ({"amount": "NaN"}, "amount"),
    ({"amount": "1e20"}, "amount"),
    ({"paid_at": (clock.now() + dt.timedelta(days=2)).isoformat()}, "paid_at"),
    ({"paid_at": "2026-11-28T10:00:00"}, "paid_at"),
    ({"paid_at": "yesterday"}, "paid_at"),
    ({"paid_at": "2020-01-01T10:00:00+08:00"}, "paid_at"),  # before the loan started
    ({"channel": "bitcoin"}, "channel"),
    ({"external_reference": ""}, "external_reference"),
    ({"external_reference": "   "}, "external_reference"),
    ({"external_reference": "x" * 101}, "external_reference"),
    ({"account": "x"}, "account"),
])
def test_invalid_payment_is_400_naming_the_field_and_writes_nothing(world, overrides, field):
    state, n = ledger_state(account(world, "b")), counts()
    r = post_payment(world, "manager", **overrides)
    assert r.status_code == 400, r.content
    assert field in r.json(), r.json()
    assert counts() == n and ledger_state(account(world, "b")) == state


def test_reused_reference_with_a_different_amount_is_400(world):
    assert post_payment(world, "manager").status_code == 201
    state, n = ledger_state(account(world, "b")), counts()
    r = post_payment(world, "manager", amount="600.00")
    assert r.status_code == 400 and "external_reference" in r.json(), r.content
    assert counts() == n and ledger_state(account(world, "b")) == state


def test_missing_fields_are_named(world):
    r = api(world.users["manager"]).post("/api/payments/", {}, format="json")
    assert r.status_code == 400
    assert set(r.json()) == {"account", "amount", "paid_at", "channel", "external_reference"}


def test_payment_on_a_settled_or_recalled_account(world):
    acc = account(world, "u")
    LoanAccount.objects.filter(pk=acc.pk).update(status="recalled")
    n = counts()
    r = post_payment(world, "manager", key="u")
    assert r.status_code == 400 and "account" in r.json()
    assert counts() == n


@pytest.mark.parametrize("username", ["lead_a", "col_a", "col_b", "field", "compliance", "legal", "viewer"])
def test_roles_outside_the_ledger_get_403(world, username):
    n = counts()
    assert post_payment(world, username, key="a").status_code == 403
    assert counts() == n


def test_anonymous_payment_is_401(world):
    n = counts()
    data = {"account": account(world, "a").pk, "amount": "1.00", "paid_at": paid_at(), "channel": "cash",
            "external_reference": "ANON"}
    assert APIClient().post("/api/payments/", data, format="json").status_code == 401
    assert counts() == n


def test_unknown_account_is_404(world):
    n = counts()
    assert post_payment(world, "manager", account=999_999).status_code == 404
    assert counts() == n


def test_the_account_must_be_visible_to_the_recorder(world, monkeypatch):
    """Ledger roles see the whole book today; were a restricted role given the right, it still could not
    post to accounts outside its view."""
    from concord.core.api import capability_required
    from concord.loans.api import PaymentViewSet
    from concord.staff.roles import Capability

    monkeypatch.setattr(PaymentViewSet, "action_permissions", {"create": [capability_required(Capability.LEAD_TEAM)]})
    n = counts()
    assert post_payment(world, "lead_a", key="b").status_code == 404
    assert post_payment(world, "lead_a", key="u").status_code == 404
    assert counts() == n
    assert post_payment(world, "lead_a", key="a").status_code == 201


def test_money_is_never_a_float_in_json(world, payments):
    import json

    def walk(value):
        if isinstance(value, float):
            raise AssertionError(f"float in response: {value}")
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        if isinstance(value, list):
            for v in value:
                walk(v)

    client = api(world.users["admin"])
    for url in ["/api/accounts/", f"/api/accounts/{account(world, 'a').pk}/", "/api/payments/",
                f"/api/payments/{payments['a'].pk}/", "/api/cases/", f"/api/cases/{world.cases['b'].pk}/"]:
        walk(json.loads(client.get(url).content))


# --- payments: reversing ----------------------------------------------------------------------------------------

def test_reverse_restores_balances(world):
    acc = account(world, "b")
    before = ledger_state(acc)
    created = post_payment(world, "manager", amount="2500.00")  # more than one instalment
    assert created.status_code == 201
    assert ledger_state(acc) != before
    pid = created.json()["id"]
    r = api(world.users["admin"]).post(f"/api/payments/{pid}/reverse/", {"reason": "bounced"}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["is_reversed"] is True and body["reversal_reason"] == "bounced" and body["reversed_at"]
    assert ledger_state(acc) == before
    assert AuditEvent.objects.filter(action="payment.reverse", object_id=str(pid)).count() == 1


def test_reverse_errors(world, payments):
    pid = payments["b"].pk
    manager = api(world.users["manager"])
    n = counts()
    r = manager.post(f"/api/payments/{pid}/reverse/", {"reason": "  "}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = manager.post(f"/api/payments/{pid}/reverse/", {}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = manager.post(f"/api/payments/{pid}/reverse/", {"reason": "x" * 201}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    assert counts() == n
    assert manager.post(f"/api/payments/{pid}/reverse/", {"reason": "dup"}, format="json").status_code == 200
    n = counts()
    r = manager.post(f"/api/payments/{pid}/reverse/", {"reason": "again"}, format="json")
    assert r.status_code == 400 and "payment" in r.json()
    assert counts() == n
    assert manager.post("/api/payments/999999/reverse/", {"reason": "x"}, format="json").status_code == 404


@pytest.mark.parametrize("username", ["lead_a", "col_a", "col_b", "viewer", "compliance"])
def test_reverse_needs_a_ledger_role(world, payments, username):
    n = counts()
    r = api(world.users[username]).post(f"/api/payments/{payments['a'].pk}/reverse/", {"reason": "x"},
                                        format="json")
    assert r.status_code == 403
    assert counts() == n and not Payment.objects.get(pk=payments["a"].pk).is_reversed


def test_payments_cannot_be_edited_or_deleted(world, payments):
    manager = api(world.users["manager"])
    url = f"/api/payments/{payments['a'].pk}/"
    assert manager.patch(url, {"amount": "1.00"}, format="json").status_code == 405
    assert manager.delete(url).status_code == 405
    assert api(world.users["viewer"]).delete(url).status_code == 403


def test_browsable_api_forms_offer_nothing_outside_the_users_view(world, payments):
    client = APIClient()
    client.force_login(world.users["col_a"])
    for url in ("/api/payments/", "/api/accounts/", f"/api/payments/{payments['a'].pk}/"):
        r = client.get(url, HTTP_ACCEPT="text/html")
        assert r.status_code == 200
        html = r.content.decode()
        assert "CARD-0001" in html or url == "/api/payments/"  # their own account may appear
        for other in ("LOAN-0002", "LOAN-0003", "李四", "王五"):
            assert other not in html, (url, other)
