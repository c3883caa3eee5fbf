"""Visit pages: the case-page panel, the list, the detail, the forms, downloads, in Chinese and English."""
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from concord.core import clock
from concord.core.models import AuditEvent
from concord.visits import services
from concord.visits.models import FieldVisit, VisitFile, VisitStatus

from .conftest import ADDRESS, when

pytestmark = pytest.mark.django_db


def login(client, world, name, lang=None):
    client.force_login(world.users[name])
    if lang:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def scheduled(vw):
    visit = services.request_visit(vw.users["col_a"], vw.cases["a"], address=vw.address, purpose="negotiate",
                                   at=when(1, 9))
    return services.schedule_visit(vw.users["lead_a"], visit, agents=[vw.users["col_a"], vw.users["field"]],
                                   scheduled_at=when(2, 10), at=when(1, 9, 30))


@pytest.mark.parametrize("lang,marker", [(None, 'lang="zh-hans"'), ("en", 'lang="en"')])
def test_case_panel_shows_visits_with_the_address_masked(client, vw, lang, marker):
    scheduled(vw)
    html = login(client, vw, "col_a", lang).get(reverse("case-detail", args=[vw.cases["a"].pk])).content.decode()
    assert marker in html and 'id="visits"' in html
    assert ADDRESS not in html and ADDRESS[:6] + "****" in html
    assert 'id="visit-request-form"' in html            # a collector may request
    assert "visit-schedule" not in html                # but not schedule


def test_lead_sees_schedule_form_and_viewer_sees_no_panel(client, vw):
    visit = services.request_visit(vw.users["col_a"], vw.cases["a"], address=vw.address, purpose="negotiate")
    html = login(client, vw, "lead_a").get(reverse("case-detail", args=[vw.cases["a"].pk])).content.decode()
    assert 'id="visits"' in html and "visit-schedule" in html and f'id="visit{visit.pk}_agents' in html
    assert "visit-report" not in html                  # only a scheduled visit is reported
    html = login(client, vw, "viewer").get(reverse("case-detail", args=[vw.cases["a"].pk])).content.decode()
    assert 'id="visits"' not in html


def test_request_and_schedule_through_the_forms(client, vw):
    login(client, vw, "col_a")
    r = client.post(reverse("visits:request", args=[vw.cases["a"].pk]),
                    {"address": vw.address.pk, "purpose": "verify_address", "note": "核实居住情况"})
    assert r.status_code == 302 and r["Location"].endswith("#visits")
    visit = FieldVisit.objects.get()
    login(client, vw, "lead_a")
    soon = (timezone.localtime(clock.now()) + timezone.timedelta(days=1)).replace(hour=10, minute=0)
    r = client.post(reverse("visits:schedule", args=[visit.pk]),
                    {"agents": [vw.users["field"].pk], "scheduled_at": soon.strftime("%Y-%m-%dT%H:%M")}, follow=True)
    assert "外访未排期" in r.content.decode() and "至少需要 2 名" in r.content.decode()
    r = client.post(reverse("visits:schedule", args=[visit.pk]),
                    {"agents": [vw.users["field"].pk, vw.users["col_a"].pk], "scheduled_at": "2031-01-01T10:00"},
                    follow=True)
    assert "不能超过 90 天" in r.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.REQUESTED
    r = client.post(reverse("visits:schedule", args=[visit.pk]),
                    {"agents": [vw.users["field"].pk, vw.users["col_a"].pk],
                     "scheduled_at": soon.strftime("%Y-%m-%dT%H:%M")}, follow=True)
    assert "外访已排期" in r.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SCHEDULED


def test_field_agent_lists_opens_reports_and_downloads(client, vw, time_machine):
    visit = scheduled(vw)
    login(client, vw, "field")
    html = client.get(reverse("visits:list")).content.decode()
    assert vw.cases["a"].reference in html and ADDRESS not in html
    html = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert ADDRESS not in html and 'id="visit-report"' in html
    r = client.post(reverse("visits:address", args=[visit.pk]))
    assert ADDRESS in r.content.decode()
    assert AuditEvent.objects.filter(action="visit.address.view").count() == 1
    # the clock moves to 2 December 12:00 so that a visit at 10:15 is in the past
    time_machine.move_to(when(2, 12))
    r = client.post(reverse("visits:report", args=[visit.pk]),
                    {"outcome": "conversation", "note": "见到本人，协商分期", "visited_at": "2026-12-02T10:15",
                     "back": "visit", "files": [SimpleUploadedFile("p.png", b"\x89PNG data")]})
    assert r.status_code == 302 and r["Location"] == reverse("visits:detail", args=[visit.pk])
    visit.refresh_from_db()
    assert visit.status == VisitStatus.REPORTED and visit.visited_at == when(2, 10, 15)
    vfile = VisitFile.objects.get()
    html = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert reverse("visits:file", args=[vfile.pk]) in html and "见到本人" in html and 'id="visit-report"' not in html
    r = client.get(reverse("visits:file", args=[vfile.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"\x89PNG data"
    assert "attachment" in r["Content-Disposition"]
    login(client, vw, "col_b")
    assert client.get(reverse("visits:file", args=[vfile.pk])).status_code == 404
    assert client.get(reverse("visits:detail", args=[visit.pk])).status_code == 404
    login(client, vw, "viewer")
    assert client.get(reverse("visits:file", args=[vfile.pk])).status_code in (403, 404)


@pytest.mark.parametrize("lang", [None, "en"])
def test_visit_list_for_roles(client, vw, lang):
    scheduled(vw)
    for name, sees in (("lead_a", True), ("manager", True), ("col_b", False), ("field", True)):
        html = login(client, vw, name, lang).get(reverse("visits:list") + "?scope=all").content.decode()
        assert (vw.cases["a"].reference in html) == sees, name
    assert login(client, vw, "viewer").get(reverse("visits:list")).status_code == 403
    html = login(client, vw, "col_a").get(reverse("visits:list")).content.decode()
    assert vw.cases["a"].reference in html                   # "mine": col_a requested it and goes on it


def test_cancel_through_the_page(client, vw):
    visit = scheduled(vw)
    login(client, vw, "lead_a")
    r = client.post(reverse("visits:cancel", args=[visit.pk]), {"reason": "已电话联系上本人", "back": "visit"})
    assert r.status_code == 302 and r["Location"] == reverse("visits:detail", args=[visit.pk])
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED
