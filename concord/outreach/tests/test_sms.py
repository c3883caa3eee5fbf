"""SMS: the sink, the HTTP adapter against a local server, receipts, opt-out replies, gate denials, pages."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.urls import reverse

from concord.cases.models import Activity
from concord.compliance.models import CeaseRequest, ContactAttempt, ContactDecision
from concord.outreach import services
from concord.outreach.models import OutboundMessage

from .conftest import AT, at


class Provider:
    """A local SMS provider: records each request; answers as told."""

    def __init__(self, status=200, answer=None, delay=0.0):
        self.requests, self.status, self.answer, self.delay = [], status, answer, delay
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                provider.requests.append({"auth": self.headers.get("Authorization"), "body": json.loads(body)})
                time.sleep(provider.delay)
                payload = json.dumps(provider.answer if provider.answer is not None
                                     else {"id": f"prov-{len(provider.requests)}"}).encode()
                try:
                    self.send_response(provider.status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider(settings):
    p = Provider()
    settings.CONCORD_SMS_ADAPTER, settings.CONCORD_SMS_URL, settings.CONCORD_SMS_TOKEN = "http", p.url, "sms-token"
    settings.CONCORD_SMS_TIMEOUT = 2
    yield p
    p.close()


def sms(world, user="col_a", case="a", when=AT, code="reminder"):
    return services.send_message(world.users[user], world.cases[case], channel="sms", template_code=code, at=when)


def test_sink_sends_records_ledger_activity_and_audit(book, tmp_path):
    outcome = sms(book)
    m = outcome.message
    assert outcome.allowed and m.status == "delivered" and m.provider == "sink" and m.provider_id.startswith("sink-")
    assert "张三" in m.body and "回复TD退订" in m.body and m.to == "+8613812348000" and m.to_masked == "138****8000"
    attempt = ContactAttempt.objects.get(decision=outcome.decision)
    assert attempt.outcome == "delivered" and attempt.channel == "sms"
    activity = Activity.objects.get(case=book.cases["a"], kind="sms")
    assert activity.direction == "outbound" and activity.decision == outcome.decision
    assert activity.details["message"] == str(m.public_id)
    outbox = list((tmp_path / "outbox").glob("sms-*.jsonl"))[0]
    lines = outbox.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[-1])["id"] == m.provider_id and json.loads(lines[-1])["to"] == "138****8000"
    assert "13812348000" not in outbox.read_text(encoding="utf-8")  # the outbox file holds the number masked
    assert outbox.stat().st_mode & 0o777 == 0o600
    with connection.cursor() as cursor:  # the recipient is encrypted at rest
        cursor.execute(f"SELECT {connection.ops.quote_name('to')} FROM outreach_outboundmessage")
        raw = cursor.fetchone()[0]
    assert "13812348000" not in raw


def test_http_adapter_sends_json_with_token_then_receipt_delivers(book, provider, client):
    outcome = sms(book)
    m = outcome.message
    assert m.status == "sent" and m.provider == "http" and m.provider_id == "prov-1"
    request = provider.requests[0]
    assert request["auth"] == "Bearer sms-token"
    assert request["body"]["to"] == "+8613812348000" and "张三" in request["body"]["text"]
    assert ContactAttempt.objects.get(decision=outcome.decision).outcome == "delivered"
    url = reverse("outreach-receipts")
    body = json.dumps({"id": "prov-1", "status": "delivered"})
    assert client.post(url, body, content_type="application/json").status_code == 403
    assert client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    r = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer receipt-secret")
    assert r.status_code == 200 and r.json()["status"] == "delivered"
    m.refresh_from_db()
    assert m.status == "delivered"
    late = json.dumps({"id": "prov-1", "status": "failed"})  # a final status stays final
    client.post(url, late, content_type="application/json", HTTP_AUTHORIZATION="Bearer receipt-secret")
    m.refresh_from_db()
    assert m.status == "delivered"
    r = client.post(url, json.dumps({"id": "nope", "status": "delivered"}), content_type="application/json",
                    HTTP_AUTHORIZATION="Bearer receipt-secret")
    assert r.status_code == 400 and "provider_id" in r.json()["error"]
    r = client.post(url, json.dumps({"id": "prov-1", "status": "read"}), content_type="application/json",
                    HTTP_AUTHORIZATION="Bearer receipt-secret")
    assert r.status_code == 400 and "status" in r.json()["error"]


def test_failed_receipt_marks_failed(book, provider):
    m = sms(book).message
    services.record_receipt(provider_id=m.provider_id, status="failed", reason="UNDELIV")
    m.refresh_from_db()
    assert m.status == "failed" and m.status_reason == "UNDELIV"


def test_http_error_is_failed_with_reason(book, provider):
    provider.status, provider.answer = 500, {"error": "quota exceeded"}
    outcome = sms(book)
    m = outcome.message
    assert m.status == "failed" and "HTTP 500" in m.status_reason and "quota" in m.status_reason
    assert ContactAttempt.objects.get(decision=outcome.decision).outcome == "failed"
    assert Activity.objects.get(case=book.cases["a"], kind="sms").outcome == "failed"


def test_http_timeout_is_failed(book, provider, settings):
    settings.CONCORD_SMS_TIMEOUT = 0.3
    provider.delay = 1.0
    m = sms(book).message
    assert m.status == "failed" and "timed out" in m.status_reason.lower()


def test_unreachable_provider_is_failed(book, settings):
    settings.CONCORD_SMS_ADAPTER, settings.CONCORD_SMS_URL = "http", "http://127.0.0.1:9/none"
    m = sms(book).message
    assert m.status == "failed" and m.status_reason


def test_gate_denial_writes_no_message(book):
    decisions = ContactDecision.objects.count()
    outcome = sms(book, when=at(hour=23))
    assert not outcome.allowed and outcome.message is None
    assert "CN5" in outcome.decision.rules and outcome.reason("zh")
    assert ContactDecision.objects.count() == decisions + 1
    assert not OutboundMessage.objects.exists() and not ContactAttempt.objects.exists()
    assert not Activity.objects.filter(kind="sms").exists()


def test_prohibited_rendered_text_writes_nothing(book):
    from django.core.exceptions import ValidationError
    debtor = book.cases["a"].debtor
    debtor.full_name = "老赖"  # a value that makes the rendered text prohibited
    debtor.save()
    with pytest.raises(ValidationError) as exc:
        sms(book)
    assert "老赖" in str(exc.value)
    assert not ContactDecision.objects.exists() and not OutboundMessage.objects.exists()


@pytest.mark.parametrize("text,expected", [("退订", True), ("TD", True), ("td", True), (" Stop ", True),
                                           ("STOP please", True), ("unsubscribe me", True), ("请不要再发短信", True),
                                           ("我明天还款", False), ("stopped by the bank today", False), ("好的", False)])
def test_opt_out_words(text, expected):
    assert services.is_opt_out(text) is expected


@pytest.mark.clock("2026-12-01T10:05:00+08:00")  # the reply comes five minutes after the first message
def test_opt_out_reply_ceases_sms_and_next_sms_is_denied(book, client):
    first = sms(book)
    r = client.post(reverse("outreach-inbound"), json.dumps({"from": "138 1234 8000", "text": "退订"}),
                    content_type="application/json", HTTP_AUTHORIZATION="Bearer receipt-secret")
    assert r.status_code == 200 and r.json()["opt_out"] is True
    cease = CeaseRequest.objects.get(debtor=book.cases["a"].debtor)
    assert cease.channel == "sms"
    inbound = Activity.objects.get(case=book.cases["a"], direction="inbound")
    assert inbound.kind == "sms" and inbound.details["opt_out"] is True
    later = sms(book, when=at(day=2))
    assert not later.allowed and "CEASE" in later.decision.rules
    assert OutboundMessage.objects.count() == 1 and first.message.pk == OutboundMessage.objects.get().pk
    email = services.send_message(book.users["col_a"], book.cases["a"], channel="email", template_code="reminder",
                                  at=at(day=2))
    assert email.allowed  # the cease is for SMS only


def test_inbound_reply_by_message_id_without_opt_out(book):
    m = sms(book).message
    result = services.record_inbound(channel="sms", text="我明天还款", in_reply_to=m.provider_id)
    assert not result.opt_out and result.cease is None and not CeaseRequest.objects.exists()
    assert result.activities[0].details["text"] == "我明天还款"


def test_inbound_unknown_sender_writes_nothing(book, client):
    r = client.post(reverse("outreach-inbound"), json.dumps({"from": "13300000000", "text": "退订"}),
                    content_type="application/json", HTTP_AUTHORIZATION="Bearer receipt-secret")
    assert r.status_code == 400 and "from" in r.json()["error"]
    assert not CeaseRequest.objects.exists()


def test_english_debtor_gets_english_and_missing_language_is_refused(book):
    from django.core.exceptions import ValidationError

    from concord.outreach.models import MessageTemplate
    debtor = book.cases["a"].debtor
    debtor.locale = "en"
    debtor.save()
    m = sms(book).message
    assert m.language == "en" and "Dear 张三" in m.body and "Reply STOP to opt out" in m.body
    MessageTemplate.objects.filter(code="payment_link", language="en").delete()
    with pytest.raises(ValidationError) as exc:
        sms(book, code="payment_link")
    assert "template" in exc.value.message_dict


def test_panel_compose_and_send_pages(book, client):
    case = book.cases["a"]
    client.force_login(book.users["col_a"])
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert 'id="outreach"' in page and 'id="compose-sms"' in page and "138****8000" in page
    point = case.debtor.contact_points.get(kind="mobile")
    preview = client.get(reverse("outreach-compose", args=[case.pk]),
                         {"channel": "sms", "template": "reminder", "to": point.pk})
    assert preview.status_code == 200 and "张三您好" in preview.content.decode()
    fragment = client.get(reverse("outreach-compose", args=[case.pk]),
                          {"channel": "sms", "template": "reminder", "to": point.pk}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert html.lstrip().startswith('<div id="outreach-preview-body">') and "张三您好" in html and "<html" not in html
    refused = client.get(reverse("outreach-compose", args=[case.pk]),
                         {"channel": "sms", "template": "no_such", "to": point.pk}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and 'id="compose-error"' in refused.content.decode()
    assert client.get(reverse("outreach-compose", args=[case.pk]),
                      {"channel": "sms", "template": "no_such", "to": point.pk}).status_code == 400
    r = client.post(reverse("outreach-send", args=[case.pk]), {"channel": "sms", "template": "reminder",
                                                              "to": point.pk}, follow=True)
    assert OutboundMessage.objects.filter(case=case).count() == 1
    html = r.content.decode()
    assert "138****8000" in html and 'id="outreach-messages"' in html


def test_denied_send_shows_the_reason_on_the_page(book, client):
    from concord.compliance import services as compliance
    case = book.cases["a"]
    compliance.place_hold(None, debtor=case.debtor, kind="legal", reason="诉讼中")
    client.force_login(book.users["col_a"])
    point = case.debtor.contact_points.get(kind="mobile")
    r = client.post(reverse("outreach-send", args=[case.pk]), {"channel": "sms", "template": "reminder",
                                                              "to": point.pk}, follow=True)
    assert "合规闸门拒绝" in r.content.decode() and not OutboundMessage.objects.exists()


def test_send_permissions(book, client):
    case = book.cases["a"]
    point = case.debtor.contact_points.get(kind="mobile")
    data = {"channel": "sms", "template": "reminder", "to": point.pk}
    client.force_login(book.users["col_b"])  # not their case
    assert client.post(reverse("outreach-send", args=[case.pk]), data).status_code == 404
    for name in ("viewer", "compliance", "field"):
        client.force_login(book.users[name])
        assert client.post(reverse("outreach-send", args=[case.pk]), data).status_code == 403
    assert not OutboundMessage.objects.exists()
    other = book.cases["b"].debtor.contact_points.get(kind="mobile")  # another debtor's number
    client.force_login(book.users["col_a"])
    client.post(reverse("outreach-send", args=[case.pk]), dict(data, to=other.pk))
    assert not OutboundMessage.objects.exists()
    client.force_login(book.users["viewer"])  # read-only roles see the panel without the forms
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert 'id="outreach"' in page and 'id="compose-sms"' not in page
