"""The pages of signing in with two factors (the rules and actions are in ``twofactor.py``): the code page, the
enrolment page with its QR code and recovery codes, and the user's security page."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import twofactor


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("验证码"), max_length=16,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    if not twofactor.required(request.user) or request.user.is_verified():
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.check_code(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("code", _("验证码错误或已过期（多次错误后需等待更久）"))
    return render(request, "staff/two_factor_verify.html", {"form": form, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    user = request.user
    if request.method == "POST":
        device = TOTPDevice.objects.filter(user=user, confirmed=False, pk=request.POST.get("device")).first()
        form = CodeForm(request.POST)
        if device is not None and form.is_valid():
            codes = twofactor.confirm_enrolment(user, device, form.cleaned_data["code"])
            if codes is not None:
                otp_login(request, TOTPDevice.objects.get(pk=device.pk))
                return render(request, "staff/two_factor_codes.html", {"codes": codes, "next": _next(request)})
            form.add_error("code", _("验证码不正确，请按应用中当前显示的 6 位数字输入"))
        elif device is None:
            messages.error(request, _("绑定已过期，请重新扫描"))
            return redirect(reverse("two-factor-setup"))
    else:
        device = twofactor.start_enrolment(user)
        form = CodeForm()
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return render(request, "staff/two_factor_setup.html", {
        "form": form, "device": device, "qr": mark_safe(twofactor.qr_svg(device.config_url)),  # noqa: S308 (segno's SVG)
        "secret": secret, "next": _next(request), "required": twofactor.role_requires(user),
        "enrolled": twofactor.enrolled(user)})


@login_required
@require_http_methods(["GET", "POST"])
def security_page(request):
    user = request.user
    codes = None
    if request.method == "POST" and request.POST.get("action") == "recovery_codes" and twofactor.enrolled(user):
        if twofactor.required(user) and not user.is_verified():
            return redirect(reverse("two-factor-verify"))
        codes = twofactor.regenerate_recovery_codes(user)
    static = StaticDevice.objects.filter(user=user).first()
    return render(request, "staff/security.html", {
        "enrolled": twofactor.enrolled(user), "role_requires": twofactor.role_requires(user),
        "enabled": twofactor.enabled(), "codes": codes,
        "recovery_left": static.token_set.count() if static else 0})
