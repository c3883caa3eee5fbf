from django.db import migrations

from concord.core import clock


def seed(apps, schema_editor):
    from concord.outreach.seeds import STAGE_TEMPLATES
    MessageTemplate = apps.get_model("outreach", "MessageTemplate")
    now = clock.now()
    for code, channel, language, purpose, name, subject, body in STAGE_TEMPLATES:
        if not MessageTemplate.objects.filter(code=code, channel=channel, language=language).exists():
            MessageTemplate.objects.create(code=code, channel=channel, language=language, purpose=purpose, name=name,
                                           subject=subject, body=body, status="approved", approved_at=now)


def unseed(apps, schema_editor):
    from concord.outreach.seeds import STAGE_TEMPLATES
    MessageTemplate = apps.get_model("outreach", "MessageTemplate")
    for code, channel, language, *_rest in STAGE_TEMPLATES:
        MessageTemplate.objects.filter(code=code, channel=channel, language=language, version=1,
                                       messages__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("outreach", "0002_seed_templates")]
    operations = [migrations.RunPython(seed, unseed)]
