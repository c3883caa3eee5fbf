"""The collector's workbench as the demo uses it, imported in this one place, and the rows the migrations seed."""
from __future__ import annotations

from concord.workbench import queues  # noqa: F401
from concord.workbench.calls import result_code_labels  # noqa: F401
from concord.workbench.models import Promise, PromiseStatus, Task, TaskKind  # noqa: F401
from concord.workbench.policy import (  # noqa: F401
    CALL_OUTCOMES,
    PROMISE_REMINDER_DAYS,
    RESULT_CODES,
    promise_max_days,
    promise_status,
)


def restore_data_seeds() -> None:
    """Rows the migrations seed and the application relies on (message templates, call scripts), put back after
    something emptied every table (``seed --flush``, a test's flush); each seed is idempotent."""
    import importlib

    from django.apps import apps

    from concord.workbench.scripts import ensure_defaults

    importlib.import_module("concord.outreach.migrations.0002_seed_templates").seed(apps, None)
    importlib.import_module("concord.outreach.migrations.0003_stage_templates").seed(apps, None)
    ensure_defaults()
