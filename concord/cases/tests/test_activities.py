"""The activity log's one door: contacts need a stored allow, notes are content-checked, panels render."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from concord.cases.activities import log_activity
from concord.cases.models import Activity
from concord.cases.panels import Panel, _PANELS, register
from concord.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_note_is_logged_with_its_audit_event(world):
    case = world.cases["a"]
    before = AuditEvent.objects.count()
    entry = log_activity(world.users["col_a"], case, kind="note", summary="借款人称下周发工资", note="约定周五再联系")
    assert Activity.objects.get() == entry and entry.actor == world.users["col_a"]
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("id").action == "activity.note"


def test_a_note_with_prohibited_content_is_refused_naming_it(world):
    with pytest.raises(ValidationError) as exc:
        log_activity(world.users["col_a"], world.cases["a"], kind="note", summary="电话", note="再不还钱就爆通讯录")
    assert "note" in exc.value.message_dict and "爆通讯录" in exc.value.message_dict["note"][0]
    assert not Activity.objects.exists()


def test_an_outbound_contact_needs_an_allow(world):
    with pytest.raises(ValidationError) as exc:
        log_activity(world.users["col_a"], world.cases["a"], kind="call", direction="outbound", summary="外呼")
    assert "decision" in exc.value.message_dict


def test_the_case_page_shows_the_log_and_registered_panels(client, world):
    case = world.cases["a"]
    log_activity(world.users["col_a"], case, kind="note", summary="首次联系前核对资料")
    register(Panel("test-panel", "cases/_panel_example.html", lambda request, c: {"word": f"PANEL-{c.pk}"}))
    try:
        client.force_login(world.users["col_a"])
        page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    finally:
        _PANELS.pop("test-panel")
    assert "首次联系前核对资料" in page and f"PANEL-{case.pk}" in page
