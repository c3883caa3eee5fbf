"""E-mail through a real SMTP server: a local aiosmtpd server receives the message."""
import email
from email import policy

from concord.compliance.models import ContactAttempt
from concord.outreach import services

from .conftest import AT




def test_email_arrives_with_headers_body_and_opt_out(book, smtp):
    outcome = services.send_message(book.users["col_a"], book.cases["a"], channel="email", template_code="reminder",
                                    at=AT)
    m = outcome.message
    assert outcome.allowed and m.status == "sent" and m.provider == "smtp"
    assert len(smtp.envelopes) == 1
    envelope = smtp.envelopes[0]
    assert envelope.mail_from == "collections@concord.example.cn" and envelope.rcpt_tos == ["zhangsan@example.cn"]
    parsed = email.message_from_bytes(envelope.content, policy=policy.default)
    assert parsed["To"] == "zhangsan@example.cn" and parsed["From"] == "collections@concord.example.cn"
    assert book.cases["a"].reference in str(parsed["Subject"]) and "示例银行" in str(parsed["Subject"])
    assert parsed["Message-ID"] == m.provider_id
    assert parsed["List-Unsubscribe"] == "<mailto:collections@concord.example.cn?subject=unsubscribe>"
    body = parsed.get_body().get_content()
    assert "张三您好" in body and "95555" in body and "退订" in body
    assert ContactAttempt.objects.get(decision=outcome.decision).outcome == "delivered"


def test_reg_f_english_email_carries_a_clear_opt_out(book, smtp):
    creditor = book.creditors["bank"]
    creditor.policy_pack = "us_reg_f"
    creditor.save()
    debtor = book.cases["a"].debtor
    debtor.locale, debtor.time_zone = "en", "America/New_York"
    debtor.save()
    import datetime as dt
    from zoneinfo import ZoneInfo
    when = dt.datetime(2026, 12, 1, 11, 0, tzinfo=ZoneInfo("America/New_York"))
    outcome = services.send_message(book.users["col_a"], book.cases["a"], channel="email",
                                    template_code="reminder", at=when)
    assert outcome.allowed, outcome.decision.reason_en
    body = email.message_from_bytes(smtp.envelopes[0].content, policy=policy.default).get_body().get_content()
    assert "To stop e-mails from us about this debt, reply UNSUBSCRIBE" in body and "Opting out is free" in body


def test_smtp_down_is_failed_with_reason(book, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    outcome = services.send_message(book.users["col_a"], book.cases["a"], channel="email", template_code="reminder",
                                    at=AT)
    assert outcome.message.status == "failed" and "Connection" in outcome.message.status_reason
    assert ContactAttempt.objects.get(decision=outcome.decision).outcome == "failed"


def test_email_settings_from_environment(monkeypatch, settings):
    from concord.outreach import conf
    monkeypatch.setenv("EMAIL_HOST", "smtp.internal")
    monkeypatch.setenv("EMAIL_PORT", "2525")
    monkeypatch.setenv("EMAIL_USE_TLS", "true")
    kwargs = conf.email_connection_kwargs()
    assert kwargs["host"] == "smtp.internal" and kwargs["port"] == 2525 and kwargs["use_tls"] is True
    settings.EMAIL_HOST = "override.local"
    assert conf.email_connection_kwargs()["host"] == "override.local"
