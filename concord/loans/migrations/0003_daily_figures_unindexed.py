"""The end-of-day run updates loans_loanaccount's daily figures for most rows every day: those columns lose their
indexes, and on PostgreSQL the table gets a fillfactor below 100 so the update can stay on the row's page
(a HOT update: no new index entries). Rows already stored get the free space only when the table is rewritten
(``VACUUM FULL``) or as the run's first updates move them; see docs/eod.md, "The database adapter"."""

from django.db import migrations, models

from concord.core.migration_ops import fillfactor

FILLFACTOR = 50


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
        fillfactor("loans", "LoanAccount", FILLFACTOR),
    ]
