"""The default inspection checklist (质检清单): six items, 100 points; failing "no threats" or "no third-party
disclosure" is a breach."""
from django.db import migrations

DEFAULT = [
    ("identity_verified", "核实对方身份", "Identity verified", 15, False),
    ("disclosures_given", "告知身份与来电目的", "Disclosures given", 15, False),
    ("no_threats", "无威胁恐吓", "No threats", 25, True),
    ("no_third_party_disclosure", "未向第三方透露债务", "No third-party disclosure", 20, True),
    ("respectful_tone", "语气文明礼貌", "Respectful tone", 15, False),
    ("correct_outcome", "通话结果登记正确", "Correct outcome recorded", 10, False),
]


def add(apps, schema_editor):
    Item = apps.get_model("quality", "ChecklistItem")
    for n, (code, zh, en, points, breach) in enumerate(DEFAULT, 1):
        Item.objects.get_or_create(code=code, defaults={"label_zh": zh, "label_en": en, "points": points,
                                                        "breach": breach, "position": n})


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
