"""The end-of-day page (/eod/): the last runs and the summary of one, for managers and administrators."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core import clock, jobs
from concord.core.charts import stacked_bars
from concord.core.models import Job, JobState
from concord.loans.delinquency import BUCKETS
from concord.staff.roles import Capability, may

from . import selectors
from .models import EodRun


STAGES = {
    "export": gettext_lazy("导出数据"), "validate": gettext_lazy("校验"), "accounts": gettext_lazy("账户"),
    "promises": gettext_lazy("承诺还款"), "arrangements": gettext_lazy("还款方案"), "cases": gettext_lazy("案件评分与策略"),
    "allocation": gettext_lazy("分案"), "queue": gettext_lazy("联系队列"), "fetch": gettext_lazy("取回结果"),
    "write": gettext_lazy("写回数据库"), "total": gettext_lazy("合计"),
}
PATH_ACTIONS = {"call": gettext_lazy("电话"), "sms": gettext_lazy("短信"), "letter": gettext_lazy("信函"),
                "visit": gettext_lazy("外访"), "email": gettext_lazy("电子邮件"),
                "legal_review": gettext_lazy("待法务审查")}
PROMISE_STATES = {"pending": gettext_lazy("待履行"), "kept": gettext_lazy("已履行"),
                  "partially_kept": gettext_lazy("部分履行"), "broken": gettext_lazy("已违约")}


def _detail(run: EodRun) -> dict:
    s = run.summary or {}
    rolls = s.get("roll_rates", [])
    froms = [b for b in BUCKETS if any(r[0] == b for r in rolls)]
    series = [(to, [next((r[2] for r in rolls if r[0] == fb and r[1] == to), 0) for fb in froms])
              for to in BUCKETS if any(r[1] == to for r in rolls)]
    chart = stacked_bars(froms, series, title=_("账龄迁移（昨日账龄 → 今日账龄，账户数）")) if froms else ""
    rate_rows = [{"from": r[0], "to": r[1], "accounts": r[2], "rate": f"{r[3] / 100:.2f}%"} for r in rolls]
    return {
        "run": run, "summary": s, "chart": chart, "rates": rate_rows,
        "buckets": [(b, (s.get("buckets") or {}).get(b, 0)) for b in BUCKETS],
        "promises": [(PROMISE_STATES[k], (s.get("promises") or {}).get(k, 0)) for k in PROMISE_STATES],
        "stages": [(STAGES.get(k, k), v) for k, v in (run.stage_seconds or {}).items()],
        "moves": sorted(((s.get("written") or {}).get("moves") or {}).items()),
        # what the strategy's treatment paths ask for on the queue day (runs before paths existed: none)
        "path_actions": [(PATH_ACTIONS.get(k, k), k, n) for k, n in sorted(
            (s.get("path_actions") or {}).items(), key=lambda kv: list(PATH_ACTIONS).index(kv[0])
            if kv[0] in PATH_ACTIONS else 99)],
        "queue": s.get("queue") or {}, "written": s.get("written") or {}, "recomputed": s.get("recomputed") or {},
    }


@login_required
def runs(request):
    if not may(request.user, Capability.VIEW_EOD):
        raise PermissionDenied(_("您的角色无权查看日终运行"))
    chosen = request.GET.get("run")
    if chosen:
        if not chosen.isdigit():
            raise PermissionDenied(_("运行编号必须是数字"))
        run = get_object_or_404(EodRun, pk=int(chosen))
    else:
        run = selectors.last_successful_run()
    active = Job.objects.filter(kind="eod.run", state__in=[JobState.QUEUED, JobState.RUNNING]).order_by("created_at")
    context = {"runs": selectors.last_runs(), "detail": _detail(run) if run else None, "active": active,
               "may_run": may(request.user, Capability.RUN_EOD), "suggested": suggested_date(),
               # the count of cases due for legal review links to their list (the legal app's page)
               "may_review_legal": may(request.user, Capability.READ_LEGAL_DOCUMENTS)}
    return render(request, "eod/runs.html", context)


def suggested_date() -> dt.date:
    """The day after the last successful run, but not after yesterday (today is not over); yesterday without runs."""
    yesterday = clock.today() - dt.timedelta(days=1)
    last = selectors.last_successful_run()
    if last is None or last.as_of >= yesterday:
        return yesterday
    return last.as_of + dt.timedelta(days=1)


@login_required
@require_POST
def start(request):
    """Start an end-of-day run as a job of the worker and watch it on the job's page."""
    if not may(request.user, Capability.RUN_EOD):
        raise PermissionDenied(_("您的角色无权发起日终运行"))
    try:
        as_of = dt.date.fromisoformat(request.POST.get("as_of", ""))
    except ValueError:
        messages.error(request, _("日终日期格式应为 YYYY-MM-DD"))
        return redirect("eod-runs")
    if as_of > clock.today():
        messages.error(request, _("日终日期不能晚于今天"))
        return redirect("eod-runs")
    engine = request.POST.get("engine", "duckdb")
    if engine not in ("duckdb", "spark"):
        messages.error(request, _("未知的计算引擎"))
        return redirect("eod-runs")
    try:
        job = jobs.start_job("eod.run", {"as_of": as_of.isoformat(), "engine": engine}, by=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("eod-runs")
    return redirect("job-detail", pk=job.pk)
