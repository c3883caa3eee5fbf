"""Outreach pages: templates (manager/compliance), compose and send from the case page, letter downloads, bulk
letters, and the provider's callbacks (delivery receipts and inbound replies, token-checked)."""
from __future__ import annotations

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from concord.cases.panels import case_page
from concord.cases.selectors import visible_cases
from concord.core import clock
from concord.core.webforms import apply_validation_error
from concord.staff.roles import Capability, may

from . import services
from .forms import BulkLettersForm, ComposeForm, TemplateForm
from .letters import FontMissing, UnrenderableText
from .models import MessageTemplate
from .rendering import VARIABLES
from .selectors import gate_preview, visible_messages


def _roles(capability, message):
    def deco(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not may(request.user, capability):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)
        return wrapper
    return deco


managers = _roles(Capability.MANAGE_TEMPLATES, gettext_lazy("只有经理、合规专员或管理员可以管理模板"))
senders = _roles(Capability.SEND_MESSAGES, gettext_lazy("您的角色无权向债务人发送消息"))


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


# -- templates --------------------------------------------------------------------------------------------------
@managers
def template_list(request):
    templates = MessageTemplate.objects.select_related("updated_by", "approved_by")
    return render(request, "outreach/templates.html", {"templates": templates})


@managers
def template_edit(request, pk=None):
    template = get_object_or_404(MessageTemplate, pk=pk) if pk else None
    form = TemplateForm.for_template(template, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_template(request.user, template, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("模板已保存为草稿（版本 %(v)d），须由他人批准后才能使用") % {"v": saved.version})
            return redirect("outreach-templates")
    return render(request, "outreach/template_form.html",
                  {"form": form, "template": template, "variables": VARIABLES,
                   "en": (get_language() or "").startswith("en")}, status=400 if form.errors else 200)


@managers
@require_POST
def template_action(request, pk, action):
    template = get_object_or_404(MessageTemplate, pk=pk)
    act = {"approve": services.approve_template, "retire": services.retire_template}.get(action)
    if act is None:
        return HttpResponse(status=404)
    try:
        act(request.user, template)
    except ValidationError as exc:
        messages.error(request, _("操作未完成：%(e)s") % {"e": _errors(exc)})
    else:
        messages.success(request, _("模板已批准") if action == "approve" else _("模板已停用"))
    return redirect("outreach-templates")


# -- compose and send -------------------------------------------------------------------------------------------
@senders
def compose(request, pk):
    """Preview: the approved template rendered for this case in the debtor's language, before sending."""
    case = get_object_or_404(visible_cases(request.user), pk=pk)
    ctx = preview(request, case, ComposeForm(request.GET or None))
    page = "outreach/_preview.html" if request.headers.get("HX-Request") else "outreach/compose.html"
    # htmx swaps only 2xx answers: the fragment reports a refusal inside a 200
    status = 200 if "rendered" in ctx or request.headers.get("HX-Request") else 400
    return render(request, page, ctx, status=status)


def preview(request, case, form) -> dict:
    """What the preview shows for a compose form: the rendered message, the recipient and the gate's answer now,
    or the reason there is nothing to send."""
    ctx = {"case": case, "form": form}
    if form.is_valid():
        d = form.cleaned_data
        try:
            template = services.template_for(case, d["template"], d["channel"])
            point = services.contact_point_for(case, d["channel"], d["to"])
            now = clock.now()
            rendered = services.render_message(case, template, now, extra=services.SEND_TIME_PLACEHOLDERS)
            ctx.update(rendered=rendered, point=point, to_masked=services.mask(point.kind, point.value),
                       gate=gate_preview(request.user, case, rendered, point, now), lang=get_language())
        except ValidationError as exc:
            ctx["error"] = _errors(exc)
    else:
        ctx["error"] = _("请选择渠道、模板和联系方式")
    return ctx


@senders
@require_POST
def send(request, pk):
    case = get_object_or_404(visible_cases(request.user), pk=pk)
    form = ComposeForm(request.POST)
    if not form.is_valid():
        return _refused(request, case, form, _("未发送：%(e)s") % {
            "e": "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())})
    d = form.cleaned_data
    try:
        outcome = services.send_message(request.user, case, channel=d["channel"], template_code=d["template"],
                                        contact_point=d["to"], at=clock.now())
    except ValidationError as exc:
        return _refused(request, case, form, _("未发送：%(e)s") % {"e": _errors(exc)})
    if not outcome.allowed:
        return _refused(request, case, form, _("合规闸门拒绝，未发送（%(r)s）：%(why)s") % {
            "r": " ".join(outcome.decision.rules), "why": outcome.reason(get_language())})
    if outcome.message.status == "failed":
        messages.error(request, _("发送失败：%(why)s") % {"why": outcome.message.status_reason})
    else:
        messages.success(request, _("%(c)s%(s)s") % {"c": outcome.message.get_channel_display(),
                                                       "s": outcome.message.get_status_display()})
    return redirect("case-detail", pk=case.pk)


def _refused(request, case, form, text):
    """A send refused: the case page again (its panel only), with the chosen template and recipient still chosen,
    the preview shown again and the reason beside the send button."""
    messages.error(request, text)
    chosen = {k: request.POST.get(k, "") for k in ("channel", "template", "to")}
    return case_page(request, case, bound={"outreach-send": {**preview(request, case, form), "send_error": text,
                                                             "chosen": chosen}})


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _pdf(request, letters, filename):
    try:
        return _pdf_response(services.letters_pdf(letters), filename)
    except FontMissing as exc:
        return HttpResponse(str(exc), status=500, content_type="text/plain; charset=utf-8")
    except UnrenderableText as exc:  # issued before the fonts changed: refuse rather than print blanks
        return HttpResponse(_("信函中的字符 %(c)s 没有可用的字体，无法生成 PDF") % {
            "c": "、".join(f"{c} (U+{ord(c):04X})" for c in exc.chars)}, status=409,
            content_type="text/plain; charset=utf-8")


@login_required
def letter_pdf(request, public_id):
    message = get_object_or_404(visible_messages(request.user).filter(channel="letter"), public_id=public_id)
    return _pdf(request, [message], f"letter-{message.case.reference}-{message.pk}.pdf")


@login_required
def batch_pdf(request):
    ids = [x for x in request.GET.get("ids", "").split(",") if x]
    try:
        letters = list(visible_messages(request.user).filter(channel="letter", public_id__in=ids)
                       .order_by("id"))
    except ValidationError:
        letters = []
    if not letters or len(letters) != len(set(ids)):
        return HttpResponse(_("信函不存在或无权查看"), status=404)
    return _pdf(request, letters, f"letters-{len(letters)}.pdf")


BULK_MAX = 500


def _from_case_filters(request):
    """The case list's filters (its query string) as the initial selection: the matching cases' references."""
    from concord.cases.forms import CaseFilterForm
    from concord.cases.selectors import filter_cases
    base = visible_cases(request.user)
    form = CaseFilterForm(request.GET, visible_cases=base)
    if not form.is_valid():
        return ""
    refs = list(filter_cases(base, form.filters()).order_by("-max_dpd", "id").values_list("reference", flat=True)
                [:BULK_MAX])
    return "\n".join(refs)


@senders
def bulk(request):
    initial = {}
    if request.method == "GET" and set(request.GET) - {"page", "template"}:
        initial["cases"] = _from_case_filters(request)
    form = BulkLettersForm(request.POST or None, initial=initial)
    ctx = {"form": form}
    if request.method == "POST" and form.is_valid():
        items = form.cleaned_data["cases"]
        ids = [int(x) for x in items if x.isdigit()]
        found = list(visible_cases(request.user).filter(Q(reference__in=items) | Q(pk__in=ids)).order_by("id"))
        known = {c.reference for c in found} | {str(c.pk) for c in found}
        missing = [x for x in items if x not in known]
        try:
            result = services.bulk_letters(request.user, found, template_code=form.cleaned_data["template"],
                                           language=get_language())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            ctx.update(result=result, missing=missing,
                       ids=",".join(str(m.public_id) for m in result.issued))
    return render(request, "outreach/bulk.html", ctx, status=400 if form.errors else 200)


# -- provider callbacks -----------------------------------------------------------------------------------------
def _token(request) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:] if header.startswith("Bearer ") else request.headers.get("X-Concord-Token", "")


def _callback(handler):
    @csrf_exempt
    @require_POST
    @wraps(handler)
    def wrapper(request):
        if not services.token_ok(_token(request)):
            return JsonResponse({"error": "invalid token"}, status=403)
        try:
            data = json.loads(request.body.decode("utf-8") or "{}")
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError) as exc:
            return JsonResponse({"error": f"body must be a JSON object: {exc}"}, status=400)
        try:
            return JsonResponse(handler(data))
        except ValidationError as exc:
            return JsonResponse({"error": exc.message_dict if hasattr(exc, "error_dict") else exc.messages},
                                status=400)
    return wrapper


@_callback
def receipt(data):
    m = services.record_receipt(provider_id=str(data.get("id") or data.get("provider_id") or ""),
                                status=str(data.get("status") or ""), reason=str(data.get("reason") or ""))
    return {"message": str(m.public_id), "status": m.status}


@_callback
def inbound(data):
    r = services.record_inbound(channel=str(data.get("channel") or "sms"), sender=str(data.get("from") or ""),
                                text=str(data.get("text") or ""), in_reply_to=str(data.get("in_reply_to") or ""))
    return {"opt_out": r.opt_out, "cease": getattr(r.cease, "pk", None), "activities": len(r.activities)}


# -- creditors' sender details ----------------------------------------------------------------------------------
@managers
def senders_page(request):
    from concord.creditors.models import Creditor

    from .forms import SenderProfileForm
    from .models import SenderProfile
    creditors = list(Creditor.objects.order_by("code"))
    profiles = {p.creditor_id: p for p in SenderProfile.objects.all()}
    target = request.POST.get("creditor") if request.method == "POST" else None
    rows = []
    for c in creditors:
        p = profiles.get(c.pk)
        initial = {f: getattr(p, f) for f in ("display_name", "phone", "email", "address", "payment_url")} if p else {}
        bound = target == str(c.pk)
        form = SenderProfileForm(request.POST if bound else None, initial=initial)
        if bound and form.is_valid():
            try:
                services.save_sender_profile(request.user, c, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("委托方对外联系信息已保存"))
                return redirect("outreach-senders")
        rows.append((c, form))
    return render(request, "outreach/senders.html", {"rows": rows},
                  status=400 if any(f.errors for _c, f in rows) else 200)
