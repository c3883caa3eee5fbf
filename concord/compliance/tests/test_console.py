"""The compliance console: pages render in Chinese and English, filters work, forms call the services, exports."""
import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from concord.compliance import services
from concord.compliance.models import Complaint, Hold, Qualification
from concord.core import clock
from concord.core.models import AuditEvent

SH = ZoneInfo("Asia/Shanghai")
PAGES = ["compliance-decisions", "compliance-holds", "compliance-complaints", "compliance-packs",
         "compliance-qualifications", "compliance-export"]


@pytest.fixture
def decided(world):
    """A few decisions today: allowed and denied, two creditors, one with a formula-looking template."""
    now = timezone.localtime(clock.now())
    day = now.replace(hour=10, minute=0, second=0, microsecond=0)
    night = now.replace(hour=23, minute=0, second=0, microsecond=0)
    out = [services.decide_contact(world.users["manager"], case=world.cases["a"], channel="call",
                                   number="13812348000", at=day),
           services.decide_contact(world.users["manager"], case=world.cases["a"], channel="call",
                                   number="13812348000", at=night),
           services.decide_contact(world.users["col_b"], case=world.cases["b"], channel="sms", at=day,
                                   template="=HYPERLINK(\"http://x\") 你这个老赖")]
    return out


def login(client, world, username="compliance", lang=None):
    client.force_login(world.users[username])
    if lang:
        client.cookies["django_language"] = lang
    return client


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_pages_render_in_both_languages(client, world, decided, name, lang):
    login(client, world, lang=lang)
    r = client.get(reverse(name))
    assert r.status_code == 200
    html = r.content.decode()
    assert "合规控制台" in html or "Compliance" in html or lang == "en"
    assert r["Content-Language"] == lang


def test_decisions_show_reason_in_chosen_language(client, world, decided):
    login(client, world)
    html = client.get(reverse("compliance-decisions")).content.decode()
    assert "不在允许联系的时段" in html and "denial-chart" in html and "<svg" in html
    login(client, world, lang="en")
    html = client.get(reverse("compliance-decisions")).content.decode()
    assert "outside the allowed contact hours" in html


def test_decision_filters(client, world, decided):
    login(client, world)
    page = client.get(reverse("compliance-decisions"), {"allowed": "deny"}).context["page"]
    assert {d.pk for d in page} == {decided[1].pk, decided[2].pk}
    page = client.get(reverse("compliance-decisions"), {"rule": "CN5"}).context["page"]
    assert [d.pk for d in page] == [decided[1].pk]
    page = client.get(reverse("compliance-decisions"), {"creditor": world.creditors["fin"].pk}).context["page"]
    assert [d.pk for d in page] == [decided[2].pk]
    page = client.get(reverse("compliance-decisions"), {"collector": world.users["col_b"].pk}).context["page"]
    assert [d.pk for d in page] == [decided[2].pk]
    future = (clock.today() + dt.timedelta(days=3)).isoformat()
    assert client.get(reverse("compliance-decisions"), {"date_from": future}).context["page"].paginator.count == 0
    r = client.get(reverse("compliance-decisions"), {"date_from": future, "date_to": "2020-01-01"})
    assert "截止日期不能早于起始日期" in r.content.decode()
    r = client.get(reverse("compliance-decision", args=[decided[2].pk]))
    assert r.status_code == 200 and "CONTENT" in r.content.decode()


def test_console_refuses_other_roles(client, world):
    for username in ("col_a", "lead_a", "viewer", "legal"):
        login(client, world, username)
        assert client.get(reverse("compliance-decisions")).status_code == 403
    client.logout()
    assert client.get(reverse("compliance-decisions")).status_code == 302


def test_hold_place_and_release_forms(client, world):
    login(client, world)
    r = client.post(reverse("compliance-hold-place"), {"case": world.cases["b"].reference, "kind": "legal",
                                                       "this_creditor_only": "on", "reason": "诉讼中"}, follow=True)
    assert "已暂停催收" in r.content.decode()
    hold = Hold.objects.get()
    assert hold.creditor == world.creditors["fin"] and hold.placed_by == world.users["compliance"]
    r = client.post(reverse("compliance-hold-place"), {"case": "NOPE-1", "kind": "legal", "reason": "x"}, follow=True)
    assert "找不到案件编号" in r.content.decode()
    r = client.post(reverse("compliance-hold-release", args=[hold.pk]), {"reason": "撤诉"}, follow=True)
    assert "已解除暂停" in r.content.decode()
    hold.refresh_from_db()
    assert hold.released_at and hold.release_reason == "撤诉"
    assert AuditEvent.objects.filter(action="compliance.hold.release").exists()


def test_complaint_intake_countdown_and_resolve(client, world):
    login(client, world)
    r = client.post(reverse("compliance-complaint-open"), {
        "case": world.cases["a"].reference, "kind": "complaint", "source": "regulator_12378", "category": "frequency",
        "severity": "high", "owner": world.users["compliance"].pk, "summary": "12378 转办：夜间频繁来电"}, follow=True)
    assert "已登记" in r.content.decode()
    c = Complaint.objects.get()
    assert c.hold and c.hold.released_at is None
    html = client.get(reverse("compliance-complaints")).content.decode()
    assert "14天23小时" in html or "14天22小时" in html
    r = client.post(reverse("compliance-complaint-resolve", args=[c.pk]), {"resolution": "upheld", "reply": ""},
                    follow=True)
    assert "答复内容" in r.content.decode()
    r = client.post(reverse("compliance-complaint-resolve", args=[c.pk]),
                    {"resolution": "upheld", "reply": "已致歉"}, follow=True)
    c.refresh_from_db()
    assert c.status == "resolved" and c.hold.released_at is not None
    login(client, world, lang="en")
    assert client.get(reverse("compliance-complaint", args=[c.pk])).status_code == 200


def test_overrides_form_refuses_looser(client, world):
    login(client, world)
    r = client.post(reverse("compliance-packs"), {"creditor": world.creditors["bank"].pk,
                                                  "overrides": '{"CN6": {"max": 9}}'})
    html = r.content.decode()
    assert r.status_code == 200 and "looser" in html and "宽松" in html
    r = client.post(reverse("compliance-packs"), {"creditor": world.creditors["bank"].pk, "overrides": "{oops"})
    assert "不是有效的 JSON" in r.content.decode()
    r = client.post(reverse("compliance-packs"), {"creditor": world.creditors["bank"].pk,
                                                  "overrides": '{"CN6": {"max": 5}}'}, follow=True)
    assert "规则收紧已保存" in r.content.decode()
    html = client.get(reverse("compliance-packs")).content.decode()
    assert "⚠ S" in html and "GB/T 45251-2025" in html
    login(client, world, "manager")
    assert client.post(reverse("compliance-packs"), {"creditor": world.creditors["bank"].pk,
                                                     "overrides": "{}"}).status_code == 403


def test_qualifications_page(client, world):
    login(client, world)
    r = client.post(reverse("compliance-qualifications"), {
        "user": world.users["col_a"].pk, "kind": "annual_refresher",
        "passed_on": (clock.today() - dt.timedelta(days=350)).isoformat()}, follow=True)
    assert "资质已登记" in r.content.decode()
    q = Qualification.objects.get()
    assert q.expires_on == q.passed_on + dt.timedelta(days=365)
    html = client.get(reverse("compliance-qualifications")).content.decode()
    assert world.users["col_a"].username in html and "岗前考试" in html   # lapsing soon and still missing the exam


def test_case_options_page(client, world):
    login(client, world)
    r = client.get(reverse("compliance-case-options", args=[world.cases["a"].pk]))
    assert r.status_code == 200
    assert "138****8000" in r.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_contents_and_formula_neutralised(client, world, decided, fmt):
    login(client, world)
    today = clock.today().isoformat()
    r = client.get(reverse("compliance-export"), {"date_from": today, "date_to": today, "format": fmt,
                                                  "creditor": world.creditors["fin"].pk})
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    else:
        ws = load_workbook(io.BytesIO(r.content)).active
        rows = [[("" if v is None else str(v)) for v in row] for row in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "编号" and len(rows) == 2
    row = rows[1]
    assert row[0] == str(decided[2].pk) and row[9] == "拒绝" and "CONTENT" in row[10]
    # every cell that would start a formula starts with an apostrophe instead
    assert all(not c.startswith(("=", "+", "-", "@")) for c in row)
    assert row[-1].startswith("'=HYPERLINK")
    assert AuditEvent.objects.filter(action="compliance.export").count() == 1
    all_rows = client.get(reverse("compliance-export"), {"date_from": today, "date_to": today, "format": "csv"})
    assert len(list(csv.reader(io.StringIO(all_rows.content.decode("utf-8-sig"))))) == 4


def test_export_neutralise_unit():
    from concord.compliance.export import neutralise
    assert neutralise("=1+1") == "'=1+1" and neutralise("+86") == "'+86" and neutralise("-3") == "'-3"
    assert neutralise("@SUM") == "'@SUM" and neutralise("ok") == "ok" and neutralise(5) == 5
