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
