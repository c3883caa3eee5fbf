"""The audit-trail page (/compliance/audit/): compliance officers and admins search the trail and verify its chain."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from concord.core.audit import verify_chain
from concord.staff.roles import Capability, may

from . import audit_trail
from .forms import AuditSearchForm

PAGE = 50


@login_required
def audit_page(request):
    if not may(request.user, Capability.VIEW_AUDIT):
        raise PermissionDenied(_("只有合规专员和系统管理员可以查看审计轨迹"))
    form = AuditSearchForm(request.GET or None)
    search = audit_trail.AuditSearch()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        search = audit_trail.AuditSearch(person=d["person"], case=d["case"], user=d["user"], action=d["action"],
                                         start=d["start"], end=d["end"])
    page = Paginator(audit_trail.events(search), PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("verify", None)
    return render(request, "compliance/audit.html", {
        "form": form, "page": page, "rows": [audit_trail.shown(e) for e in page.object_list],
        "query": query.urlencode(), "verified": verify_chain() if request.GET.get("verify") else None})
