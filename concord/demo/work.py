"""The collector's workbench as the demo uses it, imported in this one place.

Promises, tasks, the workbench's policy and the call result codes are moving from ``concord.cases`` to
``concord.workbench`` (same tables); when they do, only these imports change.
"""
from __future__ import annotations

from concord.cases import queues  # noqa: F401
from concord.cases.calls import result_code_labels  # noqa: F401
from concord.cases.models import Promise, PromiseStatus, Task, TaskKind  # noqa: F401
from concord.cases.policy import (  # noqa: F401
    CALL_OUTCOMES,
    PROMISE_REMINDER_DAYS,
    RESULT_CODES,
    promise_max_days,
    promise_status,
)

#: The migrations that seed rows the application relies on (message templates, call scripts).
DATA_SEEDS = ("concord.outreach.migrations.0002_seed_templates", "concord.cases.migrations.0005_seed_scripts")
