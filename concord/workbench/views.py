"""The collector's day outside one case: My work (today's queue, tasks, callbacks, promises due), next case, tasks
done, recordings played, the team queue and the scripts."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.cases.forms import AssignForm
from concord.cases.selectors import visible_cases
from concord.core import clock, sealed
from concord.core.access import restrict
from concord.core.webforms import apply_validation_error
from concord.staff.roles import Capability, may, require_capability
from concord.staff.selectors import assignable_users

from . import calls, claims, followups, queues, scripts, telephony
from .case_views import to_case_page
from .forms import CompleteTaskForm, ScriptForm
from .models import CallRecording, Script, Task, TaskKind


QUEUE_PAGE = 50


@login_required
def home(request):
    """Where a user lands after signing in: those who work cases (a collector, a field agent, a team lead) on My
    work, everyone else on the overview."""
    user = request.user
    if may(user, Capability.WORK_CASES) and not may(user, Capability.SEE_WHOLE_BOOK):
        return redirect("my-work")
    return redirect("dashboard")


@login_required
def my_work(request):
    user = request.user
    now = clock.now()
    day = clock.local_date(now)
    queue = Paginator(queues.today_queue(user, now=now), QUEUE_PAGE).get_page(request.GET.get("page"))
    tasks = list(queues.open_tasks(user, now=now))
    return render(request, "workbench/my_work.html", {
        "queue": list(queue.object_list), "queue_page": queue, "queue_count": queue.paginator.count, "now": now,
        "tasks": [t for t in tasks if t.kind != TaskKind.CALLBACK],
        "callbacks": [t for t in tasks if t.kind == TaskKind.CALLBACK],
        "promises_due": list(queues.promises_due(user, day)),
        "claimed": visible_cases(user).filter(claimed_by=user, claimed_until__gt=now).first(),
        "may_work": may(user, Capability.WORK_CASES), "may_lead": may(user, Capability.LEAD_TEAM),
        "power_dialing": telephony.switch(),
        "complete_form": CompleteTaskForm(),
    })


@login_required
@require_POST
def next_case(request):
    require_capability(request.user, Capability.WORK_CASES)
    try:
        case = claims.claim_next(request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(request.POST.get("back") or "my-work") if url_has_allowed_host_and_scheme(
            request.POST.get("back", ""), allowed_hosts={request.get_host()}) else redirect("my-work")
    if case is None:
        messages.info(request, _("今日队列已处理完毕，暂无可领取的案件"))
        return redirect("my-work")
    messages.success(request, _("已领取案件 %(r)s，%(m)d 分钟内由您处理") % {"r": case.reference,
                                                                         "m": claims.claim_minutes()})
    return to_case_page(case)


@login_required
@require_POST
def task_complete(request, pk):
    task = get_object_or_404(restrict(Task.objects.select_related("case"), request.user), pk=pk)
    if not followups.may_complete(request.user, task):
        raise PermissionDenied(_("只能完成自己的任务"))
    form = CompleteTaskForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"result": form.errors.get("result", [_("无效")])})
        followups.complete_task(request.user, task, result=form.cleaned_data["result"])
    except ValidationError as exc:
        messages.error(request, _("任务未完成：%(e)s") % {"e": " ".join(exc.messages)})
    else:
        messages.success(request, _("任务已完成"))
    return redirect("my-work") if request.POST.get("next") == "work" else to_case_page(task.case, "tasks")


@login_required
def recording_play(request, pk):
    recording = get_object_or_404(restrict(CallRecording.objects.select_related("case"), request.user), pk=pk)
    try:
        path = calls.open_recording(request.user, recording)
    except ValidationError as exc:
        raise PermissionDenied(" ".join(exc.messages))
    if path is None:
        return HttpResponse(_("录音保存在话务系统中，编号：%(r)s") % {"r": recording.reference},
                            content_type="text/plain; charset=utf-8")
    return sealed.file_response(path, content_type=recording.content_type or "application/octet-stream",
                                attachment=False)


@login_required
def team(request):
    require_capability(request.user, Capability.LEAD_TEAM)
    now = clock.now()
    cases = queues.team_cases(request.user)
    return render(request, "workbench/team.html", {
        "cases": list(cases[:200]), "count": cases.count(), "now": now,
        "claims": list(claims.current_claims(cases, now)),
        "assign_form": row_assign_form(request.user),
    })


def row_assign_form(user) -> AssignForm:
    """The collector picker repeated on every row of the team's cases: no element id (one per row would repeat),
    named for assistive technology by its label instead."""
    form = AssignForm(collectors=assignable_users(user), auto_id=False)
    form.fields["collector"].widget.attrs["aria-label"] = _("改派给")
    return form


@login_required
def script_list(request):
    return render(request, "workbench/scripts.html", {"scripts": Script.objects.all(),
                                                       "may_edit": may(request.user, Capability.EDIT_SCRIPTS)})


@login_required
def script_edit(request, pk):
    require_capability(request.user, Capability.EDIT_SCRIPTS)
    script = get_object_or_404(Script, pk=pk)
    form = ScriptForm(request.POST or None, initial={f: getattr(script, f) for f in scripts.FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            scripts.update_script(request.user, script, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("话术已保存"))
            return redirect("work-scripts")
    return render(request, "workbench/script_edit.html", {"form": form, "script": script},
                  status=400 if form.errors else 200)
