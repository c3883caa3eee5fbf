"""The shipped ``eod/data/strategy.json`` as version 1 of the live ``default`` strategy."""
import json

from django.db import migrations

from concord.core import clock


def add(apps, schema_editor):
    from concord.eod import rules
    from concord.strategy import tree

    Strategy = apps.get_model("strategy", "Strategy")
    Version = apps.get_model("strategy", "StrategyVersion")
    if Strategy.objects.exists():
        return
    shipped = tree.normalise(tree.from_engine_json(json.loads((rules.DATA / "strategy.json").read_text("utf-8"))))
    now = clock.now()
    s = Strategy.objects.create(code="default", live=True, created_at=now)
    Version.objects.create(strategy=s, version=1, tree=shipped, note="随系统提供的默认策略", created_at=now)


class Migration(migrations.Migration):
    dependencies = [("strategy", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
