from django.db import migrations


def seed(apps, schema_editor):
    # the outreach seed is idempotent: it adds the portal's invitation templates (concord.outreach.seeds) where missing
    from importlib import import_module

    import_module("concord.outreach.migrations.0002_seed_templates").seed(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial"), ("outreach", "0002_seed_templates")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
