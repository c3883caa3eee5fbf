"""The approved set of templates for each stage of a book (migration 0003): every stage in both languages, each
passing the same checks as a template saved by hand (known variables, no prohibited wording, SMS length), installed
approved, and each rendering for a real case."""
import pytest

from concord.compliance import content
from concord.outreach import rendering, services
from concord.outreach.models import MessageTemplate
from concord.outreach.seeds import STAGE_TEMPLATES, STAGES

pytestmark = pytest.mark.django_db


def test_every_stage_has_an_sms_in_chinese_and_english():
    have = {(code, channel, language) for code, channel, language, *_rest in STAGE_TEMPLATES}
    for code, _zh, _en in STAGES:
        assert (code, "sms", "zh-hans") in have and (code, "sms", "en") in have, code


@pytest.mark.parametrize("row", STAGE_TEMPLATES, ids=lambda r: f"{r[0]}-{r[1]}-{r[2]}")
def test_each_stage_template_passes_the_content_check(row):
    code, channel, language, purpose, name, subject, body = row
    services.check_template_text(channel=channel, subject=subject, body=body)    # raises on any finding
    assert not content.check(body) and not content.check(subject)
    assert not rendering.unknown_variables(body + subject)


def test_the_migration_installs_them_approved():
    for code, channel, language, *_rest in STAGE_TEMPLATES:
        template = MessageTemplate.objects.get(code=code, channel=channel, language=language)
        assert template.is_approved and template.approved_at is not None


def test_a_stage_template_renders_for_a_case(world):
    from concord.core import clock

    services.save_sender_profile(world.users["manager"], world.cases["a"].creditor, phone="95555",
                                 address="北京市西城区金融街1号")
    template = MessageTemplate.objects.get(code="m1", channel="sms", language="zh-hans")
    rendered = services.render_message(world.cases["a"], template, clock.now())
    assert world.cases["a"].reference in rendered.body and "95555" in rendered.body and "{" not in rendered.body


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_promise_reminder_names_the_promised_amount_and_date(world, language):
    import datetime as dt
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from concord.core import clock
    from concord.workbench import promises
    from concord.workbench.tests.conftest import qualify

    case = world.cases["a"]
    services.save_sender_profile(world.users["manager"], case.creditor, phone="95555", address="北京市西城区金融街1号")
    template = MessageTemplate.objects.get(code="promise_reminder", channel="sms", language=language)
    # no promise on the case: the variable has no value, and the template is refused by its name
    with pytest.raises(ValidationError) as refused:
        services.render_message(case, template, clock.now())
    assert "{promise_amount}" in str(refused.value) or "{promise_date}" in str(refused.value)

    qualify(world.users["col_a"])
    due = clock.today() + dt.timedelta(days=5)
    promises.record_promise(world.users["col_a"], case, amount=Decimal("1234.50"), due_date=due, note="")
    body = services.render_message(case, template, clock.now()).body
    assert "1,234.50" in body and due.isoformat() in body and "{" not in body


def test_promise_variables_are_known_and_the_content_check_still_applies():
    from django.core.exceptions import ValidationError

    services.check_template_text(channel="sms", subject="", body="请于{promise_date}前还款{promise_amount}元。")
    with pytest.raises(ValidationError) as refused:
        services.check_template_text(channel="sms", subject="", body="{promise_date}前不还{promise_amount}元就曝光你")
    assert "内容不合规" in str(refused.value)
