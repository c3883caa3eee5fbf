"""Pages and actions of the collector's workbench: My work, next case, calls, promises, tasks, recordings, the
team queue and the scripts."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.core import clock
from concord.core.access import restrict
from concord.core.webforms import apply_validation_error, errors_text, submit
from concord.debtors.models import ContactPoint, RelatedParty

from . import calls, claims, followups, promises, queues, scripts
from .forms import AssignForm
from .models import CallRecording, Script, Task, TaskKind
from .policy import MAY_EDIT_SCRIPTS, MAY_LEAD, MAY_WORK
from .selectors import visible_cases
from .work_forms import (
    CallDispositionForm,
    CompleteTaskForm,
    NoteForm,
    PromiseForm,
    ScriptForm,
    TaskForm,
)


def _require(user, roles):
    if user.role not in roles:
        raise PermissionDenied(_("您的角色无权执行此操作"))


def _case_for(request, pk):
    return get_object_or_404(visible_cases(request.user), pk=pk)


def _to_case(case, anchor=""):
    return redirect(reverse("case-detail", args=[case.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
def my_work(request):
    user = request.user
    now = clock.now()
    day = timezone.localtime(now).date()
    queue = queues.today_queue(user, now=now)
    tasks = list(queues.open_tasks(user, now=now))
    return render(request, "cases/work/my_work.html", {
        "queue": list(queue[:50]), "queue_count": queue.count(), "now": now,
        "tasks": [t for t in tasks if t.kind != TaskKind.CALLBACK],
        "callbacks": [t for t in tasks if t.kind == TaskKind.CALLBACK],
        "promises_due": list(queues.promises_due(user, day)),
        "claimed": visible_cases(user).filter(claimed_by=user, claimed_until__gt=now).first(),
        "may_work": user.role in MAY_WORK, "may_lead": user.role in MAY_LEAD,
        "complete_form": CompleteTaskForm(),
    })


@login_required
@require_POST
def next_case(request):
    _require(request.user, MAY_WORK)
    case = claims.claim_next(request.user)
    if case is None:
        messages.info(request, _("今日队列已处理完毕，暂无可领取的案件"))
        return redirect("my-work")
    messages.success(request, _("已领取案件 %(r)s，%(m)d 分钟内由您处理") % {"r": case.reference,
                                                                         "m": claims.claim_minutes()})
    return _to_case(case)


@login_required
@require_POST
def claim(request, pk):
    case = _case_for(request, pk)
    try:
        claims.claim_case(request.user, case)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已领取该案件"))
    return _to_case(case)


@login_required
@require_POST
def release(request, pk):
    case = _case_for(request, pk)
    if claims.release_claim(request.user, case):
        messages.success(request, _("已释放该案件"))
    return redirect("my-work") if request.POST.get("next") == "work" else _to_case(case)


@login_required
@require_POST
def call_start(request, pk):
    case = _case_for(request, pk)
    _require(request.user, MAY_WORK)
    target = request.POST.get("target", "")
    kind, _sep, ident = target.partition(":")
    point = party = None
    if kind == "cp" and ident.isdigit():
        point = get_object_or_404(ContactPoint, pk=ident, debtor=case.debtor)
    elif kind == "rp" and ident.isdigit():
        party = get_object_or_404(RelatedParty, pk=ident, debtor=case.debtor)
    else:
        messages.error(request, _("请选择要拨打的号码"))
        return _to_case(case, "call")
    try:
        decision = calls.start_call(request.user, case, contact_point=point, related_party=party)
    except ValidationError as exc:
        messages.error(request, _("不能拨打：%(e)s") % {"e": " ".join(exc.messages)})
        return _to_case(case, "call")
    if not decision.allowed:
        messages.error(request, _("合规闸门拒绝：%(r)s") % {"r": decision.reason(get_language())})
        return _to_case(case, "call")
    return redirect(reverse("case-detail", args=[case.pk]) + f"?call={decision.pk}#call")


def pending_decision(request, case):
    """The user's allow on this case named by ``?call=``, still usable (not yet logged, under 30 minutes)."""
    from concord.compliance.models import ContactAttempt, ContactDecision
    from concord.compliance.services import DECISION_VALID

    raw = request.GET.get("call", "")
    if not raw.isdigit():
        return None
    decision = ContactDecision.objects.filter(pk=raw, case=case, actor=request.user, channel="call",
                                              allowed=True).select_related("related_party").first()
    if decision is None or ContactAttempt.objects.filter(decision=decision).exists():
        return None
    if clock.now() > decision.at + DECISION_VALID:
        return None
    return decision


@login_required
@require_POST
def call_log(request, pk):
    from concord.compliance.models import ContactDecision

    case = _case_for(request, pk)
    _require(request.user, MAY_WORK)
    form = CallDispositionForm(request.POST, request.FILES)
    decision = None
    if form.is_valid():
        decision = ContactDecision.objects.filter(pk=form.cleaned_data["decision"], case=case).first()
        if decision is None:
            form.add_error(None, _("放行决定不存在"))
        else:
            d = form.cleaned_data
            try:
                calls.log_call(request.user, case, decision, outcome=d["outcome"], result_codes=d["result_codes"],
                               duration_seconds=d["duration_seconds"] or 0, note=d["note"],
                               recording=d.get("recording"), recording_ref=d["recording_ref"],
                               promise_amount=d["promise_amount"], promise_date=d["promise_date"],
                               callback_at=d["callback_at"], dispute_summary=d["dispute_summary"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
    if form.errors:
        messages.error(request, _("通话记录未保存：%(e)s") % {"e": errors_text(form)})
        if decision is not None:
            return redirect(reverse("case-detail", args=[case.pk]) + f"?call={decision.pk}#call")
        return _to_case(case, "call")
    messages.success(request, _("通话已记录"))
    return _to_case(case, "activities")


@login_required
@require_POST
def promise_add(request, pk):
    case = _case_for(request, pk)
    _require(request.user, MAY_WORK)
    submit(request, PromiseForm(request.POST),
           lambda d: promises.record_promise(request.user, case, amount=d["amount"], due_date=d["due_date"],
                                             note=d["note"]),
           done=_("承诺还款已登记"), failed=_("承诺还款未登记：%(e)s"))
    return _to_case(case, "promises")


@login_required
@require_POST
def task_add(request, pk):
    case = _case_for(request, pk)
    _require(request.user, MAY_WORK)
    submit(request, TaskForm(request.POST),
           lambda d: followups.create_task(request.user, case, title=d["title"], due_at=d["due_at"], kind=d["kind"]),
           done=_("跟进任务已添加"), failed=_("跟进任务未保存：%(e)s"))
    return _to_case(case, "tasks")


@login_required
@require_POST
def note_add(request, pk):
    case = _case_for(request, pk)
    _require(request.user, MAY_WORK)
    submit(request, NoteForm(request.POST), lambda d: followups.add_note(request.user, case, text=d["text"]),
           done=_("备注已保存"), failed=_("备注未保存：%(e)s"))
    return _to_case(case, "activities")


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
    return redirect("my-work") if request.POST.get("next") == "work" else _to_case(task.case, "tasks")


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
    return FileResponse(open(path, "rb"), content_type=recording.content_type or "application/octet-stream")


@login_required
def team(request):
    _require(request.user, MAY_LEAD)
    from .views import _assignable

    now = clock.now()
    cases = queues.team_cases(request.user)
    return render(request, "cases/work/team.html", {
        "cases": list(cases[:200]), "count": cases.count(), "now": now,
        "claims": list(claims.current_claims(cases, now)),
        "assign_form": AssignForm(collectors=_assignable(request.user)),
    })


@login_required
def script_list(request):
    return render(request, "cases/work/scripts.html", {"scripts": Script.objects.all(),
                                                       "may_edit": request.user.role in MAY_EDIT_SCRIPTS})


@login_required
def script_edit(request, pk):
    _require(request.user, MAY_EDIT_SCRIPTS)
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
    return render(request, "cases/work/script_edit.html", {"form": form, "script": script},
                  status=400 if form.errors else 200)
