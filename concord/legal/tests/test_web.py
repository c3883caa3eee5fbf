"""Legal pages: the list for the legal role, the case-page panel and its forms, downloads, zh and en."""
import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concord.core import clock
from concord.core.models import AuditEvent
from concord.legal import services
from concord.legal.models import LegalCase, LegalCost, LegalDocument, LegalStage

pytestmark = pytest.mark.django_db


def login(client, world, name, lang=None):
    client.force_login(world.users[name])
    if lang:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def page(client, case):
    return client.get(reverse("case-detail", args=[case.pk])).content.decode()


@pytest.mark.parametrize("lang,marker", [(None, 'lang="zh-hans"'), ("en", 'lang="en"')])
def test_panel_and_list_for_the_legal_role(client, world, lang, marker):
    legal = services.enter_legal(world.users["legal"], world.cases["a"], law_firm="正义律师事务所")
    services.add_cost(world.users["legal"], legal, kind="lawyer_fee", amount="1200.50",
                      incurred_on=clock.today())
    login(client, world, "legal", lang)
    html = page(client, world.cases["a"])
    assert marker in html and 'id="legal"' in html and 'id="legal-stage-form"' in html
    assert "1,200.50" in html and "正义律师事务所" in html
    html = client.get(reverse("legal:list")).content.decode()
    assert marker in html and world.cases["a"].reference in html and world.cases["b"].reference not in html
    assert "1,200.50" in html


def test_the_list_is_for_legal_managers_and_compliance(client, world):
    for name, code in (("legal", 200), ("manager", 200), ("admin", 200), ("compliance", 200),
                       ("col_a", 403), ("lead_a", 403), ("field", 403), ("viewer", 403)):
        assert login(client, world, name).get(reverse("legal:list")).status_code == code, name


def test_collectors_see_the_panel_without_legal_forms(client, world):
    services.enter_legal(world.users["legal"], world.cases["a"])
    html = page(login(client, world, "col_a"), world.cases["a"])
    assert 'id="legal"' in html and 'id="legal-stage-form"' not in html and 'id="legal-enter-form"' not in html
    r = client.post(reverse("legal:enter", args=[world.cases["a"].pk]), {}, follow=True)
    assert "未能转入法律程序" in r.content.decode() and "无权" in r.content.decode()
    assert LegalCase.objects.count() == 1
    assert 'id="legal"' not in page(login(client, world, "viewer"), world.cases["a"])


def test_enter_stage_cost_upload_and_download_through_the_pages(client, world, data_dir):
    case = world.cases["a"]
    login(client, world, "legal")
    assert 'id="legal-enter-form"' in page(client, case)
    r = client.post(reverse("legal:enter", args=[case.pk]), {"law_firm": "正义律师事务所", "lawyer": "王律师"})
    assert r.status_code == 302 and r["Location"].endswith("#legal")
    legal = LegalCase.objects.get()
    today = clock.today().isoformat()
    r = client.post(reverse("legal:stage", args=[legal.pk]), {"stage": "filing", "started_on": today}, follow=True)
    assert "阶段未开始" in r.content.decode() and not LegalStage.objects.exists()
    client.post(reverse("legal:stage", args=[legal.pk]), {"stage": "demand_letter", "started_on": today})
    stage = LegalStage.objects.get()
    r = client.post(reverse("legal:cost", args=[legal.pk]), {"kind": "lawyer_fee", "amount": "800.00",
                                                             "incurred_on": today, "stage": stage.pk})
    assert LegalCost.objects.get().stage == stage
    client.post(reverse("legal:upload", args=[legal.pk]),
                {"title": "律师函", "file": SimpleUploadedFile("letter.pdf", b"%PDF-1.4 x")})
    doc = LegalDocument.objects.get()
    r = client.get(reverse("legal:document", args=[doc.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"%PDF-1.4 x"
    assert AuditEvent.objects.filter(action="legal.document.download").count() == 1
    login(client, world, "col_a")
    assert client.get(reverse("legal:document", args=[doc.pk])).status_code == 403
    login(client, world, "col_b")
    assert client.get(reverse("legal:document", args=[doc.pk])).status_code == 404
    login(client, world, "legal")
    client.post(reverse("legal:complete", args=[stage.pk]), {"ended_on": today, "result": "已送达"})
    stage.refresh_from_db()
    assert stage.ended_on == clock.today()
    client.post(reverse("legal:close", args=[legal.pk]), {"reason": "paid"})
    legal.refresh_from_db()
    assert legal.status == "closed" and legal.hold.released_at is not None
    html = page(client, case)
    assert "已还清" in html and "律师函" in html and 'id="legal-enter-form"' in html   # may enter again


def test_a_time_barred_case_shows_why_and_cannot_enter(client, world, old_case):
    login(client, world, "legal")
    html = page(client, old_case)
    assert "诉讼时效已于" in html
    lim = services.limitation_of(old_case)
    r = client.post(reverse("legal:enter", args=[old_case.pk]), {}, follow=True)
    text = r.content.decode()
    assert "未能转入法律程序" in text and lim.expires_on.isoformat() in text
    assert not LegalCase.objects.exists()


def test_acknowledgement_form(client, world, old_case):
    login(client, world, "col_a")
    r = client.post(reverse("legal:acknowledge", args=[old_case.pk]),
                    {"kind": "written", "acknowledged_on": (clock.today() - dt.timedelta(days=3)).isoformat(),
                     "evidence": "签字确认书 ACK-1"}, follow=True)
    assert "债务确认已登记" in r.content.decode()
    assert "诉讼时效已于" not in page(client, old_case)
