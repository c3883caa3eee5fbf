"""Statement pages, shared by the agency (every creditor) and a creditor's users (their own creditor only; another
creditor's statement is a 404, as if it did not exist): the month's lines and totals, the reconciliation with its
open differences, the remittances, the downloads, and the actions each side may take."""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.core import clock
from concord.creditors.models import Creditor
from concord.staff.roles import Capability, may

from . import exports, services
from .compute import month_start, next_month, parse_month, statement_lines, summarize
from .forms import QueryForm, ReconcileForm, RemittanceForm, ResolveForm
from .models import ReconciliationItem, Statement, StatementStatus


def portal_user(user) -> bool:
    return may(user, Capability.CREDITOR_PORTAL)


def creditor_for(request, code: str) -> Creditor:
    """The creditor the user may see statements of: any for the agency's statements role; their own for a creditor's
    user (another's is not found); nobody else."""
    if portal_user(request.user):
        if not request.user.creditor_id or request.user.creditor.code != code:
            raise Http404
        return request.user.creditor
    if not may(request.user, Capability.STATEMENTS):
        raise PermissionDenied(_("只有催收经理、系统管理员和委托方用户可以查看对账单"))
    return get_object_or_404(Creditor, code=code)


def _month(text: str) -> dt.date:
    try:
        return parse_month(text)
    except ValueError:
        raise Http404


def recent_months(today: dt.date, n: int = 6) -> list[dt.date]:
    months, m = [], month_start(today)
    for _i in range(n):
        m = month_start(m - dt.timedelta(days=1))
        months.append(m)
    return months


@login_required
def index(request):
    if portal_user(request.user):
        return redirect("creditor-home")
    if not may(request.user, Capability.STATEMENTS):
        raise PermissionDenied(_("只有催收经理和系统管理员可以查看对账单"))
    months = recent_months(clock.today())
    known = {(s.creditor_id, s.month): s for s in Statement.objects.filter(month__in=months)}
    rows = [(c, [(m, known.get((c.pk, m))) for m in months]) for c in Creditor.objects.filter(active=True)]
    return render(request, "statements/index.html", {"rows": rows, "months": months})


def _page(request, creditor, month, *, status=200, **forms):
    statement, lines = statement_lines(creditor, month)
    summary = summarize(lines)
    run = services.latest_reconciliation(creditor, month)
    items = list(run.items.all()) if run else []
    portal = portal_user(request.user)
    context = {
        "creditor": creditor, "month": month, "statement": statement, "lines": lines, "summary": summary,
        "status_label": statement.get_status_display() if statement else StatementStatus.DRAFT.label,
        "frozen": bool(statement and statement.frozen), "portal": portal,
        "ended": next_month(month) <= clock.today(), "run": run,
        "differences": [i for i in items if i.kind != "matched"], "matched": sum(1 for i in items if i.kind == "matched"),
        "open_count": sum(1 for i in items if not i.resolved),
        "remittances": list(statement.remittances.all()) if statement else [],
        "remitted": services.remitted(statement) if statement else None,
        "query_form": forms.get("query_form") or QueryForm(),
        "remit_form": forms.get("remit_form") or RemittanceForm(initial={"amount": summary.remit,
                                                                         "paid_on": clock.today()}),
        "reconcile_form": forms.get("reconcile_form") or ReconcileForm(), "resolve_form": ResolveForm(),
    }
    return render(request, "statements/statement.html", context, status=status)


@login_required
def statement_page(request, code, month):
    creditor = creditor_for(request, code)
    return _page(request, creditor, _month(month))


@login_required
def download(request, code, month, fmt):
    creditor = creditor_for(request, code)
    first = _month(month)
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    statement, lines = statement_lines(creditor, first)
    label = statement.get_status_display() if statement else str(StatementStatus.DRAFT.label)
    summary = summarize(lines)
    name = f"statement-{creditor.code}-{first:%Y-%m}"
    if fmt == "xlsx":
        body = exports.xlsx(creditor, first, label, lines, summary)
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    else:
        body = exports.pdf(creditor, first, label, lines, summary,
                           open_items=len(services.open_differences(creditor, first)))
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    from concord.core import audit
    audit.record(request.user, "statement.download", creditor, {"month": f"{first:%Y-%m}", "format": fmt})
    return response


def _act(request, code, month, action, **forms):
    creditor = creditor_for(request, code)
    first = _month(month)
    try:
        message = action(creditor, first)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return _page(request, creditor, first, status=400, **forms)
    messages.success(request, message)
    return redirect("statement-page", code=creditor.code, month=f"{first:%Y-%m}")


@login_required
@require_POST
def approve(request, code, month):
    return _act(request, code, month, lambda c, m: (services.approve(request.user, c, m), _("对账单已确认"))[1])


@login_required
@require_POST
def query(request, code, month):
    form = QueryForm(request.POST)

    def act(c, m):
        if not form.is_valid():
            raise ValidationError(form.errors.get("comment") or [_("请写明疑问")])
        services.query(request.user, c, m, comment=form.cleaned_data["comment"])
        return _("疑问已提交，催收机构会回复")
    return _act(request, code, month, act, query_form=form)


@login_required
@require_POST
def close(request, code, month):
    def act(c, m):
        statement = Statement.objects.filter(creditor=c, month=m).first()
        if statement is None:
            raise ValidationError(_("只有已确认的对账单可以关账"))
        services.close(request.user, statement)
        return _("对账单已关账")
    return _act(request, code, month, act)


@login_required
@require_POST
def remit(request, code, month):
    form = RemittanceForm(request.POST)

    def act(c, m):
        if not form.is_valid():
            raise ValidationError([f"{form.fields[k].label}：{'；'.join(v)}" for k, v in form.errors.items()])
        statement = Statement.objects.filter(creditor=c, month=m).first()
        if statement is None:
            raise ValidationError(_("请先确认对账单，再登记汇款"))
        d = form.cleaned_data
        services.record_remittance(request.user, statement, amount=d["amount"], reference=d["reference"],
                                   paid_on=d["paid_on"], note=d["note"])
        return _("汇款已登记")
    return _act(request, code, month, act, remit_form=form)


@login_required
@require_POST
def reconcile(request, code, month):
    form = ReconcileForm(request.POST, request.FILES)

    def act(c, m):
        if not form.is_valid():
            raise ValidationError(_("请选择委托方的还款文件"))
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in (".csv", ".xlsx", ".txt"):
            raise ValidationError(_("只接受 CSV 或 XLSX 文件"))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"theirs{suffix}"
            with path.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            from concord.imports.readers import FileRejected
            try:
                run = services.reconcile(request.user, c, m, path, file_name=upload.name)
            except FileRejected as exc:
                raise ValidationError(str(exc.reason))
        open_count = run.items.filter(resolved=False).count()
        return _("对账完成：%(n)s 行，%(open)s 项差异待处理") % {"n": run.rows, "open": open_count}
    return _act(request, code, month, act, reconcile_form=form)


@login_required
@require_POST
def resolve(request, code, month, item):
    creditor = creditor_for(request, code)
    found = get_object_or_404(ReconciliationItem, pk=item, reconciliation__creditor=creditor)
    form = ResolveForm(request.POST)

    def act(c, m):
        if not form.is_valid():
            raise ValidationError(_("请写明处理说明"))
        services.resolve_difference(request.user, found, note=form.cleaned_data["note"])
        return _("差异已处理")
    return _act(request, code, month, act)
