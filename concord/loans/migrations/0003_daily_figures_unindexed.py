"""The end-of-day run updates loans_loanaccount's daily figures for most rows every day: those columns lose their
indexes, and on PostgreSQL the table gets a fillfactor below 100 so the update can stay on the row's page
(a HOT update: no new index entries). Rows already stored get the free space only when the table is rewritten
(``VACUUM FULL``) or as the run's first updates move them; see docs/eod.md, "The database adapter"."""

from django.db import migrations, models

FILLFACTOR = 50


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("loans", "LoanAccount")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("loans", "LoanAccount")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ('loans', '0002_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='loanaccount',
            name='dpd',
            field=models.PositiveIntegerField(default=0, verbose_name='逾期天数'),
        ),
        migrations.RunPython(set_fillfactor, reset_fillfactor),
    ]
