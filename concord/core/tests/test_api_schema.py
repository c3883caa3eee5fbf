"""The API contract: the OpenAPI schema generates cleanly, money is never a number, the docs page is offline-safe,
and service validation errors become 400s that name their fields."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management import call_command
from rest_framework.test import APIClient, APIRequestFactory

from concord.core import api


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    """Generate with validation; any warning or error fails the command."""
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_schema_generates_without_warnings(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Concord API"


def test_schema_generator_reports_no_warnings_or_errors():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, "schema generation emitted warnings or errors"


def test_schema_covers_the_api(schema):
    paths = schema["paths"]
    expected = {
        "/api/auth/token/": {"post"},
        "/api/cases/": {"get"}, "/api/cases/{id}/": {"get"}, "/api/cases/{id}/assign/": {"post"},
        "/api/debtors/": {"get"}, "/api/debtors/{id}/": {"get"}, "/api/debtors/{id}/reveal/": {"post"},
        "/api/accounts/": {"get"}, "/api/accounts/{id}/": {"get"},
        "/api/payments/": {"get", "post"}, "/api/payments/{id}/": {"get"}, "/api/payments/{id}/reverse/": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) >= methods, path
    params = {p["name"] for p in paths["/api/cases/"]["get"]["parameters"]}
    assert params >= {"creditor", "product_kind", "bucket", "status", "collector", "dpd_min", "dpd_max",
                      "balance_min", "balance_max", "q", "page", "page_size"}
    create = paths["/api/payments/"]["post"]["responses"]
    assert {"200", "201", "400", "403", "404"} <= set(create)
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_fields_that_can_be_empty_are_nullable_in_the_schema(schema, db):
    """A payment recorded by a file import or the system has no recorder: the API answers null, so says the schema."""
    from concord.conftest import build_world
    from concord.loans import services as loans

    world = build_world()
    account = world.cases["a"].accounts.first()
    payment, _created = loans.record_payment(None, account=account, amount="10.00", paid_at=_paid_at(),
                                             channel="bank_transfer", external_reference="SYS-1")
    client = APIClient()
    client.force_authenticate(world.users["manager"])
    body = client.get(f"/api/payments/{payment.pk}/").json()
    assert body["recorded_by"] is None
    assert schema["components"]["schemas"]["Payment"]["properties"]["recorded_by"]["nullable"] is True


def _paid_at():
    import datetime as dt

    from concord.core import clock

    return clock.now() - dt.timedelta(days=1)


def test_money_is_a_string_in_the_schema(schema):
    components = schema["components"]["schemas"]

    def walk(node, where):
        if isinstance(node, dict):
            assert node.get("type") != "number", where  # no float anywhere: amounts, rates, all strings
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(schema, "schema")
    for component, field in [("Payment", "amount"), ("PaymentCreate", "amount"), ("Account", "total_balance"),
                             ("Case", "total_balance"), ("Affordability", "left")]:
        prop = components[component]["properties"][field]
        assert prop["type"] == "string" and prop["format"] == "decimal", (component, field)


def test_enums_are_named_after_their_model_field(schema):
    components = schema["components"]["schemas"]
    assert components["CaseStatusEnum"]["enum"] == ["new", "open", "on_hold", "settled", "recalled", "closed"]
    assert "settled" in components["LoanAccountStatusEnum"]["enum"]
    assert "mobile" in components["ContactPointKindEnum"]["enum"]
    assert "vehicle" in components["AssetKindEnum"]["enum"]
    assert components["Case"]["properties"]["status"]["allOf"][0]["$ref"].endswith("/CaseStatusEnum")


def test_no_plaintext_pii_fields_in_the_schema(schema):
    components = schema["components"]["schemas"]
    for name in ("Debtor", "DebtorDetail", "DebtorSummary", "ContactPoint", "RelatedParty"):
        props = set(components[name]["properties"])
        assert not props & {"id_number", "value", "phone", "birth_date"}, name


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    r = client.get("/api/schema/")
    assert r.status_code == 200
    r = client.get("/api/docs/")
    assert r.status_code == 200


@pytest.mark.django_db
def test_docs_page_uses_only_local_assets(client):
    html = client.get("/api/docs/").content.decode()
    assert not re.search(r"https?://", html), "the docs page must not reference external URLs"
    assert "//cdn" not in html and "unpkg" not in html and "jsdelivr" not in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 3
    script = "/api/docs/?script="  # the page's own script, served apart (no inline script: CSP)
    assert script in assets and "<style" not in html and not re.search(r"<script(?![^>]*src=)", html)
    for url in assets:
        if url == script:
            continue
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a local static file"
    js = client.get(script).content.decode()
    assert not re.search(r"https?://", js)
    # BaseLayout has no online-validator badge (StandaloneLayout's badge would call validator.swagger.io)
    assert 'layout: "BaseLayout"' in js
    assert 'url: "/api/schema/"' in js


# --- error handling ---------------------------------------------------------------------------------------------

def _handle(exc):
    from rest_framework.views import APIView

    request = APIRequestFactory().post("/")
    return api.exception_handler(exc, {"view": APIView(), "request": request})


def test_service_validation_error_becomes_a_400_naming_fields():
    r = _handle(DjangoValidationError({"amount": ["金额必须大于 0"], "paid_at": ["too late"]}))
    assert r.status_code == 400
    assert r.data == {"amount": ["金额必须大于 0"], "paid_at": ["too late"]}


def test_non_field_errors_and_codes():
    r = _handle(DjangoValidationError({"__all__": ["whole thing"]}))
    assert r.status_code == 400 and r.data == {"non_field_errors": ["whole thing"]}
    r = _handle(DjangoValidationError(["one", "two"]))
    assert r.data == {"non_field_errors": ["one", "two"]}
    r = _handle(DjangoValidationError({"external_reference": [DjangoValidationError("%(r)s used", code="duplicate",
                                                                                  params={"r": "T1"})]}))
    assert r.data["external_reference"][0] == "T1 used"
    assert r.data["external_reference"][0].code == "duplicate"


def test_other_exceptions_keep_drf_behaviour():
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    assert _handle(PermissionDenied("no")).status_code == 403
    assert _handle(Http404()).status_code == 404
    assert _handle(ValueError("boom")) is None  # unhandled: a 500, as before


def test_service_errors_renames_fields():
    from rest_framework.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        with api.service_errors(collector="collector_id"):
            raise DjangoValidationError({"collector": ["not a collector"], "case": ["closed"]})
    assert info.value.detail == {"collector_id": ["not a collector"], "case": ["closed"]}


def test_money_field():
    from rest_framework.exceptions import ValidationError

    field = api.MoneyField()
    assert field.to_internal_value("1234.5") == Decimal("1234.5")
    assert field.to_internal_value(12) == Decimal("12")
    assert field.to_representation(Decimal("1234.5")) == "1234.50"
    for bad in (12.5, True, "12.345", "1,000", "abc", "Infinity"):
        with pytest.raises(ValidationError):
            field.to_internal_value(bad)


def test_aware_datetime_field():
    from rest_framework.exceptions import ValidationError

    field = api.AwareDateTimeField()
    value = field.to_internal_value("2026-11-28T10:00:00+08:00")
    assert value.utcoffset() is not None and value.isoformat().startswith("2026-11-28T10:00:00")
    assert field.to_internal_value("2026-11-28T02:00:00Z") == value
    with pytest.raises(ValidationError):
        field.to_internal_value("2026-11-28T10:00:00")


def test_unauthenticated_api_root_is_401():
    assert APIClient().get("/api/").status_code == 401


@pytest.mark.django_db
def test_api_root_and_namespaced_url_names(django_user_model):
    from django.urls import resolve, reverse

    assert reverse("api:case-list") == "/api/cases/"
    assert reverse("api:payment-reverse", args=[7]) == "/api/payments/7/reverse/"
    # every API route lives in the "api" namespace, so none shadows a web UI name such as "case-list"
    for url in ("/api/", "/api/cases/", "/api/cases/1/", "/api/debtors/1/reveal/", "/api/auth/token/"):
        assert resolve(url).namespace == "api", url
    user = django_user_model.objects.create_user("m1", password="pw-m1-long", role="manager")
    client = APIClient()
    client.force_authenticate(user)
    body = client.get("/api/").json()
    assert set(body) == {"cases", "debtors", "accounts", "payments", "imports", "arrangements"}
