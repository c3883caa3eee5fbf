"""Follow-up tasks (跟进任务): create one with a due time, complete it. Each action one transaction with its audit
event; creating a task by hand also writes a ``task`` entry in the activity log."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, clock
from concord.core.services import require, save_validated

from concord.cases.activities import check_note, log_activity
from concord.core.access import own_team_ids
from concord.staff.roles import Capability, may
from concord.cases.models import ACTIVE_STATUSES
from .models import Task, TaskKind


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    require(bool(title), "title", _("请填写跟进事项"))
    require(len(title) <= 200, "title", _("跟进事项不能超过 200 个字符"))
    check_note(title, field="title")
    return title


@transaction.atomic
def create_task(actor, case, *, title: str, due_at: dt.datetime, kind: str = TaskKind.FOLLOW_UP,
                assigned_to=None, promise=None, log: bool = True) -> Task:
    """A follow-up on ``case`` due at ``due_at`` (not in the past), for ``assigned_to`` (default: the case's
    collector, else the actor)."""
    require(kind in TaskKind.values, "kind", _("未知任务类型：%(k)s") % {"k": kind})
    title = _clean_title(title)
    require(isinstance(due_at, dt.datetime) and timezone.is_aware(due_at), "due_at", _("到期时间必须是带时区的时间"))
    require(due_at >= clock.now() - dt.timedelta(minutes=5), "due_at", _("到期时间不能早于现在"))
    require(case.status in ACTIVE_STATUSES, "case", _("案件已结束，不能添加跟进"))
    owner = assigned_to or case.assigned_collector or (actor if getattr(actor, "pk", None) else None)
    task = save_validated(Task(case=case, kind=kind, title=title, due_at=due_at, assigned_to=owner, promise=promise,
                               created_by=actor if getattr(actor, "pk", None) else None))
    audit.record(actor, "task.create", task, {"case": case.reference, "kind": kind, "title": title,
                                              "due_at": due_at.isoformat(), "assigned_to": getattr(owner, "pk", None)})
    if log:
        log_activity(actor, case, kind="task", details={"task": task.pk}, phrase=(
            "task.create", {"t": title, "d": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M")}))
    return task


@transaction.atomic
def complete_task(actor, task: Task, *, result: str = "") -> Task:
    task = Task.objects.select_for_update().select_related("case").get(pk=task.pk)
    require(task.done_at is None, "task", _("该任务已完成"))
    result = (result or "").strip()
    require(len(result) <= 200, "result", _("处理结果不能超过 200 个字符"))
    check_note(result, field="result")
    task.done_at, task.done_by, task.result = clock.now(), actor if getattr(actor, "pk", None) else None, result
    task.save(update_fields=["done_at", "done_by", "result"])
    audit.record(actor, "task.complete", task, {"case": task.case.reference, "result": result})
    return task


def may_complete(user, task: Task) -> bool:
    """One's own task; a lead also their teams' tasks, a manager any."""
    if task.assigned_to_id == user.pk:
        return True
    if not may(user, Capability.LEAD_TEAM):
        return False
    return user.case_scope == "book" or task.case.assigned_team_id in own_team_ids(user)




@transaction.atomic
def add_note(actor, case, *, text: str):
    """A free note on the case's activity log (content-checked); its first line is the summary."""
    text = (text or "").strip()
    require(bool(text), "text", _("请填写备注内容"))
    require(len(text) <= 2000, "text", _("备注不能超过 2000 个字符"))
    check_note(text, field="text")
    first = text.splitlines()[0][:80]
    return log_activity(actor, case, kind="note", summary=first, note=text if text != first else "")
