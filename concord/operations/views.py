"""The operations pages (/operations/): the jobs and workers, the schedule (edited by operators), missed and failed
scheduled jobs and the alerts sent; a job's page with its progress (polled), stages, result and cancel."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.core import clock, jobs
from concord.core.models import Job, JobState, WorkerProcess
from concord.staff.roles import Capability, may, require_capability

from . import scheduler, services
from .forms import ScheduleForm
from .models import Alert


def may_see_job(user, job: Job) -> bool:
    """Operators see every job; others the jobs they started, and the kinds their role watches (the end-of-day run
    for managers)."""
    if may(user, Capability.OPERATE) or (job.created_by_id and job.created_by_id == user.pk):
        return True
    k = jobs.KINDS.get(job.kind)
    return bool(k and k.see and may(user, Capability(k.see)))


def _job_or_403(request, pk) -> Job:
    job = get_object_or_404(Job.objects.select_related("created_by"), pk=pk)
    if not may_see_job(request.user, job):
        raise PermissionDenied(_("您无权查看此任务"))
    return job


def eta_text(seconds) -> str:
    if seconds is None:
        return "—"
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else \
        f"{seconds // 60}:{seconds % 60:02d}"


def job_view(job: Job, user=None) -> dict:
    k = jobs.KINDS.get(job.kind)
    return {"job": job, "label": jobs.label_of(job.kind), "eta": eta_text(job.eta_seconds),
            "can_cancel": bool(user is not None and not job.finished and may_see_job(user, job)
                               and (job.state == JobState.QUEUED or (k and k.cancellable)))}


@login_required
def home(request):
    if not may(request.user, Capability.OPERATE):
        raise PermissionDenied(_("只有运维值班员和系统管理员可以查看运维页面"))
    now = clock.now()
    active = [job_view(j, request.user) for j in Job.objects.filter(
        state__in=[JobState.QUEUED, JobState.RUNNING]).select_related("created_by").order_by("created_at")[:50]]
    recent = Job.objects.select_related("created_by")
    kind, state = request.GET.get("kind", ""), request.GET.get("state", "")
    if kind:
        recent = recent.filter(kind=kind)
    if state:
        recent = recent.filter(state=state)
    page = Paginator(recent, 30).get_page(request.GET.get("page"))
    slots = scheduler.recent(now)
    problems = [s for s in slots if s.state in ("missed", "failed", "late")]
    workers = [{"w": w, "alive": w.stopped_at is None and not jobs.worker_gone(w.name, now)}
               for w in WorkerProcess.objects.all()[:20]]
    return render(request, "operations/home.html", {
        "active": active, "page": page, "problems": problems, "alerts": Alert.objects.select_related("job")[:20],
        "workers": workers, "kinds": sorted((k, str(v.label)) for k, v in jobs.KINDS.items()),
        "states": JobState.choices, "chosen_kind": kind, "chosen_state": state,
        "labels": {k: str(v.label) for k, v in jobs.KINDS.items()}})


@login_required
def schedule(request):
    if not may(request.user, Capability.OPERATE):
        raise PermissionDenied(_("只有运维值班员和系统管理员可以修改计划任务"))
    now = clock.now()
    if request.method == "POST":
        key = request.POST.get("key", "")
        form = ScheduleForm(request.POST, prefix=key)
        if form.is_valid():
            try:
                services.set_schedule(request.user, key, enabled=form.cleaned_data["enabled"],
                                      at=form.cleaned_data["at"], weekdays="".join(form.cleaned_data["weekdays"]))
            except ValidationError as exc:
                for error in exc.messages:
                    messages.error(request, error)
            else:
                messages.success(request, _("计划任务已保存"))
                return redirect("operations-schedule")
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    rows = []
    for entry in scheduler.entries():
        form = ScheduleForm(prefix=entry.key, initial={
            "enabled": entry.enabled, "at": entry.at, "weekdays": list(entry.weekdays)})
        last = Job.objects.filter(slot__startswith=f"{entry.key}@").order_by("-created_at").first()
        rows.append({"entry": entry, "form": form, "next": scheduler.next_slot(entry, now), "last": last})
    return render(request, "operations/schedule.html", {"rows": rows, "zone": clock.now().astimezone().tzname(),
                                                        "labels": {k: str(v.label) for k, v in jobs.KINDS.items()}})


@login_required
@require_POST
def run_now(request, key):
    require_capability(request.user, Capability.OPERATE)
    try:
        job = services.run_now(request.user, key)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("operations-schedule")
    return redirect("job-detail", pk=job.pk)


@login_required
def job_detail(request, pk):
    job = _job_or_403(request, pk)
    return render(request, "operations/job.html", job_view(job, request.user))


@login_required
def job_progress(request, pk):
    """The fragment a job's page (and the 日终 and import pages) poll while it runs."""
    job = _job_or_403(request, pk)
    response = render(request, "jobs/_progress.html", job_view(job, request.user))
    if job.finished and request.GET.get("refresh") == "1":
        response["HX-Refresh"] = "true"  # finished: reload once to show the result
    return response


@login_required
@require_POST
def job_cancel(request, pk):
    job = _job_or_403(request, pk)
    try:
        jobs.request_cancel(job, by=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("已请求取消：任务将在下一个安全点停止"))
    return redirect("job-detail", pk=job.pk)
