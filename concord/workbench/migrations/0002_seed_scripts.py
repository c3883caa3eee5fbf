"""Seed the scripts for difficult conversations with humane defaults (managers edit them on /work/scripts/); a
script already there (seeded when the scripts were in the cases app, or edited since) is left as it is."""
from django.db import migrations


def seed(apps, schema_editor):
    from concord.workbench.script_defaults import seed as seed_scripts

    seed_scripts(apps.get_model("workbench", "Script"))


class Migration(migrations.Migration):
    dependencies = [("workbench", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
