"""The report subscription pages (/reports/subscriptions/…): the list, create, edit (with the last deliveries),
delete and "send now". Managers and admins see every subscription; a team lead their own (``visible_subscriptions``),
always limited to their teams."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from concord.core import clock
from concord.core.access import own_team_ids

from . import delivery, pages, subscriptions
from .forms import SubscriptionForm
from .models import ReportSubscription

FORM_FIELDS = subscriptions.FIELDS


WEEKDAYS = (gettext_lazy("星期一"), gettext_lazy("星期二"), gettext_lazy("星期三"), gettext_lazy("星期四"),
            gettext_lazy("星期五"), gettext_lazy("星期六"), gettext_lazy("星期日"))


def when(sub: ReportSubscription) -> str:
    """When a subscription is sent, as a person reads it (每周 星期一 08:30)."""
    parts = [str(sub.get_frequency_display())]
    if sub.frequency == "weekly" and sub.weekday:
        parts.append(str(WEEKDAYS[sub.weekday - 1]))
    if sub.frequency == "monthly" and sub.month_day:
        parts.append(_("%(d)s 号") % {"d": sub.month_day})
    parts.append(sub.at.strftime("%H:%M"))
    return " ".join(parts)


def _teams(user):
    return None if subscriptions.manages_all(user) else sorted(own_team_ids(user))


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def subscription_list(request):
    subs = subscriptions.visible_subscriptions(request.user)
    now = clock.now()
    rows = [{"sub": s, "next": delivery.next_slot(s, now), "last": s.deliveries.first(), "when": when(s),
             "report": pages.REPORTS.get(s.report, s.report)} for s in subs]
    return render(request, "reports/subscriptions.html", {"rows": rows})


def _save(request, sub: ReportSubscription | None):
    form = SubscriptionForm(request.POST, teams=_teams(request.user))
    if form.is_valid():
        data = {k: form.cleaned_data.get(k) for k in FORM_FIELDS}
        try:
            if sub is None:
                sub = subscriptions.create_subscription(request.user, **data)
            else:
                sub = subscriptions.update_subscription(request.user, sub, **data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("报表订阅已保存"))
            return redirect("report-subscription", pk=sub.pk), form
    return None, form


@login_required
def subscription_new(request):
    subscriptions.visible_subscriptions(request.user)  # PermissionDenied for users who see no reports
    if request.method == "POST":
        response, form = _save(request, None)
        if response:
            return response
    else:
        form = SubscriptionForm(teams=_teams(request.user), initial={"enabled": True, "at": "08:00",
                                                                     "recipients": request.user.email})
    return render(request, "reports/subscription.html", {"form": form, "sub": None})


@login_required
def subscription_edit(request, pk):
    sub = get_object_or_404(subscriptions.visible_subscriptions(request.user), pk=pk)
    if request.method == "POST":
        response, form = _save(request, sub)
        if response:
            return response
    else:
        initial = {k: getattr(sub, k) for k in FORM_FIELDS}
        initial["recipients"] = "\n".join(sub.recipients)
        initial["at"] = sub.at.strftime("%H:%M")
        form = SubscriptionForm(teams=_teams(request.user), initial=initial)
    return render(request, "reports/subscription.html", {
        "form": form, "sub": sub, "deliveries": sub.deliveries.select_related("requested_by")[:20],
        "next": delivery.next_slot(sub, clock.now())})


@login_required
@require_POST
def subscription_delete(request, pk):
    sub = get_object_or_404(subscriptions.visible_subscriptions(request.user), pk=pk)
    subscriptions.delete_subscription(request.user, sub)
    messages.success(request, _("报表订阅已删除"))
    return redirect("report-subscriptions")


@login_required
@require_POST
def subscription_send(request, pk):
    sub = get_object_or_404(subscriptions.visible_subscriptions(request.user), pk=pk)
    try:
        job = delivery.send_now(request.user, sub)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    else:
        job.refresh_from_db()
        result = job.result or {}
        if job.finished and result.get("state") == "sent":
            messages.success(request, _("报表已发送"))
        elif job.finished:
            last = sub.deliveries.first()
            messages.error(request, _("发送失败：%(e)s") % {"e": job.error or (last.error if last else "—")})
        else:
            messages.success(request, _("已开始发送（任务 #%(n)s），稍后刷新查看结果") % {"n": job.pk})
    return redirect("report-subscription", pk=sub.pk)
