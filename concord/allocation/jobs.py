"""The allocation's jobs (run by the worker, ``concord.core.jobs``): applying the rules (``allocation.apply``) and
the bulk actions (``allocation.bulk``). Both report progress per chunk and stop between chunks when cancelled; both
are resumable — a second attempt plans again from what is committed, so nothing is applied twice — except a bulk
message, which is not resumed (a contact is not sent twice; the job fails with the reason instead)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core import audit, clock, jobs
from concord.staff.models import Team, User

from . import bulk, services
from .models import BulkAction, BulkRequest, RunKind


def _progress(ctx: jobs.Context, stage: str):
    def progress(done: int, total: int) -> None:
        ctx.progress(done, total, stage=stage)
        if done < total and ctx.cancelled():  # between two chunks: what is committed stays, whole
            raise jobs.Cancelled
    return progress


@jobs.kind("allocation.apply", label=gettext_lazy("按规则分案"), resumable=True, cancellable=True)
def _apply_rules(ctx: jobs.Context) -> dict:
    run = services.apply(ctx.by, expected_version=ctx.params.get("version"),
                         kind=ctx.params.get("kind", RunKind.MANUAL), progress=_progress(ctx, "moves"))
    if run is None:
        return {"moved": 0}
    return {"run": run.pk, "version": run.rule_set.version, "cases": run.cases, "moved": run.moved,
            "unassigned": run.summary.get("unassigned", 0), "skipped": run.summary.get("skipped", 0)}


def start_apply(user, *, expected_version: int | None = None):
    """Queue the application of the current rules (refused at once when the rules changed since the preview)."""
    current = services.selectors.current_rule_set()
    if current is None or (expected_version is not None and current.version != expected_version):
        raise ValidationError({"version": [_("规则已更新，请重新预览")]})
    return jobs.start_job("allocation.apply", {"version": current.version}, by=user)


@jobs.kind("allocation.bulk", label=gettext_lazy("批量作业"), resumable=True, cancellable=True)
def _run_bulk(ctx: jobs.Context) -> dict:
    req = BulkRequest.objects.get(pk=ctx.params["request"])
    o, ids, by = req.options, req.case_ids, ctx.by
    progress = _progress(ctx, req.action)
    if req.action == BulkAction.REASSIGN:
        team = Team.objects.filter(pk=o.get("team")).first() if o.get("team") else None
        collector = User.objects.filter(pk=o.get("collector")).first() if o.get("collector") else None
        return bulk.reassign(by, ids, team=team, collector=collector, reason=o.get("reason", ""), progress=progress)
    if req.action == BulkAction.POOL:
        return bulk.return_to_pool(by, ids, reason=o.get("reason", ""), progress=progress)
    if req.action == BulkAction.HOLD:
        return bulk.hold(by, ids, reason=o.get("reason", ""), progress=progress)
    if req.action == BulkAction.RELEASE:
        return bulk.release(by, ids, reason=o.get("reason", ""), progress=progress)
    if req.action == BulkAction.RECALL:
        return bulk.recall(by, ids, reason=o.get("reason", ""), progress=progress)
    if req.action == BulkAction.MESSAGE:
        if ctx.resumed:
            raise ValidationError(_("群发消息不会在中断后自动续发，以免重复联系；请核对已发送记录后重新发起"))
        return bulk.send(by, ids, channel=o["channel"], template_code=o["template"], progress=progress)
    raise ValidationError(_("未知的批量操作"))


def request_bulk(user, action: str, case_ids, *, options: dict | None = None, selection: str = ""):
    """Record what ``user`` asks to be done to ``case_ids`` (audited) and queue its job; returns the job."""
    if action not in BulkAction.values:
        raise ValidationError({"action": [_("未知的批量操作")]})
    ids = sorted({int(i) for i in case_ids})
    if not ids:
        raise ValidationError({"cases": [_("没有选中任何案件")]})
    with transaction.atomic():
        req = BulkRequest.objects.create(action=action, options=options or {}, case_ids=ids,
                                         selection=selection[:400], created_by=user, created_at=clock.now())
        audit.record(user, "allocation.bulk.request", req, {"action": action, "options": req.options,
                                                            "cases": len(ids), "selection": req.selection})
    return jobs.start_job("allocation.bulk", {"request": req.pk, "action": action, "cases": len(ids)}, by=user)
