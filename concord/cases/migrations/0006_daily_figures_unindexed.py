"""The end-of-day run updates cases_case's daily figures for most rows every day: those columns lose their
indexes, and on PostgreSQL the table gets a fillfactor below 100 so the update can stay on the row's page
(a HOT update: no new index entries). Rows already stored get the free space only when the table is rewritten
(``VACUUM FULL``) or as the run's first updates move them; see docs/eod.md, "The database adapter"."""

from decimal import Decimal
from django.db import migrations, models

from concord.core.migration_ops import fillfactor

FILLFACTOR = 50


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_seed_scripts'),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='max_dpd',
            field=models.PositiveIntegerField(default=0, verbose_name='最大逾期天数'),
        ),
        migrations.AlterField(
            model_name='case',
            name='total_balance',
            field=models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14, verbose_name='欠款总额'),
        ),
        fillfactor("cases", "Case", FILLFACTOR),
    ]
