"""The default inspection checklist (质检清单): six items, 100 points; failing "no threats" or "no third-party
disclosure" is a breach."""
from django.db import migrations

from concord.quality.defaults import DEFAULT_CHECKLIST as DEFAULT


def add(apps, schema_editor):
    Item = apps.get_model("quality", "ChecklistItem")
    for n, (code, zh, en, points, breach) in enumerate(DEFAULT, 1):
        Item.objects.get_or_create(code=code, defaults={"label_zh": zh, "label_en": en, "points": points,
                                                        "breach": breach, "position": n})


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
