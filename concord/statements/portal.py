"""The creditor portal (/creditor/): a creditor's users see their own business with the agency and nothing else —
their batches with recovery by batch and month, contact and complaint figures for their cases, their statements (to
download, approve or query), the open reconciliation differences, and the files they send (placements, payments,
recalls) through the same import pipeline as the agency's, each rejected row with its reason. Every query is filtered
by the user's creditor; the agency's notes and internal work are never shown."""
from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from concord.compliance.models import Complaint, ContactAttempt
from concord.core import clock
from concord.core.access import restrict
from concord.creditors.models import AccountState, PlacementAccount
from concord.imports import services as imports
from concord.imports.models import ImportBatch, ImportKind
from concord.placements import selectors as placements
from concord.staff.roles import Capability, may

from .models import ReconciliationItem, Statement
from .views import recent_months

UPLOAD_KINDS = [(ImportKind.PLACEMENTS, gettext_lazy("委案文件")), (ImportKind.PAYMENTS, gettext_lazy("还款文件")),
                (ImportKind.RECALLS, gettext_lazy("退案文件"))]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("文件类型"), choices=UPLOAD_KINDS)
    file = forms.FileField(label=gettext_lazy("文件（CSV 或 XLSX）"))


def _creditor(request):
    if not may(request.user, Capability.CREDITOR_PORTAL) or not request.user.creditor_id:
        raise PermissionDenied(_("委托方门户只供委托方用户使用"))
    return request.user.creditor


def recovery_by_month(placement) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for _row, payment in placements.payments_while_placed(placement):
        key = f"{placements.local_date(payment.paid_at, placements.ZoneInfo(placement.creditor.time_zone)):%Y-%m}"
        out[key] = out.get(key, Decimal("0.00")) + payment.amount
    return out


def contact_figures(user, creditor, today: dt.date) -> dict:
    """Contacts of the last 30 days by channel and complaints, of the cases the user may see (``restrict``)."""
    since = clock.day_start(today - dt.timedelta(days=30))
    attempts = restrict(ContactAttempt.objects.filter(creditor=creditor, at__gte=since), user)
    by_channel = dict(attempts.values_list("channel").annotate(n=Count("id")).values_list("channel", "n"))
    complaints = restrict(Complaint.objects.filter(creditor=creditor), user).aggregate(
        total=Count("id"), open=Count("id", filter=~Q(status="resolved")),
        recent=Count("id", filter=Q(received_at__gte=since)))
    return {"contacts": sum(by_channel.values()), "by_channel": sorted(by_channel.items()), **complaints}


@login_required
def home(request):
    creditor = _creditor(request)
    today = clock.today()
    batches = []
    months: set[str] = set()
    for placement in placements.batches(creditor=creditor)[:50]:
        figures = placements.batch_figures(placement, today)
        by_month = recovery_by_month(placement)
        months |= set(by_month)
        batches.append((figures, by_month))
    months_sorted = sorted(months)[-6:]
    recovery = [(f, [m.get(key) for key in months_sorted]) for f, m in batches]
    statements = {s.month: s for s in Statement.objects.filter(creditor=creditor)}
    open_diffs = dict(ReconciliationItem.objects.filter(reconciliation__creditor=creditor, resolved=False)
                      .values_list("reconciliation__month").annotate(n=Count("id")).values_list(
                          "reconciliation__month", "n"))
    rows = [(m, statements.get(m), open_diffs.get(m, 0)) for m in recent_months(today)]
    recalled = list(restrict(PlacementAccount.objects.all(), request.user).filter(placement__creditor=creditor, state=AccountState.RECALLED)
                    .exclude(open_items=[]).select_related("account", "placement").order_by("-recalled_on", "-id")[:50])
    uploads = list(ImportBatch.objects.filter(creditor=creditor, kind__in=[k for k, _l in UPLOAD_KINDS])
                   .order_by("-created_at")[:10])
    return render(request, "statements/portal_home.html", {
        "creditor": creditor, "batches": batches, "recovery": recovery, "months": months_sorted,
        "statements": rows, "figures": contact_figures(request.user, creditor, today), "uploads": uploads,
        "upload_form": UploadForm(), "recalled": recalled})


@login_required
@require_POST
def upload(request):
    creditor = _creditor(request)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择文件类型和文件"))
        return redirect("creditor-home")
    data = form.cleaned_data
    uploaded = data["file"]
    with tempfile.NamedTemporaryFile(suffix=Path(uploaded.name).suffix, delete=False) as tmp:
        for chunk in uploaded.chunks():
            tmp.write(chunk)
    try:
        batch = imports.start_batch(request.user, creditor=creditor, kind=data["kind"], path=Path(tmp.name),
                                    file_name=uploaded.name)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return redirect("creditor-home")
    finally:
        Path(tmp.name).unlink(missing_ok=True)
    imports.run_in_background(request.user, batch)
    return redirect("creditor-upload", pk=batch.pk)


@login_required
def upload_detail(request, pk):
    creditor = _creditor(request)
    batch = get_object_or_404(ImportBatch, pk=pk, creditor=creditor)     # another creditor's: not found
    return render(request, "statements/portal_upload.html", {
        "creditor": creditor, "batch": batch, "rejected": imports.read_issues(batch, severity="error", limit=200)})
