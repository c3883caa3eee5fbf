"""The case API: who sees which case, filters and search that never leak, assignment rights, authentication."""
from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from concord.cases.models import Assignment
from concord.conftest import resident_id
from concord.core.models import AuditEvent

ALL = {"a", "b", "u"}
#: Which of the world's cases each user sees.
VISIBLE = {"admin": ALL, "manager": ALL, "compliance": ALL, "legal": ALL, "lead_a": {"a"}, "col_a": {"a"},
           "col_b": {"b"}, "field": set(), "viewer": {"a", "u"}}


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def names(world, ids) -> set[str]:
    by_id = {case.pk: key for key, case in world.cases.items()}
    return {by_id[i] for i in ids}


def listed(world, user, **params) -> set[str]:
    """The cases a search finds: by GET, or by POST to /api/cases/search/ for a phone, ID number or e-mail."""
    from concord.debtors.selectors import is_personal_search

    if is_personal_search(params.get("q", "")):
        assert api(user).get("/api/cases/", params).status_code == 400  # never in a URL
        r = api(user).post("/api/cases/search/", params, format="json")
    else:
        r = api(user).get("/api/cases/", params)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == len(body["results"])
    return names(world, [row["id"] for row in body["results"]])


# --- visibility -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_list_shows_exactly_the_visible_cases(world, username):
    r = api(world.users[username]).get("/api/cases/")
    assert r.status_code == 200
    body = r.json()
    assert names(world, [row["id"] for row in body["results"]]) == VISIBLE[username]
    assert body["count"] == len(VISIBLE[username])


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_detail_of_an_invisible_case_is_404(world, username):
    client = api(world.users[username])
    for key, case in world.cases.items():
        r = client.get(f"/api/cases/{case.pk}/")
        assert r.status_code == (200 if key in VISIBLE[username] else 404), (username, key)


@pytest.mark.parametrize("method,url", [
    ("get", "/api/cases/"), ("get", "/api/cases/1/"), ("post", "/api/cases/1/assign/"),
    ("get", "/api/debtors/"), ("get", "/api/debtors/1/"), ("post", "/api/debtors/1/reveal/"),
    ("get", "/api/accounts/"), ("get", "/api/accounts/1/"),
    ("get", "/api/payments/"), ("post", "/api/payments/"), ("get", "/api/payments/1/"),
    ("post", "/api/payments/1/reverse/"), ("get", "/api/"),
])
def test_anonymous_gets_401(world, method, url):
    r = getattr(api(), method)(url, {}, format="json") if method == "post" else api().get(url)
    assert r.status_code == 401
    assert r["WWW-Authenticate"].startswith("Token")


def test_pagination(world):
    client = api(world.users["manager"])
    body = client.get("/api/cases/", {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    rest = client.get(body["next"]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None
    seen = {row["id"] for row in body["results"] + rest["results"]}
    assert names(world, seen) == ALL


# --- filters ----------------------------------------------------------------------------------------------------

def test_filters(world):
    m = world.users["manager"]
    a, b = world.cases["a"], world.cases["b"]
    assert listed(world, m, creditor="bank") == {"a", "u"}
    assert listed(world, m, creditor="fin") == {"b"}
    assert listed(world, m, creditor="nobody") == set()
    assert listed(world, m, product_kind="credit_card") == {"a"}
    assert listed(world, m, product_kind="online_loan") == {"b", "u"}
    assert listed(world, m, bucket=a.bucket) == {k for k, c in world.cases.items() if c.bucket == a.bucket}
    assert listed(world, m, status="new") == {"u"}
    assert listed(world, m, status="open") == {"a", "b"}
    assert listed(world, m, collector=world.users["col_b"].pk) == {"b"}
    assert listed(world, m, team=world.teams["A"].pk) == {"a"}
    assert listed(world, m, dpd_min=a.max_dpd, dpd_max=a.max_dpd) == {
        k for k, c in world.cases.items() if c.max_dpd == a.max_dpd}
    assert listed(world, m, dpd_min=10_000) == set()
    assert listed(world, m, balance_min=str(b.total_balance), balance_max=str(b.total_balance)) == {
        k for k, c in world.cases.items() if c.total_balance == b.total_balance}
    assert listed(world, m, balance_max="0.00") == set()


def test_filters_still_respect_visibility(world):
    col_a = world.users["col_a"]
    assert listed(world, col_a, creditor="fin") == set()
    assert listed(world, col_a, collector=world.users["col_b"].pk) == set()
    assert listed(world, world.users["viewer"], product_kind="online_loan") == {"u"}


@pytest.mark.parametrize("param,value", [("dpd_min", "abc"), ("balance_min", "1,000"), ("bucket", "M99"),
                                         ("status", "lost"), ("collector", "x"), ("ordering", "debtor__id_number")])
def test_bad_filter_is_400_naming_it(world, param, value):
    r = api(world.users["manager"]).get("/api/cases/", {param: value})
    assert r.status_code == 400
    assert param in r.json()


def test_ordering(world):
    rows = api(world.users["manager"]).get("/api/cases/", {"ordering": "total_balance"}).json()["results"]
    balances = [row["total_balance"] for row in rows]
    assert balances == sorted(balances, key=Decimal)


# --- search -----------------------------------------------------------------------------------------------------

def test_search(world):
    m = world.users["manager"]
    a = world.cases["a"]
    assert listed(world, m, q="张三") == {"a"}
    assert listed(world, m, q="张") == {"a"}
    assert listed(world, m, q=resident_id(seq=111)[-4:]) == {"a"}
    assert listed(world, m, q="13900001111") == {"b"}
    assert listed(world, m, q="139 0000 1111") == {"b"}
    assert listed(world, m, q="+8613900001111") == {"b"}
    assert listed(world, m, q=a.reference) == {"a"}
    assert listed(world, m, q=a.reference.lower()) == {"a"}
    assert listed(world, m, q="LOAN-0002") == {"b"}
    assert listed(world, m, q="nobody") == set()


def test_search_never_leaks_invisible_cases(world):
    col_a, viewer = world.users["col_a"], world.users["viewer"]
    assert listed(world, col_a, q="13900001111") == set()  # col_b's debtor's phone
    assert listed(world, col_a, q="李四") == set()
    assert listed(world, col_a, q="LOAN-0002") == set()
    assert listed(world, col_a, q=world.cases["b"].reference) == set()
    assert listed(world, col_a, q=resident_id("310101", "19851212", 222)[-4:]) == set()
    assert listed(world, viewer, q="13900001111") == set()
    assert listed(world, viewer, q="13700002222") == {"u"}
    assert listed(world, world.users["field"], q="张三") == set()


# --- detail -----------------------------------------------------------------------------------------------------

def test_detail_shows_masked_debtor_and_accounts(world):
    case = world.cases["a"]
    r = api(world.users["col_a"]).get(f"/api/cases/{case.pk}/")
    assert r.status_code == 200
    body = r.json()
    id_number = resident_id(seq=111)
    assert resident_id(seq=111).encode() not in r.content
    assert b"13812348000" not in r.content
    assert body["debtor"]["full_name"] == "张三"
    assert body["debtor"]["id_number_masked"] == id_number[:6] + "********" + id_number[-4:]
    assert [p["value_masked"] for p in body["debtor"]["contact_points"]] == ["138****8000"]
    assert body["creditor"]["code"] == "bank"
    assert body["product_kinds"] == ["credit_card"]
    assert body["assigned_collector"]["username"] == "col_a"
    assert body["assigned_team"]["id"] == world.teams["A"].pk
    [account] = body["accounts"]
    assert account["reference"] == "CARD-0001" and account["product"]["kind"] == "credit_card"
    assert isinstance(account["total_balance"], str) and isinstance(body["total_balance"], str)
    assert body["total_balance"] == str(case.total_balance)
    assert [x["collector"]["username"] for x in body["assignments"]] == ["col_a"]


# --- assignment -------------------------------------------------------------------------------------------------

def assign(world, username, case_key, **data):
    return api(world.users[username]).post(f"/api/cases/{world.cases[case_key].pk}/assign/", data, format="json")


@pytest.mark.parametrize("username", ["viewer", "col_a", "col_b", "field", "compliance", "legal"])
def test_roles_that_may_not_assign_get_403(world, username):
    before = Assignment.objects.count()
    r = assign(world, username, "a", collector_id=world.users["col_a"].pk, reason="x")
    assert r.status_code == 403
    assert Assignment.objects.count() == before


def test_manager_assigns_an_unassigned_case(world):
    col_b = world.users["col_b"]
    r = assign(world, "manager", "u", collector_id=col_b.pk, reason="capacity")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["assigned_collector"]["id"] == col_b.pk
    assert body["assigned_team"]["id"] == world.teams["B"].pk  # the collector's team
    assert body["status"] == "open"
    assert body["assignments"][0]["reason"] == "capacity"
    assert body["assignments"][0]["assigned_by"]["username"] == "manager"
    assert AuditEvent.objects.filter(action="case.assign", object_id=str(world.cases["u"].pk)).exists()
    assert listed(world, col_b) == {"b", "u"}


def test_team_lead_assigns_within_own_team(world):
    field = world.users["field"]
    r = assign(world, "lead_a", "a", collector_id=field.pk, reason="visit")
    assert r.status_code == 200, r.content
    assert r.json()["assigned_collector"]["username"] == "field"
    assert listed(world, field) == {"a"}
    assert listed(world, world.users["col_a"]) == set()


def test_team_lead_may_not_assign_outside_own_teams(world):
    before = Assignment.objects.count()
    assert assign(world, "lead_a", "a", collector_id=world.users["col_b"].pk).status_code == 403
    assert assign(world, "lead_a", "a", team_id=world.teams["B"].pk).status_code == 403
    assert assign(world, "lead_a", "b", collector_id=world.users["col_a"].pk).status_code == 404  # not theirs
    assert assign(world, "lead_a", "u", collector_id=world.users["col_a"].pk).status_code == 404
    assert Assignment.objects.count() == before


def test_assign_validation_errors_name_the_field(world):
    before = (Assignment.objects.count(), AuditEvent.objects.count())
    r = assign(world, "manager", "u", collector_id=999_999)
    assert r.status_code == 400 and "collector_id" in r.json()
    r = assign(world, "manager", "u", team_id=999_999)
    assert r.status_code == 400 and "team_id" in r.json()
    # service errors are renamed to the API's field names
    r = assign(world, "manager", "u", team_id=world.teams["A"].pk, collector_id=world.users["col_b"].pk)
    assert r.status_code == 400 and "collector_id" in r.json(), r.content
    r = assign(world, "manager", "u", collector_id=world.users["compliance"].pk)
    assert r.status_code == 400 and "collector_id" in r.json()
    r = assign(world, "manager", "u", reason="nobody")
    assert r.status_code == 400 and "non_field_errors" in r.json()
    r = assign(world, "manager", "u", collector_id=world.users["col_a"].pk, reason="x" * 201)
    assert r.status_code == 400 and "reason" in r.json()
    assert (Assignment.objects.count(), AuditEvent.objects.count()) == before


def test_assigning_a_closed_case_is_400(world):
    from concord.cases.services import set_case_status

    set_case_status(None, world.cases["u"], "closed")
    r = assign(world, "manager", "u", collector_id=world.users["col_a"].pk)
    assert r.status_code == 400 and "case" in r.json()


# --- authentication ---------------------------------------------------------------------------------------------

def test_token_authentication(world):
    client = APIClient()
    r = client.post("/api/auth/token/", {"username": "col_a", "password": "pw-col_a"}, format="json")
    assert r.status_code == 200, r.content
    token = r.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = client.get("/api/cases/").json()
    assert names(world, [row["id"] for row in body["results"]]) == {"a"}
    # each exchange issues a new token (kept only as its digest); both work
    again = APIClient().post("/api/auth/token/", {"username": "col_a", "password": "pw-col_a"}, format="json")
    assert again.json()["token"] != token
    client.credentials(HTTP_AUTHORIZATION=f"Token {again.json()['token']}")
    assert client.get("/api/cases/").status_code == 200


def test_token_endpoint_refuses_bad_credentials_and_bad_tokens(world):
    r = APIClient().post("/api/auth/token/", {"username": "col_a", "password": "wrong"}, format="json")
    assert r.status_code == 400 and "token" not in r.json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/cases/").status_code == 401


def test_session_authentication(world):
    client = APIClient()
    assert client.login(username="viewer", password="pw-viewer")
    body = client.get("/api/cases/").json()
    assert names(world, [row["id"] for row in body["results"]]) == {"a", "u"}


def test_deactivated_users_token_stops_working(world):
    from concord.staff import tokens

    user = world.users["manager"]
    token, _row = tokens.issue(user)
    user.is_active = False
    user.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/cases/").status_code == 401
