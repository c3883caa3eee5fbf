"""Templates: variables, content check on save and render, approval (four eyes), seeds, the management page."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from concord.core.models import AuditEvent
from concord.outreach import disclosures, rendering, services
from concord.outreach.models import MessageTemplate
from concord.outreach.seeds import TEMPLATES

from .conftest import AT


def new(actor, **kw):
    data = dict(code="nudge", channel="sms", language="zh-hans", name="提醒", body="{debtor_name}您好，请还款{balance}元。")
    data.update(kw)
    return services.save_template(actor, **data)


def test_render_is_pure_and_names_bad_variables():
    assert rendering.render("您好{debtor_name}", {"debtor_name": "张三"}) == "您好张三"
    with pytest.raises(rendering.TemplateError) as exc:
        rendering.render("{debtor_name}{nickname}{boss}", {"debtor_name": "张三"})
    assert exc.value.kind == "unknown" and exc.value.names == ["nickname", "boss"]
    with pytest.raises(rendering.TemplateError) as exc:
        rendering.render("{creditor_phone}", {"creditor_phone": ""})
    assert exc.value.kind == "missing" and exc.value.names == ["creditor_phone"]


def test_unknown_variable_refused_with_its_name_and_nothing_written(world):
    before = MessageTemplate.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        new(world.users["manager"], body="{debtor_name}您好，{secret_field}")
    assert "{secret_field}" in str(exc.value.message_dict["body"])
    assert (MessageTemplate.objects.count(), AuditEvent.objects.count()) == before


def test_prohibited_content_refused_with_findings(world):
    with pytest.raises(ValidationError) as exc:
        new(world.users["manager"], body="{debtor_name}再不还钱就爆通讯录，通知你的家人")
    text = " ".join(exc.value.message_dict["body"])
    assert "爆通讯录" in text and "CN8" in text
    with pytest.raises(ValidationError) as exc:
        new(world.users["manager"], channel="email", subject="", body="Dear {debtor_name}, you will go to jail.")
    assert "subject" in exc.value.message_dict and "jail" in " ".join(exc.value.message_dict["body"])


def test_approval_four_eyes_and_edit_returns_to_draft(world, book):
    manager, compliance, collector = world.users["manager"], world.users["compliance"], world.users["col_a"]
    t = new(manager)
    assert t.status == "draft" and t.version == 1
    with pytest.raises(ValidationError) as exc:
        services.send_message(collector, world.cases["a"], channel="sms", template_code="nudge", at=AT)
    assert "尚未批准" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.approve_template(manager, t)
    assert "approved_by" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.approve_template(collector, t)
    t = services.approve_template(compliance, t)
    assert t.status == "approved" and t.approved_by == compliance
    assert services.send_message(collector, world.cases["a"], channel="sms", template_code="nudge", at=AT).allowed
    t = services.save_template(compliance, t, code="nudge", channel="sms", language="zh-hans", name="提醒",
                               body="{debtor_name}您好，您的欠款为{balance}元。")
    assert t.status == "draft" and t.version == 2 and t.approved_by is None
    assert AuditEvent.objects.filter(action="outreach.template.approve").count() == 1


def test_collector_cannot_edit_templates(world):
    with pytest.raises(PermissionDenied):
        new(world.users["col_a"])


def test_seeded_templates_zh_en_approved_and_render_clean(world, book):
    codes = {(c, ch) for c, ch, *_r in TEMPLATES}
    assert {c for c, _ch in codes} == {"reminder", "payment_link", "arrangement_confirmation", "demand_letter",
                                       "portal_invite"}
    for code, channel in codes:
        for language in ("zh-hans", "en"):
            t = MessageTemplate.objects.get(code=code, channel=channel, language=language)
            assert t.status == "approved"
            rendered = services.render_message(world.cases["a"], t, AT, extra=services.SEND_TIME_PLACEHOLDERS)
            assert "{" not in rendered.full_text and "张三" in rendered.full_text


def test_disclosures_and_opt_outs_are_lawful_text():
    from concord.compliance import content
    for pack, languages in disclosures.LETTER.items():
        for language, sections in languages.items():
            assert len(sections) >= 5, (pack, language)
            for heading, text in sections:
                assert not content.check(heading + text), (pack, language, heading)
                assert not rendering.unknown_variables(text)
    assert disclosures.opt_out_text("us_reg_f", "email", "en")


def test_render_refuses_a_variable_without_value(world, book):
    from concord.outreach.models import SenderProfile
    SenderProfile.objects.filter(creditor=world.creditors["bank"]).delete()
    t = MessageTemplate.objects.get(code="demand_letter", language="zh-hans")
    with pytest.raises(ValidationError) as exc:
        services.render_message(world.cases["a"], t, AT)
    assert "{creditor_phone}" in str(exc.value)


@pytest.mark.parametrize("username,status", [("manager", 200), ("compliance", 200), ("admin", 200),
                                             ("col_a", 403), ("lead_a", 403), ("viewer", 403)])
def test_template_pages_by_role(client, world, username, status):
    client.force_login(world.users[username])
    assert client.get(reverse("outreach-templates")).status_code == status
    assert client.get(reverse("outreach-template-new")).status_code == status
    assert client.get(reverse("outreach-senders")).status_code == status


def test_template_page_create_and_approve(client, world):
    client.force_login(world.users["manager"])
    response = client.post(reverse("outreach-template-new"), {
        "code": "hello", "name": "问候", "channel": "sms", "language": "zh-hans", "purpose": "service",
        "subject": "", "body": "{debtor_name}您好，{unknown_thing}"})
    assert response.status_code == 400 and "{unknown_thing}" in response.content.decode()
    response = client.post(reverse("outreach-template-new"), {
        "code": "hello", "name": "问候", "channel": "sms", "language": "zh-hans", "purpose": "service",
        "subject": "", "body": "{debtor_name}您好，您的案件编号为{case_reference}。"})
    assert response.status_code == 302
    t = MessageTemplate.objects.get(code="hello")
    client.post(reverse("outreach-template-action", args=[t.pk, "approve"]))
    t.refresh_from_db()
    assert t.status == "draft"  # the editor cannot approve their own change
    client.force_login(world.users["compliance"])
    client.post(reverse("outreach-template-action", args=[t.pk, "approve"]))
    t.refresh_from_db()
    assert t.status == "approved"
