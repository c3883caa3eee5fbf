"""The manager's morning page (/reports/morning/) and the monthly recovery targets it measures against."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.staff.roles import Capability, may

from . import morning
from .forms import RecoveryTargetForm
from .scope import scoped_filters
from .targets import set_target


@login_required
def morning_page(request, form=None):
    filters = scoped_filters(request.user)
    page = morning.build(request.user, filters)
    may_set = may(request.user, Capability.CONFIGURE)
    if may_set and form is None:
        form = RecoveryTargetForm(initial={"month": page.yesterday.strftime("%Y-%m")})
    return render(request, "reports/morning.html", {"page": page, "form": form if may_set else None,
                                                    "scoped": filters.teams is not None})


@login_required
@require_POST
def set_recovery_target(request):
    if not may(request.user, Capability.CONFIGURE):
        raise PermissionDenied(_("您的角色无权设置回收目标"))
    form = RecoveryTargetForm(request.POST)
    if not form.is_valid():
        return morning_page(request, form=form)
    d = form.cleaned_data
    set_target(request.user, creditor=d["creditor"], month=d["month"], amount=d["amount"])
    messages.success(request, _("回收目标已保存：%(creditor)s %(month)s") % {
        "creditor": d["creditor"].code, "month": d["month"].strftime("%Y-%m")})
    return redirect("reports-morning")
