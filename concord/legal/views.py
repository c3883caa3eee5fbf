"""Legal-track pages: the legal cases list, the cases due for legal review, the case-page panel and its forms, document
downloads."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.cases.panels import bound_form, case_page
from concord.cases.selectors import visible_cases
from concord.core import clock, sealed
from concord.core.webforms import form_html, submit
from concord.staff.roles import Capability, may

from . import services
from .forms import (
    AcknowledgementForm,
    CloseForm,
    CompleteForm,
    CostForm,
    DocumentForm,
    EnterForm,
    StageForm,
)
from .models import FOLLOWS, LegalCase, LegalDocument, LegalStage, LegalStatus, Stage
from .selectors import due_for_legal_review, legal_cases


def case_panel(request, case):
    """The legal panel; limitation and cost totals come from what the case page read already (its accounts with
    schedules and payments, the legal tracks with their costs), and the forms exist only for the roles that see
    them."""
    user = request.user
    if not may(user, Capability.SEE_INTERNAL):
        return None
    tracks = list(case.legal_cases.prefetch_related("stages", "documents", "costs").order_by("-opened_on", "-id"))
    legal = next((t for t in tracks if t.status == LegalStatus.ACTIVE), tracks[0] if tracks else None)
    acks = list(case.acknowledgements.all()[:10])  # newest first: the first is the latest acknowledgement
    lim = services.limitation_of(case, accounts=case.accounts.all(), acknowledgements=acks)
    today = clock.today()
    is_legal = may(user, Capability.LEGAL_TRACK)
    stages = list(legal.stages.all()) if legal else []
    started = {s.stage for s in stages}
    nxt = [s for s in Stage.values if s not in started and (FOLLOWS[s] is None or FOLLOWS[s] in started)]
    active = legal is not None and legal.status == LegalStatus.ACTIVE
    acts = active and is_legal   # the stage, document, cost and close forms show only then
    may_enter = is_legal and not active and case.status in ("new", "open", "on_hold")
    may_acknowledge = may(user, Capability.ACKNOWLEDGE_DEBT)
    stage_form = bound_form(request, "legal-stage") if acts else None
    if stage_form is not None:   # refused: what was typed, among the stages that may start now
        stage_form.fields["stage"].choices = [(s, Stage(s).label) for s in nxt]
    return {
        "legal": legal, "active": active,
        "stages": [(s, bound_form(request, f"legal-complete-{s.pk}", CompleteForm(auto_id=_ids("complete", s.pk)))
                    if acts and not s.ended_on else None) for s in stages],
        "next_stages": [Stage(s).label for s in nxt],
        "documents": list(legal.documents.all()) if legal else [], "costs": list(legal.costs.all()) if legal else [],
        "totals": services.cost_totals(case, tracks=tracks), "lim": lim,
        "bar": None if active else services.time_bar_reason(lim, today),
        "acks": acks,
        "is_legal": is_legal, "may_read_docs": may(user, Capability.READ_LEGAL_DOCUMENTS),
        "may_acknowledge": may_acknowledge, "may_enter": may_enter,
        "enter_form": bound_form(request, "legal-enter", form_html(EnterForm, auto_id=_ids("enter")))
        if may_enter else None,
        "stage_form": stage_form or (_stage_form(nxt) if acts else None),
        "cost_form": bound_form(request, "legal-cost", CostForm(stages=stages, auto_id=_ids("cost"))) if acts else None,
        "document_form": bound_form(request, "legal-document", DocumentForm(stages=stages, auto_id=_ids("doc")))
        if acts else None,
        "close_form": bound_form(request, "legal-close", form_html(CloseForm, auto_id=_ids("close"))) if acts else None,
        "ack_form": bound_form(request, "legal-ack", form_html(AcknowledgementForm, auto_id=_ids("ack")))
        if may_acknowledge else None,
    }


def _ids(form: str, pk="") -> str:
    """The element ids of one legal form (``legal_cost_amount`` …; a stage's completion ``legal_complete3_…``): the
    same whether the form is empty or comes back refused."""
    return f"legal_{form}{pk}_%s"


def _stage_form(allowed, data=None):
    form = StageForm(data, auto_id=_ids("stage"))
    if data is None:
        form.fields["stage"].choices = [(s, Stage(s).label) for s in allowed]
    return form


def _act(request, case, name, form, act, done, failed, *, then=None):
    """Submit; on success back to the case page's legal panel (or to ``then``, a page of this site); refused, the
    case page again with the bound form ``name`` (what was typed, the errors beside the fields; the page's script
    swaps in only the legal panel)."""
    if submit(request, form, act, done=done, failed=failed)[0]:
        return redirect(then or reverse("case-detail", args=[case.pk]) + "#legal")
    return case_page(request, case, bound={name: form})


def _next(request) -> str | None:
    """The ``next`` page a form asks to return to, when it is a page of this site."""
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return None


def _case(request, pk):
    return get_object_or_404(visible_cases(request.user), pk=pk)


def _legal(request, pk):
    return get_object_or_404(LegalCase.objects.select_related("case").filter(
        case__in=visible_cases(request.user).values("pk")), pk=pk)


@login_required
def legal_list(request):
    if not may(request.user, Capability.READ_LEGAL_DOCUMENTS):
        raise PermissionDenied(_("您的角色无权执行此操作"))
    status = request.GET.get("status", LegalStatus.ACTIVE)
    qs = legal_cases(request.user)
    if status in LegalStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-opened_on", "-id"), 50).get_page(request.GET.get("page"))
    labels = dict(Stage.choices)
    rows = [(c, labels.get(c.current_stage, "—")) for c in page.object_list]
    return render(request, "legal/legal_list.html", {"page": page, "rows": rows, "status": status,
                                                     "statuses": LegalStatus.choices})


@login_required
def review_list(request):
    """The cases the end-of-day run marked for legal review (待法务审查), largest balance first, with their
    limitation status; a user who may open legal tracks hands each one over from its row (the enter form below)."""
    if not may(request.user, Capability.READ_LEGAL_DOCUMENTS):
        raise PermissionDenied(_("您的角色无权执行此操作"))
    page = Paginator(due_for_legal_review(request.user), 50).get_page(request.GET.get("page"))
    today = clock.today()
    may_enter = may(request.user, Capability.LEGAL_TRACK)
    rows = []
    for case in page.object_list:
        lim = services.limitation_of(case, accounts=case.accounts.all(), acknowledgements=case.acknowledgements.all())
        bar = services.time_bar_reason(lim, today)
        form = EnterForm(auto_id=f"review{case.pk}_%s") if may_enter and bar is None else None
        rows.append({"case": case, "state": case.eod_state, "lim": lim, "bar": bar, "form": form})
    return render(request, "legal/review_list.html", {"page": page, "rows": rows, "may_enter": may_enter,
                                                      "here": request.get_full_path()})


@login_required
@require_POST
def enter(request, case_pk):
    case = _case(request, case_pk)
    return _act(request, case, "legal-enter", EnterForm(request.POST, auto_id=_ids("enter")),
                lambda d: services.enter_legal(request.user, case, **d),
                _("案件已转入法律程序"), _("未能转入法律程序：%(e)s"), then=_next(request))


@login_required
@require_POST
def acknowledge(request, case_pk):
    case = _case(request, case_pk)
    return _act(request, case, "legal-ack", AcknowledgementForm(request.POST, auto_id=_ids("ack")),
                lambda d: services.record_acknowledgement(request.user, case, **d),
                _("债务确认已登记"), _("债务确认未登记：%(e)s"))


@login_required
@require_POST
def start_stage(request, pk):
    legal = _legal(request, pk)
    return _act(request, legal.case, "legal-stage", _stage_form(None, request.POST),
                lambda d: services.start_stage(request.user, legal, **d),
                _("阶段已开始"), _("阶段未开始：%(e)s"))


@login_required
@require_POST
def complete_stage(request, pk):
    row = get_object_or_404(LegalStage.objects.select_related("legal_case__case").filter(
        legal_case__case__in=visible_cases(request.user).values("pk")), pk=pk)
    return _act(request, row.legal_case.case, f"legal-complete-{row.pk}",
                CompleteForm(request.POST, auto_id=_ids("complete", row.pk)),
                lambda d: services.complete_stage(request.user, row, **d),
                _("阶段已完成"), _("阶段未完成：%(e)s"))


@login_required
@require_POST
def add_cost(request, pk):
    legal = _legal(request, pk)
    return _act(request, legal.case, "legal-cost", CostForm(request.POST, stages=legal.stages.all(), auto_id=_ids("cost")),
                lambda d: services.add_cost(request.user, legal, **d),
                _("费用已登记"), _("费用未登记：%(e)s"))


@login_required
@require_POST
def upload(request, pk):
    legal = _legal(request, pk)
    return _act(request, legal.case, "legal-document",
                DocumentForm(request.POST, request.FILES, stages=legal.stages.all(), auto_id=_ids("doc")),
                lambda d: services.upload_document(request.user, legal, upload=d["file"], title=d["title"],
                                                   stage=d["stage"]),
                _("文书已上传"), _("文书未上传：%(e)s"))


@login_required
@require_POST
def close(request, pk):
    legal = _legal(request, pk)
    return _act(request, legal.case, "legal-close", CloseForm(request.POST, auto_id=_ids("close")),
                lambda d: services.close_legal(request.user, legal, **d),
                _("法律程序已结束"), _("法律程序未结束：%(e)s"))


@login_required
def download(request, pk):
    doc = get_object_or_404(LegalDocument.objects.select_related("legal_case__case").filter(
        legal_case__case__in=visible_cases(request.user).values("pk")), pk=pk)
    try:
        path = services.open_document(request.user, doc)
    except ValidationError:
        raise PermissionDenied(_("您的角色无权执行此操作")) from None
    return sealed.file_response(path, filename=doc.name, content_type=doc.content_type)
