"""Once seeded the scripts for difficult conversations; the scripts now belong to the workbench, whose migration
``workbench/0002_seed_scripts`` seeds them (idempotently: a database that ran this step before keeps its rows)."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_workbench")]
    operations = []
