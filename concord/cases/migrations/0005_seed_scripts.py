"""Seed the scripts for difficult conversations with humane defaults (managers edit them on /work/scripts/)."""
from django.db import migrations


def seed(apps, schema_editor):
    from concord.workbench.script_defaults import SCRIPTS

    Script = apps.get_model("cases", "Script")
    for topic, title_zh, title_en, body_zh, body_en in SCRIPTS:
        Script.objects.get_or_create(topic=topic, defaults={"title_zh": title_zh, "title_en": title_en,
                                                            "body_zh": body_zh, "body_en": body_en})


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_workbench")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
