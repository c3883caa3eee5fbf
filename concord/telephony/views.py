"""The provider's push endpoint (webhook: verified by the provider's signature, stored raw, processed later), and
the collector's hang-up and disposition of a call the switch placed."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from concord.cases.models import Activity
from concord.cases.selectors import visible_case_or_404
from concord.core.webforms import apply_validation_error, errors_text
from concord.staff.roles import Capability, require_capability
from concord.workbench import calls

from . import providers, services
from .forms import SwitchDispositionForm
from .models import Call


@csrf_exempt
@require_POST
def push(request, provider):
    if provider == "manual" or provider not in (*providers.NAMES, *providers._registered):
        return HttpResponse(status=404)
    try:
        with transaction.atomic():
            headers = {**dict(request.headers), "X-Concord-Query": request.META.get("QUERY_STRING", "")}
            count = services.receive(provider, headers, request.body)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=403)
    except ValueError as exc:
        return JsonResponse({"error": str(exc)[:200]}, status=400)
    return JsonResponse({"stored": count})


def _case_page(case, anchor="call"):
    return redirect(reverse("case-detail", args=[case.pk]) + f"#{anchor}")


@login_required
@require_POST
def dispose(request, pk):
    """The collector's disposition and note for an answered call the switch logged."""
    activity = get_object_or_404(Activity, pk=pk, kind="call")
    case = visible_case_or_404(request.user, activity.case_id)
    require_capability(request.user, Capability.WORK_CASES)
    form = SwitchDispositionForm(request.POST, auto_id="dispose_%s")
    if form.is_valid():
        d = form.cleaned_data
        try:
            calls.dispose_call(request.user, activity, result_codes=d["result_codes"], note=d["note"],
                               promise_amount=d["promise_amount"], promise_date=d["promise_date"],
                               callback_at=d["callback_at"], dispute_summary=d["dispute_summary"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
    if form.errors:
        messages.error(request, _("通话结论未保存：%(e)s") % {"e": errors_text(form)})
        return _case_page(case)
    messages.success(request, _("通话结论已登记"))
    return _case_page(case, "activities")


@login_required
@require_POST
def hang_up(request, pk):
    call = get_object_or_404(Call, pk=pk)
    case = visible_case_or_404(request.user, call.case_id)
    try:
        services.hang_up(request.user, call)
    except (ValidationError, providers.ProviderError) as exc:
        messages.error(request, _("挂断失败：%(e)s") % {"e": exc})
    return _case_page(case)


@login_required
def inbound(request):
    """The softphone's screen pop for an incoming call (``?number=``): the recognised case's page, or the
    follow-up list's message when the number is unknown."""
    from .inbound import receive_call

    require_capability(request.user, Capability.WORK_CASES)
    number = (request.GET.get("number") or "").strip()
    if not number:
        return HttpResponse(status=400)
    call = receive_call(number, agent=request.user)
    if call.case_id:
        messages.info(request, _("来电 %(n)s：已打开该债务人的案件") % {"n": call.number_masked})
        return _case_page(call.case, "activities")
    messages.warning(request, _("来电 %(n)s：号码不属于任何债务人，已记录待跟进") % {"n": call.number_masked})
    return redirect("my-work")


@login_required
@require_POST
def power_next(request):
    """Power dialing: the next case of the collector's queue whose number the gate allows is dialled; the cases the
    gate refused are skipped for the rest of the day's session. With ``CONCORD_DIALING_MODE=predictive``, a
    predictive round for this collector (``predictive.collector_round``)."""
    from django.utils.translation import gettext as _t

    from concord.core import clock
    from concord.workbench.queues import today_queue

    from . import dialer, predictive

    require_capability(request.user, Capability.WORK_CASES)
    if not services.switch_configured():
        messages.error(request, _t("未接入话务系统，不能自动连拨"))
        return redirect("my-work")
    key = f"power_skipped:{clock.today().isoformat()}"
    skipped = set(request.session.get(key, []))
    ids = [pk for pk in today_queue(request.user).values_list("pk", flat=True)[:200] if pk not in skipped]
    try:
        if predictive.enabled():        # the pacing may place more than one call; the first one's case opens
            done = predictive.collector_round(request.user, ids)
            step = done.dialled[0] if done.dialled else None
            dialled = {d.index for d in done.dialled}
            passed = [pk for i, pk in enumerate(ids[:done.next_index]) if i not in dialled]
        else:
            step = dialer.dial_next(request.user, ids)
            passed = ids if step is None else ids[:step.index]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("my-work")
    request.session[key] = sorted(skipped | set(passed))
    if step is None:
        messages.info(request, _t("队列中没有合规闸门放行的可拨打案件"))
        return redirect("my-work")
    return redirect(reverse("case-detail", args=[step.case_id]) + f"?call={step.decision.pk}#call")
