"""The debtor API: who sees which borrower file, everything identifying masked, plaintext only through the
audited reveal."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from concord.conftest import resident_id
from concord.core.models import AuditEvent
from concord.debtors import services

ALL = {"a", "b", "u"}
VISIBLE = {"admin": ALL, "manager": ALL, "compliance": ALL, "legal": ALL, "lead_a": {"a"}, "col_a": {"a"},
           "col_b": {"b"}, "field": set(), "viewer": {"a", "u"}}
ID_NUMBERS = {"a": resident_id(seq=111), "b": resident_id("310101", "19851212", 222),
              "u": resident_id("440106", "19780505", 333)}
PHONES = {"a": "13812348000", "b": "13900001111", "u": "13700002222"}
#: Extra PII put on debtor a's file by the `file` fixture.
EXTRA = {"email": "zhangsan.private@example.com", "address": "北京市朝阳区建国路88号院3号楼1201",
         "wechat": "zs_wechat_2026", "party_phone": "13512345678", "landline": "01065432198"}


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def debtor_key(world, debtor_id) -> str:
    return next(k for k, c in world.cases.items() if c.debtor_id == debtor_id)


@pytest.fixture
def file(world):
    """Debtor a's full borrower file."""
    debtor = world.cases["a"].debtor
    services.add_contact_point(None, debtor, kind="email", value=EXTRA["email"])
    services.add_contact_point(None, debtor, kind="address", value=EXTRA["address"], address_type="home")
    services.add_contact_point(None, debtor, kind="wechat", value=EXTRA["wechat"])
    services.add_contact_point(None, debtor, kind="landline", value=EXTRA["landline"])
    party = services.add_related_party(None, debtor, role="spouse", full_name="赵六", relation="妻子",
                                       phone=EXTRA["party_phone"])
    services.set_employment(None, debtor, employer_name="某某科技有限公司", position="工程师",
                            since=dt.date(2020, 3, 1))
    services.record_financial_profile(None, debtor, monthly_income=Decimal("8000.00"),
                                      household_expenses=Decimal("3000.00"),
                                      other_debt_payments=Decimal("1500.50"), as_of=dt.date(2026, 1, 1))
    services.record_financial_profile(None, debtor, monthly_income=Decimal("6000.00"),
                                      household_expenses=Decimal("4000.00"),
                                      other_debt_payments=Decimal("2500.00"), as_of=dt.date(2026, 10, 1))
    services.add_asset(None, debtor, kind="vehicle", description="大众朗逸", value=Decimal("60000.00"),
                       encumbrance=Decimal("70000.00"))
    services.record_credit_report(None, debtor, as_of=dt.date(2026, 9, 1), accounts=5, delinquent_accounts=2,
                                  total_balance=Decimal("88000.00"), inquiries_6m=7, worst_status="M3")
    services.record_bank_statement(None, debtor, as_of=dt.date(2026, 9, 30), months=6,
                                   avg_monthly_inflow=Decimal("6100.00"), avg_monthly_outflow=Decimal("5900.00"))
    services.add_other_loan(None, debtor, lender="某消费金融", balance=Decimal("12000.00"),
                            monthly_payment=Decimal("1000.00"), status="overdue")
    return {"debtor": debtor, "party": party}


def secrets() -> set[str]:
    """Every plaintext identifier as given and as stored (phones also as bare national numbers)."""
    from concord.debtors.models import ContactPoint, Debtor, RelatedParty

    out = {*ID_NUMBERS.values(), *PHONES.values(), *EXTRA.values()}
    out |= set(Debtor.objects.values_list("id_number", flat=True))
    stored = [p.value for p in ContactPoint.objects.all()] + [p.phone for p in RelatedParty.objects.all()]
    for value in filter(None, stored):
        out.add(value)
        digits = "".join(ch for ch in value if ch.isdigit())
        if len(digits) >= 7:
            out.add(digits[2:] if value.startswith("+86") else digits)
    return out


# --- visibility -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_list_shows_exactly_the_visible_debtors(world, username):
    r = api(world.users[username]).get("/api/debtors/")
    assert r.status_code == 200
    body = r.json()
    assert {debtor_key(world, row["id"]) for row in body["results"]} == VISIBLE[username]
    assert body["count"] == len(VISIBLE[username])


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_detail_of_an_invisible_debtor_is_404(world, username):
    client = api(world.users[username])
    for key, case in world.cases.items():
        r = client.get(f"/api/debtors/{case.debtor_id}/")
        assert r.status_code == (200 if key in VISIBLE[username] else 404), (username, key)


def test_debtor_with_cases_at_two_creditors_is_listed_once_and_shows_only_visible_cases(world):
    from concord.cases.services import assign_case, open_case

    debtor = world.cases["a"].debtor
    other, _ = open_case(None, creditor=world.creditors["fin"], debtor=debtor)
    assign_case(None, other, collector=world.users["col_b"])
    body = api(world.users["manager"]).get("/api/debtors/").json()
    assert body["count"] == 3 and len({row["id"] for row in body["results"]}) == 3
    col_a = api(world.users["col_a"]).get(f"/api/debtors/{debtor.pk}/").json()
    assert [c["reference"] for c in col_a["cases"]] == [world.cases["a"].reference]
    col_b = api(world.users["col_b"]).get("/api/debtors/").json()
    assert {row["id"] for row in col_b["results"]} == {debtor.pk, world.cases["b"].debtor_id}
    manager = api(world.users["manager"]).get(f"/api/debtors/{debtor.pk}/").json()
    assert {c["creditor"] for c in manager["cases"]} == {"bank", "fin"}


def test_search(world):
    client = api(world.users["manager"])

    def found(q, post=False):
        response = client.post("/api/debtors/search/", {"q": q}, format="json") if post else \
            client.get("/api/debtors/", {"q": q})
        return {debtor_key(world, row["id"]) for row in response.json()["results"]}

    assert found("李四") == {"b"}
    assert found(ID_NUMBERS["u"][-4:]) == {"u"}
    assert client.get("/api/debtors/", {"q": PHONES["a"]}).status_code == 400  # a phone never in a URL
    assert found(PHONES["a"], post=True) == {"a"}
    assert found(ID_NUMBERS["u"], post=True) == {"u"}
    assert found("nobody") == set()
    col_a = api(world.users["col_a"])
    assert col_a.post("/api/debtors/search/", {"q": PHONES["b"]}, format="json").json()["count"] == 0


# --- masking ----------------------------------------------------------------------------------------------------

def test_detail_is_the_masked_borrower_file(world, file):
    debtor = file["debtor"]
    r = api(world.users["col_a"]).get(f"/api/debtors/{debtor.pk}/")
    assert r.status_code == 200
    body = r.json()
    assert body["full_name"] == "张三"
    number = ID_NUMBERS["a"]
    assert body["id_number_masked"] == number[:6] + "*" * 8 + number[-4:]
    assert "id_number" not in body and "birth_date" not in body
    points = {p["kind"]: p["value_masked"] for p in body["contact_points"]}
    landline = points.pop("landline")
    assert "****" in landline and landline.endswith("2198") and "65432" not in landline
    assert points == {"mobile": "138****8000", "email": "z***@example.com", "address": "北京市朝阳区****",
                      "wechat": "zs****"}
    [party] = body["related_parties"]
    assert party == {"id": file["party"].pk, "role": "spouse", "is_liable": False, "full_name": "赵六",
                     "relation": "妻子", "phone_masked": "135****5678", "refused_contact": False}
    assert body["employments"][0]["employer_name"] == "某某科技有限公司"
    profile = body["financial_profile"]
    assert profile["as_of"] == "2026-10-01"  # the latest
    assert profile["monthly_income"] == "6000.00"
    assert profile["affordability"] == {"income": "6000.00", "household": "4000.00", "other_debt": "2500.00",
                                        "left": "-500.00", "can_pay": False}
    assert body["assets"][0]["equity"] == "0.00" and body["assets"][0]["value"] == "60000.00"
    assert body["credit_reports"][0]["total_balance"] == "88000.00"
    assert body["bank_statements"][0]["avg_monthly_inflow"] == "6100.00"
    assert body["other_loans"][0]["status"] == "overdue"
    assert [c["id"] for c in body["cases"]] == [world.cases["a"].pk]


def test_a_debtor_without_a_financial_profile(world):
    body = api(world.users["manager"]).get(f"/api/debtors/{world.cases['b'].debtor_id}/").json()
    assert body["financial_profile"] is None
    assert body["related_parties"] == [] and body["assets"] == []


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_no_plaintext_pii_in_any_list_or_detail(world, file, username):
    from concord.loans.services import record_payment

    for key, case in world.cases.items():
        record_payment(None, account=case.accounts.get(), amount="10.00", channel="alipay",
                       paid_at=dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC), external_reference=f"P-{key}")
    client = api(world.users[username])
    urls = []
    for resource in ("cases", "debtors", "accounts", "payments"):
        r = client.get(f"/api/{resource}/")
        assert r.status_code == 200
        urls.append(f"/api/{resource}/")
        urls += [f"/api/{resource}/{row['id']}/" for row in r.json()["results"]]
    urls += [f"/api/debtors/?q={ID_NUMBERS['a'][-4:]}"]
    searched = client.post("/api/cases/search/", {"q": PHONES["a"]}, format="json")
    assert searched.status_code == 200
    assert all(secret not in searched.content.decode() for secret in secrets())
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        content = r.content.decode()
        for secret in secrets():
            if secret in url:  # a search echoes the user's own query in its page links
                continue
            assert secret not in content, (url, secret)
    if VISIBLE[username]:
        assert len(urls) > 6


# --- reveal -----------------------------------------------------------------------------------------------------

def reveal(world, username, case_key, **data):
    debtor_id = world.cases[case_key].debtor_id
    return api(world.users[username]).post(f"/api/debtors/{debtor_id}/reveal/", data, format="json")


def test_reveal_id_number_is_audited(world):
    before = AuditEvent.objects.filter(action="pii.reveal").count()
    r = reveal(world, "col_a", "a", field="id_number")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["value"] == ID_NUMBERS["a"]
    assert body["field"] == "id_number" and body["kind"] == "cn_ric"
    assert "no-store" in r["Cache-Control"]
    event = AuditEvent.objects.filter(action="pii.reveal").latest("id")
    assert AuditEvent.objects.filter(action="pii.reveal").count() == before + 1
    assert event.actor == world.users["col_a"]
    assert (event.object_type, event.object_id) == ("debtors.debtor", str(world.cases["a"].debtor_id))
    assert event.changes == {"field": "id_number"}
    assert ID_NUMBERS["a"] not in str(event.changes)


def test_reveal_contact_point_and_related_party(world, file):
    debtor = file["debtor"]
    email = debtor.contact_points.get(kind="email")
    r = reveal(world, "manager", "a", contact_point_id=email.pk)
    assert r.status_code == 200 and r.json()["value"] == EXTRA["email"] and r.json()["kind"] == "email"
    event = AuditEvent.objects.filter(action="pii.reveal").latest("id")
    assert (event.object_type, event.object_id) == ("debtors.contactpoint", str(email.pk))
    r = reveal(world, "lead_a", "a", related_party_id=file["party"].pk)
    assert r.status_code == 200 and r.json()["value"] == file["party"].phone
    assert r.json()["value"].endswith(EXTRA["party_phone"])
    event = AuditEvent.objects.filter(action="pii.reveal").latest("id")
    assert (event.object_type, event.object_id, event.actor.username) == (
        "debtors.relatedparty", str(file["party"].pk), "lead_a")


@pytest.mark.parametrize("username", ["viewer"])
def test_roles_without_reveal_right_get_403_and_nothing_is_logged(world, file, username):
    before = AuditEvent.objects.count()
    for data in ({"field": "id_number"}, {"related_party_id": file["party"].pk}):
        r = reveal(world, username, "a", **data)
        assert r.status_code == 403
        assert ID_NUMBERS["a"].encode() not in r.content
    assert AuditEvent.objects.count() == before


def test_reveal_on_an_invisible_debtor_is_404(world):
    before = AuditEvent.objects.count()
    assert reveal(world, "col_a", "b", field="id_number").status_code == 404
    assert reveal(world, "field", "a", field="id_number").status_code == 404
    assert AuditEvent.objects.count() == before


def test_reveal_request_errors(world, file):
    before = AuditEvent.objects.count()
    other_point = world.cases["b"].debtor.contact_points.get()
    cases = [({}, "non_field_errors"), ({"field": "id_number", "contact_point_id": 1}, "non_field_errors"),
             ({"field": "full_name"}, "field"), ({"contact_point_id": other_point.pk}, "contact_point_id"),
             ({"related_party_id": 999_999}, "related_party_id"), ({"contact_point_id": "x"}, "contact_point_id")]
    for data, field in cases:
        r = reveal(world, "manager", "a", **data)
        assert r.status_code == 400 and field in r.json(), (data, r.content)
    assert AuditEvent.objects.count() == before


def test_reveal_is_post_only(world):
    debtor_id = world.cases["a"].debtor_id
    assert api(world.users["manager"]).get(f"/api/debtors/{debtor_id}/reveal/").status_code == 405


def test_debtors_are_read_only(world):
    debtor_id = world.cases["a"].debtor_id
    manager = api(world.users["manager"])
    assert manager.post("/api/debtors/", {"full_name": "x"}, format="json").status_code == 405
    assert manager.patch(f"/api/debtors/{debtor_id}/", {"full_name": "x"}, format="json").status_code == 405
    viewer = api(world.users["viewer"])
    assert viewer.patch(f"/api/debtors/{debtor_id}/", {"full_name": "x"}, format="json").status_code == 403
