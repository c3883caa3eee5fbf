"""Every page against every role: what each may see, what is forbidden, and that nothing leaks."""
import pytest
from django.urls import reverse

from concord.conftest import resident_id
from concord.core.models import AuditEvent
from concord.loans.models import Payment

VISIBLE = {
    "admin": {"a", "b", "u"}, "manager": {"a", "b", "u"}, "compliance": {"a", "b", "u"}, "legal": {"a", "b", "u"},
    "lead_a": {"a"}, "col_a": {"a"}, "col_b": {"b"}, "field": set(), "viewer": {"a", "u"},
}


def login(client, world, username):
    client.force_login(world.users[username])
    return client


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_case_list_shows_exactly_the_visible_cases(client, world, username):
    login(client, world, username)
    html = client.get(reverse("case-list")).content.decode()
    for key, case in world.cases.items():
        assert (case.reference in html) == (key in VISIBLE[username]), (username, key)
    assert f"共 {len(VISIBLE[username])} 个案件" in html


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_case_pages_are_restricted(client, world, username):
    login(client, world, username)
    for key, case in world.cases.items():
        response = client.get(reverse("case-detail", args=[case.pk]))
        assert response.status_code == (200 if key in VISIBLE[username] else 404), (username, key)


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_dashboard_counts_only_visible_cases(client, world, username):
    login(client, world, username)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.context["s"]["cases"] == len(VISIBLE[username])


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_search_never_leaks(client, world, username):
    login(client, world, username)
    # col_b's debtor by exact phone, in a different format than stored
    response = client.post(reverse("case-list"), {"q": "139-0000-1111"})
    refs = {c.reference for c in response.context["page"]}
    assert refs == ({world.cases["b"].reference} if "b" in VISIBLE[username] else set())


def test_anonymous_is_sent_to_login(client, world):
    for url in (reverse("dashboard"), reverse("case-list"), reverse("case-detail", args=[world.cases["a"].pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_case_page_shows_borrower_file_masked(client, world):
    login(client, world, "col_a")
    case = world.cases["a"]
    html = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    full_id = case.debtor.id_number
    assert full_id not in html and "13812348000" not in html
    assert full_id[:6] + "********" + full_id[-4:] in html
    assert "138****8000" in html
    for section in ("profile", "contacts", "parties", "finances", "assets", "credit", "accounts", "assignments"):
        assert f'id="{section}"' in html


def test_reveal_is_audited_and_role_checked(client, world):
    case = world.cases["a"]
    login(client, world, "col_a")
    before = AuditEvent.objects.filter(action="pii.reveal").count()
    response = client.post(reverse("case-reveal", args=[case.pk]), {"target": "id_number"})
    assert response.status_code == 200 and case.debtor.id_number in response.content.decode()
    assert AuditEvent.objects.filter(action="pii.reveal").count() == before + 1
    login(client, world, "viewer")
    response = client.post(reverse("case-reveal", args=[case.pk]), {"target": "id_number"})
    assert response.status_code == 403
    login(client, world, "col_b")
    assert client.post(reverse("case-reveal", args=[case.pk]), {"target": "id_number"}).status_code == 404


def test_viewer_cannot_write(client, world):
    login(client, world, "viewer")
    case = world.cases["a"]
    assert client.post(reverse("case-add-contact", args=[case.pk]), {"kind": "mobile", "value": "13600001234"}).status_code == 403
    assert client.post(reverse("case-record-payment", args=[case.pk]), {}).status_code == 403
    assert client.post(reverse("case-assign", args=[case.pk]), {}).status_code == 403


def test_payment_form_rejects_bad_input_and_writes_nothing(client, world):
    login(client, world, "manager")
    case = world.cases["b"]
    account = case.accounts.get()
    events = AuditEvent.objects.count()
    response = client.post(reverse("case-record-payment", args=[case.pk]), {
        "account": account.pk, "amount": "-5", "paid_at": "2026-11-20T10:00", "channel": "alipay",
        "external_reference": "X1"}, follow=True)
    text = response.content.decode()
    assert "金额" in text and "还款未入账" in text
    assert Payment.objects.count() == 0 and AuditEvent.objects.count() == events
    response = client.post(reverse("case-record-payment", args=[case.pk]), {
        "account": account.pk, "amount": "500.00", "paid_at": "2026-11-20T10:00", "channel": "alipay",
        "external_reference": "X1"}, follow=True)
    assert "还款已入账" in response.content.decode()
    assert Payment.objects.get().amount == 500


def test_contact_form_names_the_bad_field(client, world):
    login(client, world, "col_a")
    case = world.cases["a"]
    response = client.post(reverse("case-add-contact", args=[case.pk]), {"kind": "mobile", "value": "12345"}, follow=True)
    assert "号码/地址" in response.content.decode() and "联系方式未保存" in response.content.decode()
    assert case.debtor.contact_points.count() == 1


def test_lead_assigns_within_own_team_only(client, world):
    login(client, world, "lead_a")
    case = world.cases["a"]
    response = client.post(reverse("case-assign", args=[case.pk]), {"collector": world.users["col_b"].pk}, follow=True)
    assert "分案失败" in response.content.decode()
    case.refresh_from_db()
    assert case.assigned_collector == world.users["col_a"]


def test_english_on_request(client, world):
    login(client, world, "manager")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("case-list")).content.decode()
    assert "Cases" in html and "案件列表" not in html


def _new_case_data(world, **over):
    from concord.conftest import resident_id

    data = {"creditor": world.creditors["fin"].pk, "product_kind": "online_loan", "full_name": "赵六",
            "id_type": "cn_ric", "id_number": resident_id("320102", "19920315", 444), "mobile": "+86 135 0000 3333",
            "reference": "NEW-001", "contract_amount": "6000", "annual_rate": "0.15", "method": "equal_principal",
            "term_months": "6", "start_date": "2026-05-01", "paid_instalments": "1"}
    data.update(over)
    return data


def test_new_case_form_registers_everything(client, world):
    login(client, world, "manager")
    response = client.post(reverse("case-new"), _new_case_data(world))
    assert response.status_code == 302
    from concord.cases.models import Case

    case = Case.objects.get(debtor__full_name="赵六")
    account = case.accounts.get()
    assert account.instalments.count() == 6 and account.principal_balance == 5000
    assert case.debtor.contact_points.get().value == "+8613500003333"


@pytest.mark.parametrize("field,value,message", [
    ("id_number", "110105199001011235", "校验位"),
    ("id_number", resident_id("110105", "19900230", 123), "出生日期"),
    ("id_number", resident_id("000000", "19900101", 123), "地区"),
    ("mobile", "12345", "电话号码"),
    ("contract_amount", "-1", ""),
    ("contract_amount", "abc", ""),
    ("start_date", "2026-02-30", ""),
    ("method", "weekly", ""),
])
def test_new_case_form_rejects_bad_input_and_writes_nothing(client, world, field, value, message):
    from concord.debtors.models import Debtor

    login(client, world, "manager")
    debtors, events = Debtor.objects.count(), AuditEvent.objects.count()
    response = client.post(reverse("case-new"), _new_case_data(world, **{field: value}))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert Debtor.objects.count() == debtors and AuditEvent.objects.count() == events


def test_new_case_form_is_for_managers(client, world):
    for username in ("col_a", "lead_a", "viewer", "compliance"):
        login(client, world, username)
        assert client.get(reverse("case-new")).status_code == 403


CJK = __import__("re").compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("page", ["dashboard", "case-list", "case-detail", "case-new"])
def test_english_pages_have_no_untranslated_chinese(client, world, page):
    """Every user-facing string is translated: in English, the only Chinese left is data (names)."""
    login(client, world, "manager")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    case = world.cases["a"]
    url = reverse(page, args=[case.pk]) if page == "case-detail" else reverse(page)
    html = client.get(url).content.decode()
    data = ["简体中文", case.debtor.full_name, *(c.name for c in world.creditors.values()),
            *(t.name for t in world.teams.values()), *(p.name for c in world.creditors.values() for p in c.products.all()),
            *(c.debtor.full_name for c in world.cases.values())]
    for value in sorted(data, key=len, reverse=True):
        html = html.replace(value, "")
    leftovers = sorted(set(CJK.findall(html)))
    assert not leftovers, f"untranslated text on {page}: {''.join(leftovers)}"


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_admin_site_is_for_operators_only(client, world, username):
    login(client, world, username)
    response = client.get("/admin/")
    if username == "admin":
        assert response.status_code == 200
        # domain data is read-only there: no add page for debtors, cases or payments
        for model in ("debtors/debtor", "cases/case", "loans/payment"):
            assert client.get(f"/admin/{model}/add/").status_code == 403
    else:
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_search_by_phone_or_id_number_goes_by_post_never_in_the_url(client, world):
    from concord.conftest import resident_id

    login(client, world, "manager")
    refused = client.get(reverse("case-list"), {"q": "13900001111"})
    assert refused.status_code == 200 and not list(refused.context["page"])
    assert "搜索框" in refused.content.decode()
    page = client.get(reverse("case-list")).content.decode()
    assert 'method="post"' in page and 'id="case-filters"' in page
    found = client.post(reverse("case-list"), {"q": "13900001111"})
    assert {c.reference for c in found.context["page"]} == {world.cases["b"].reference}
    by_id = client.post(reverse("case-list"), {"q": resident_id(seq=111)})
    assert {c.reference for c in by_id.context["page"]} == {world.cases["a"].reference}
    # names and references still work in a link
    by_name = client.get(reverse("case-list"), {"q": "张三"})
    assert {c.reference for c in by_name.context["page"]} == {world.cases["a"].reference}
    by_reference = client.get(reverse("case-list"), {"q": world.cases["b"].reference})
    assert {c.reference for c in by_reference.context["page"]} == {world.cases["b"].reference}


def test_the_api_refuses_a_phone_in_the_url_and_searches_by_post(world):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.users["manager"])
    for url in ("/api/cases/", "/api/debtors/"):
        refused = api.get(url, {"q": "+8613900001111"})
        assert refused.status_code == 400 and "q" in refused.json()
        found = api.post(url + "search/", {"q": "+8613900001111"}, format="json")
        assert found.status_code == 200 and found.json()["count"] == 1
