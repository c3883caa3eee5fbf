"""The compose preview shows what the compliance gate would decide for this very message before the collector
presses send (nothing stored: the decision that counts is taken and stored at send)."""
import datetime as dt

from django.urls import reverse

from concord.compliance import services as compliance
from concord.compliance.models import ContactDecision
from concord.outreach import selectors, services

from .conftest import AT, SH, at


def preview(world, case="a", channel="sms", code="reminder", user="col_a", when=AT):
    case = world.cases[case]
    point = services.contact_point_for(case, channel, None)
    rendered = services.render_message(case, services.template_for(case, code, channel), when)
    return selectors.gate_preview(world.users[user], case, rendered, point, when)


def test_allowed_in_the_daytime_and_nothing_is_stored(book):
    option = preview(book)
    assert option.allowed and option.channel == "sms" and option.target == "138****8000"
    assert preview(book, channel="email").allowed
    assert not ContactDecision.objects.exists()


def test_at_night_denied_with_the_rule_the_reason_and_when(book):
    option = preview(book, when=at(hour=23))
    assert not option.allowed and "CN5" in option.rules and option.reason_zh and option.reason_en
    assert option.next_at == dt.datetime(2026, 12, 2, 8, 0, tzinfo=SH)
    assert not ContactDecision.objects.exists()


def test_the_preview_agrees_with_the_decision_stored_at_send(book):
    compliance.place_hold(None, debtor=book.cases["a"].debtor, kind="legal", reason="诉讼中", at=at(hour=9))
    option = preview(book)
    sent = services.send_message(book.users["col_a"], book.cases["a"], channel="sms", template_code="reminder",
                                 at=AT)
    assert not option.allowed and not sent.allowed
    assert list(option.rules) == list(sent.decision.rules) and option.reason_zh == sent.decision.reason_zh


def test_the_message_purpose_counts_a_service_letter_passes_a_hold_a_demand_does_not(book):
    compliance.place_hold(None, debtor=book.cases["a"].debtor, kind="legal", reason="诉讼中", at=at(hour=9))
    demand = preview(book, channel="letter", code="demand_letter")
    service = preview(book, channel="letter", code="arrangement_confirmation")
    assert not demand.allowed and "HOLD" in demand.rules and demand.next_note
    assert service.allowed


def test_an_unqualified_collector_is_told_before_sending(book):
    from concord.compliance.models import Qualification
    Qualification.objects.filter(user=book.users["col_a"]).delete()
    option = preview(book)
    assert not option.allowed and option.rules == ("QUAL",) and option.next_at is None and option.next_note


def _compose(client, book, settings, when, **extra):
    settings.CONCORD_CLOCK = when.isoformat()
    case = book.cases["a"]
    point = case.debtor.contact_points.get(kind="mobile")
    client.force_login(book.users["col_a"])
    return client.get(reverse("outreach-compose", args=[case.pk]),
                      {"channel": "sms", "template": "reminder", "to": point.pk}, HTTP_HX_REQUEST="true", **extra)


def test_the_preview_page_shows_allowed(book, client, settings):
    html = _compose(client, book, settings, AT).content.decode()
    assert 'id="gate-preview" class="allowed"' in html and "合规闸门：现在可以发送" in html
    assert 'id="send-form"' in html and "disabled" not in html
    assert not ContactDecision.objects.exists()


def test_the_preview_page_shows_a_denial_with_rule_reason_and_time_and_send_is_disabled(book, client, settings):
    response = _compose(client, book, settings, at(hour=23))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="gate-preview" class="denied"' in html
    assert "合规闸门：现在不能发送" in html and "CN5" in html
    option = preview(book, when=at(hour=23))
    assert option.reason_zh in html and "最早可于 2026-12-02 08:00 发送" in html
    assert "<button type=\"submit\" disabled" in html
    assert not ContactDecision.objects.exists()


def test_the_preview_page_in_english_gives_the_english_reason(book, client, settings):
    option = preview(book, when=at(hour=23))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = _compose(client, book, settings, at(hour=23)).content.decode()
    assert option.reason_en in html and option.reason_zh not in html and "CN5" in html
