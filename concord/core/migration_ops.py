"""Operations shared by migrations."""
from __future__ import annotations

from functools import partial

from django.db import migrations


def fillfactor(app_label: str, model_name: str, percent: int) -> migrations.RunPython:
    """On PostgreSQL, leave ``100 - percent`` % of each page of the model's table free, so an update that touches
    no indexed column can stay on the row's page (a HOT update: no new index entries); reversed by resetting it.
    Rows already stored get the room only when the table is rewritten or as updates move them."""
    return migrations.RunPython(partial(_alter, app_label, model_name, f"SET (fillfactor = {percent})"),
                                partial(_alter, app_label, model_name, "RESET (fillfactor)"))


def _alter(app_label: str, model_name: str, setting: str, apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model(app_label, model_name)._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} {setting}")
