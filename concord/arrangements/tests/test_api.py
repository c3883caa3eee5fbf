"""The arrangements API: the same services and checks as the web UI."""
import datetime as dt

import pytest
from rest_framework.test import APIClient

from concord.arrangements.models import Arrangement
from concord.core import clock

pytestmark = pytest.mark.urls("concord.arrangements.tests.api_urls")


def client_for(world, username):
    client = APIClient()
    client.force_authenticate(world.users[username])
    return client


def body(world, **changes):
    data = {"case": world.cases["a"].pk, "kind": "settlement", "months": 12, "discount_amount": "1608.00",
            "first_due": (clock.today() + dt.timedelta(days=10)).isoformat(), "reason": "收入下降，申请减免"}
    data.update(changes)
    return data


def test_propose_approve_activate_over_the_api(arr):
    r = client_for(arr, "col_a").post("/api/arrangements/", body(arr), format="json")
    assert r.status_code == 201, r.json()
    data = r.json()
    assert data["status"] == "proposed" and data["required_role"] == "team_lead" and data["total"] == "14472.00"
    assert len(data["instalments"]) == 12 and data["affordability"]["monthly_cap"] == "2250.00"
    pk = data["id"]
    assert client_for(arr, "col_a").post(f"/api/arrangements/{pk}/approve/", {"reason": "x"}).status_code == 403
    r = client_for(arr, "lead_a").post(f"/api/arrangements/{pk}/approve/", {"reason": "核实无误"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert r.json()["approvals"][0]["approver"] == "lead_a"
    r = client_for(arr, "col_a").post(f"/api/arrangements/{pk}/activate/")
    assert r.status_code == 200 and r.json()["status"] == "active"


def test_api_errors_name_the_field_and_access_is_restricted(arr):
    r = client_for(arr, "col_a").post("/api/arrangements/", body(arr, months=2, kind="instalment_plan",
                                                                  discount_amount="0"), format="json")
    assert r.status_code == 400 and "months" in r.json()
    r = client_for(arr, "col_a").post("/api/arrangements/", body(arr, discount_amount=1608.0), format="json")
    assert r.status_code == 400 and "discount_amount" in r.json()  # money as a float is refused
    assert client_for(arr, "col_b").post("/api/arrangements/", body(arr), format="json").status_code == 404
    assert client_for(arr, "viewer").post("/api/arrangements/", body(arr), format="json").status_code == 403
    assert Arrangement.objects.count() == 0
    client_for(arr, "col_a").post("/api/arrangements/", body(arr), format="json")
    assert client_for(arr, "col_b").get("/api/arrangements/").json()["count"] == 0
    assert client_for(arr, "viewer").get("/api/arrangements/").json()["count"] == 1
    assert client_for(arr, "manager").get("/api/arrangements/", {"status": "proposed"}).json()["count"] == 1
