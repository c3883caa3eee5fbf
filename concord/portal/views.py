"""The portal's pages (``/p/``): phone first, no JavaScript, every page its own small HTML and one stylesheet.

Each page that takes a debt, account, letter, plan or order id fetches it through ``selectors`` (``restrict`` with
the borrower as the user): another person's id is a 404, whatever the endpoint."""
from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from concord.arrangements.models import ArrangementStatus
from concord.core import clock
from concord.core.access import restrict
from concord.core.masking import mask
from concord.debtors.models import Debtor

from . import actions, selectors, services, tokens
from .auth import COOKIE, PATH, borrower, public, set_cookie
from .forms import (
    ChoosePlanForm,
    CodeForm,
    FinancesForm,
    IssueForm,
    PayForm,
    PreferencesForm,
    PromiseForm,
    SignInForm,
)
from .models import Preference
from .payments import ledger, providers

CHALLENGE_SALT = "concord.portal.challenge"


def _errors(form, exc: ValidationError):
    for field, messages in exc.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:64]


def _absolute(request, path: str) -> str:
    from django.conf import settings

    base = (getattr(settings, "CONCORD_PORTAL_BASE_URL", "") or "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


# -- getting in -------------------------------------------------------------------------------------------------
@public
def signin(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            req = services.request_code(name=form.cleaned_data["name"], id_last4=form.cleaned_data["id_last4"],
                                        mobile=form.cleaned_data["mobile"], address=_address(request))
        except ValidationError as exc:
            _errors(form, exc)
        else:
            services.send_code(req)
            token = signing.dumps(req.challenge.pk, salt=CHALLENGE_SALT)
            return redirect(f"{reverse('portal-code')}?c={token}")
    return render(request, "portal/signin.html", {"form": form})


@public
def code(request):
    token = request.POST.get("challenge") or request.GET.get("c", "")
    try:
        challenge_id = signing.loads(token, salt=CHALLENGE_SALT, max_age=services.CODE_MINUTES * 60 + 60)
    except signing.BadSignature:
        return redirect("portal-signin")
    from .models import CodeChallenge

    masked = CodeChallenge.objects.filter(pk=challenge_id).values_list("number_masked", flat=True).first() or ""
    form = CodeForm(request.POST or None, initial={"challenge": token})
    if request.method == "POST" and form.is_valid():
        result = services.verify_code(challenge_id, form.cleaned_data["code"])
        if result.debtor_id:
            from concord.core.actors import Borrower

            key = services.start_session(Borrower(result.debtor_id, "code"))
            response = redirect("portal-home")
            set_cookie(request, response, key)
            return response
        form.add_error("code", result.error)
    return render(request, "portal/code.html", {"form": form, "masked": masked})


@public
def link(request, token):
    """A sign-in link: a page with one button (a link preview that fetches the page does not spend the link)."""
    if request.method == "POST":
        try:
            actor = services.use_link(token)
        except tokens.BadLink:
            return render(request, "portal/link.html", {"bad": True}, status=400)
        key = services.start_session(actor)
        response = redirect("portal-home")
        set_cookie(request, response, key)
        return response
    try:
        tokens.read(token)
    except tokens.BadLink:
        return render(request, "portal/link.html", {"bad": True}, status=400)
    return render(request, "portal/link.html", {"bad": False})


@require_POST
@borrower
def signout(request):
    services.end_session(request.portal_session)
    response = redirect("portal-signin")
    response.delete_cookie(COOKIE, path=PATH)
    return response


# -- seeing -----------------------------------------------------------------------------------------------------
@borrower
def home(request):
    debtor = Debtor.objects.get(pk=request.borrower.debtor_id)
    return render(request, "portal/home.html", {"debts": selectors.debts(request.borrower),
                                                "name": mask("name", debtor.full_name),
                                                "id_masked": mask("id_number", debtor.id_number)})


@borrower
def debt(request, case_id):
    case = selectors.case_of(request.borrower, case_id)
    return render(request, "portal/debt.html", {"v": selectors.case_view(request.borrower, case)})


@borrower
def letter_pdf(request, case_id, message_id):
    case = selectors.case_of(request.borrower, case_id)
    message = selectors.letter_of(request.borrower, message_id)
    if message.case_id != case.pk:
        raise Http404
    from concord.outreach import services as outreach

    response = HttpResponse(outreach.letters_pdf([message]), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-{message.pk}.pdf"'
    return response


# -- paying -----------------------------------------------------------------------------------------------------
@borrower
def pay(request, case_id):
    case = selectors.case_of(request.borrower, case_id)
    view = selectors.case_view(request.borrower, case)
    open_accounts = [a for a in view.accounts if a.account.status == "open" and a.account.total_balance > 0]
    first = open_accounts[0].account if open_accounts else None
    form = PayForm(request.POST or None, initial={"account": request.GET.get("account") or getattr(first, "pk", "")})
    if request.method == "POST" and form.is_valid():
        account = selectors.account_of(request.borrower, form.cleaned_data["account"])
        if account.case_id != case.pk:
            raise Http404
        try:
            order = ledger.start_payment(request.borrower, account=account, amount=form.cleaned_data["amount"],
                                         provider=form.cleaned_data["provider"])
            url = providers.provider(order.provider).checkout(
                out_trade_no=order.out_trade_no, amount=order.amount,
                subject=_("还款 %(r)s") % {"r": account.reference[-4:]},
                return_url=_absolute(request, reverse("portal-order", args=[order.out_trade_no])),
                notify_url=_absolute(request, reverse("portal-notify", args=[order.provider])),
                client_ip=_address(request))
        except ValidationError as exc:
            _errors(form, exc)
        except providers.ProviderNotConfigured:
            form.add_error("provider", _("该支付方式暂不可用，请选择其他方式"))
        else:
            return redirect(url)
    response = render(request, "portal/pay.html", {"v": view, "form": form, "accounts": open_accounts})
    origins = providers.checkout_origins()
    if origins:  # the form's redirect to the provider's cashier must be allowed by the page's own policy
        response._csp_update = {"form-action": ["'self'", *origins]}
    return response


@borrower
def order(request, out_trade_no):
    order = selectors.order_of(request.borrower, out_trade_no)
    return render(request, "portal/order.html", {"order": order})


@csrf_exempt
def notify(request, provider):
    """The providers' asynchronous notifications (no session, no CSRF: the signature is the authentication)."""
    if provider not in providers.PROVIDERS:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    ack, _note = ledger.receive_notification(provider, dict(request.headers), request.body)
    return HttpResponse(ack.body, content_type=ack.content_type, status=ack.status)


@public
def sandbox_pay(request):
    """The sandbox provider's own payment page (the demo's stand-in for Alipay's cashier)."""
    if "sandbox" not in providers.enabled():
        raise Http404
    platform = providers.SandboxPlatform()
    query = request.POST.get("q", "") if request.method == "POST" else request.META.get("QUERY_STRING", "")
    from urllib.parse import parse_qsl

    try:
        params = platform.read_request(dict(parse_qsl(query, keep_blank_values=True)))
    except (ValueError, TypeError):
        return render(request, "portal/sandbox.html", {"bad": True}, status=400)
    if request.method == "POST":
        _trade_no, body = platform.notification(out_trade_no=params["out_trade_no"], amount=params["amount"],
                                                subject=params["subject"])
        # delivered to the notification endpoint's own code, as a provider's POST would be
        ledger.receive_notification("sandbox", {}, body)
        return redirect(params["return_url"] or reverse("portal-home"))
    return render(request, "portal/sandbox.html", {"bad": False, "p": params, "q": query})


# -- plans and promises -----------------------------------------------------------------------------------------
@borrower
def plan(request, case_id):
    case = selectors.case_of(request.borrower, case_id)
    view = selectors.case_view(request.borrower, case)
    entered = None
    finances_form = FinancesForm(request.POST if request.POST.get("step") == "assess" else None)
    if request.method == "POST" and request.POST.get("step") == "choose":
        choose = ChoosePlanForm(request.POST)
        stated = FinancesForm(request.POST) if request.POST.get("income") else None
        if choose.is_valid() and (stated is None or stated.is_valid()):
            try:
                arrangement = actions.choose_plan(request.borrower, case, kind=choose.cleaned_data["kind"],
                                                  months=choose.cleaned_data["months"],
                                                  discount_amount=choose.cleaned_data["discount_amount"],
                                                  finances=stated.cleaned_data if stated else None)
            except ValidationError as exc:
                return render(request, "portal/plan.html", {"v": view, "form": finances_form, "errors": exc.messages,
                                                            "options": [], "assessment": None})
            return redirect(reverse("portal-plan-done", args=[case.pk, arrangement.pk]))
    if request.method == "POST" and request.POST.get("step") == "assess" and finances_form.is_valid():
        from concord.arrangements.calculator import Finances

        d = finances_form.cleaned_data
        entered = Finances(income=d["income"], household=d["household"], other_debt=d.get("other_debt") or 0)
    assessment, options = (selectors.plan_options(case, entered) if not view.plan else (None, []))
    return render(request, "portal/plan.html", {"v": view, "form": finances_form, "options": options,
                                                "assessment": assessment, "entered": entered and finances_form.cleaned_data})


def _arrangement(request, case_id, arrangement_id):
    from concord.arrangements.models import Arrangement

    case = selectors.case_of(request.borrower, case_id)
    arrangement = restrict(Arrangement.objects.prefetch_related("instalments"), request.borrower).filter(
        pk=arrangement_id, case=case).first()
    if arrangement is None:
        raise Http404
    return case, arrangement


@borrower
def plan_done(request, case_id, arrangement_id):
    case, arrangement = _arrangement(request, case_id, arrangement_id)
    if request.method == "POST":
        try:
            arrangement = actions.accept_plan(request.borrower, arrangement)
        except ValidationError as exc:
            return render(request, "portal/plan_done.html", {"case": case, "a": arrangement, "errors": exc.messages})
        return redirect(reverse("portal-plan-done", args=[case.pk, arrangement.pk]))
    return render(request, "portal/plan_done.html", {"case": case, "a": arrangement,
                                                     "approved": arrangement.status == ArrangementStatus.APPROVED})


@borrower
def plan_pdf(request, case_id, arrangement_id):
    case, arrangement = _arrangement(request, case_id, arrangement_id)
    if arrangement.status not in (ArrangementStatus.APPROVED, ArrangementStatus.ACTIVE, ArrangementStatus.COMPLETED):
        raise Http404
    from .documents import plan_confirmation

    response = HttpResponse(plan_confirmation(arrangement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="plan-{arrangement.pk}.pdf"'
    return response


@borrower
def promise(request, case_id):
    case = selectors.case_of(request.borrower, case_id)
    form = PromiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.promise(request.borrower, case, amount=form.cleaned_data["amount"],
                            due_date=form.cleaned_data["due_date"])
        except ValidationError as exc:
            _errors(form, exc)
        else:
            return redirect(reverse("portal-debt", args=[case.pk]) + "#promise")
    return render(request, "portal/promise.html", {"case": case, "form": form, "today": clock.today()})


@borrower
def issue(request, case_id):
    case = selectors.case_of(request.borrower, case_id)
    form = IssueForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.raise_issue(request.borrower, case, reason=form.cleaned_data["reason"],
                                details=form.cleaned_data["details"], upload=form.cleaned_data.get("receipt"))
        except ValidationError as exc:
            _errors(form, exc)
        else:
            return redirect(reverse("portal-debt", args=[case.pk]) + "#issues")
    return render(request, "portal/issue.html", {"case": case, "form": form})


# -- contact preferences ----------------------------------------------------------------------------------------
@borrower
def preferences(request):
    debtor = Debtor.objects.get(pk=request.borrower.debtor_id)
    pref = Preference.objects.filter(debtor=debtor).first()
    initial = {"language": debtor.locale if debtor.locale in ("zh-hans", "en") else "zh-hans"}
    if pref:
        initial.update(preferred_channel=pref.preferred_channel, hours_from=pref.hours_from, hours_to=pref.hours_to,
                       writing_only=pref.writing_only, stop=pref.stopped)
    form = PreferencesForm(request.POST or None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.set_preferences(request.borrower, debtor, preferred_channel=d["preferred_channel"],
                                    hours_from=d["hours_from"], hours_to=d["hours_to"], stop=d["stop"],
                                    writing_only=d["writing_only"], language=d["language"])
        except ValidationError as exc:
            _errors(form, exc)
        else:
            response = redirect(reverse("portal-preferences") + "?saved=1")
            response.set_cookie("concord_portal_lang", d["language"], path=PATH, samesite="Lax",
                                max_age=365 * 86400)
            return response
    saved = request.GET.get("saved") == "1"
    return render(request, "portal/preferences.html", {"form": form, "saved": saved})
