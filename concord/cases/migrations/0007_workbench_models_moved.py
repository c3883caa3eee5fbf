"""Promises, tasks, call recordings and scripts moved to the workbench app (``workbench/0001``). State only: the
tables stay where they are (the models keep ``db_table``), so nothing in the database changes."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_daily_figures_unindexed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='promise',
                    name='activity',
                ),
                migrations.RemoveField(
                    model_name='promise',
                    name='case',
                ),
                migrations.RemoveField(
                    model_name='promise',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='task',
                    name='promise',
                ),
                migrations.RemoveField(
                    model_name='script',
                    name='updated_by',
                ),
                migrations.RemoveField(
                    model_name='task',
                    name='assigned_to',
                ),
                migrations.RemoveField(
                    model_name='task',
                    name='case',
                ),
                migrations.RemoveField(
                    model_name='task',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='task',
                    name='done_by',
                ),
                migrations.DeleteModel(
                    name='CallRecording',
                ),
                migrations.DeleteModel(
                    name='Promise',
                ),
                migrations.DeleteModel(
                    name='Script',
                ),
                migrations.DeleteModel(
                    name='Task',
                ),
            ],
            database_operations=[],
        ),
    ]
