"""Two-factor sign-in (django-otp): a time-based one-time code (TOTP, any authenticator app) after the password.

Required for the roles with ``Capability.REQUIRE_TWO_FACTOR`` (admin, manager, compliance, creditor users — see
``roles.py``) and for anyone who enrolled; the others may enrol on their security page. Enrolment shows the secret
as a QR code drawn here (segno, SVG, nothing fetched from outside) and, once a first code is confirmed, ten
recovery codes that each work once (django-otp's static tokens). ``CONCORD_TWO_FACTOR=off`` asks nobody — the demo
and the test suite say so; the production settings refuse it.
"""
from __future__ import annotations

import segno
from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from concord.core import audit

from . import roles
from .roles import Capability

RECOVERY_CODES = 10


# -- who is asked ------------------------------------------------------------------------------------------------
def enabled() -> bool:
    return getattr(settings, "CONCORD_TWO_FACTOR", "required") != "off"


def role_requires(user) -> bool:
    return roles.may(user, Capability.REQUIRE_TWO_FACTOR)


def enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def required(user) -> bool:
    """Whether ``user`` must give a one-time code to sign in: their role needs it, or they enrolled."""
    return enabled() and bool(getattr(user, "is_authenticated", False)) and (role_requires(user) or enrolled(user))


# -- actions (audited) ---------------------------------------------------------------------------------------------
@transaction.atomic
def start_enrolment(user) -> TOTPDevice:
    """A new, unconfirmed TOTP secret for ``user`` (an earlier unconfirmed one is replaced)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    audit.record(user, "auth.2fa.enrol.start", user, {"device": device.pk})
    return device


@transaction.atomic
def confirm_enrolment(user, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` with a first code: the old devices go, the recovery codes are made. None if the code is
    wrong."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(code):
        audit.record(user, "auth.2fa.enrol.failed", user, {"device": device.pk})
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    audit.record(user, "auth.2fa.enrol", user, {"device": device.pk, "recovery_codes": len(codes)})
    return codes


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


@transaction.atomic
def regenerate_recovery_codes(user) -> list[str]:
    codes = _new_recovery_codes(user)
    audit.record(user, "auth.2fa.recovery_codes", user, {"count": len(codes)})
    return codes


@transaction.atomic
def reset(actor, user) -> None:
    """Remove ``user``'s devices (a lost phone): they enrol again at their next sign-in."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    audit.record(actor, "auth.2fa.reset", user, {"user": user.pk, "removed": removed})


@transaction.atomic
def check_code(user, code: str, *, channel: str = "web"):
    """The device that accepts ``code`` (a TOTP code, or a recovery code, used up), or None; audited either way."""
    code = (code or "").strip().replace(" ", "")
    device, method = None, ""
    if code:
        for candidate in TOTPDevice.objects.filter(user=user, confirmed=True):
            if candidate.verify_token(code):
                device, method = candidate, "totp"
                break
        else:
            for candidate in StaticDevice.objects.filter(user=user, confirmed=True):
                if candidate.verify_token(code):
                    device, method = candidate, "recovery_code"
                    break
    audit.record(user, "auth.2fa.verify" if device else "auth.2fa.failed", user,
                 {"channel": channel, **({"method": method} if device else {})})
    return device


def qr_svg(text: str) -> str:
    """The QR code of ``text`` as inline SVG (no image fetched, no script)."""
    return segno.make(text, error="m").svg_inline(scale=5, border=2, omitsize=False)


# -- the gate ------------------------------------------------------------------------------------------------------
EXEMPT_PREFIXES = ("/login/", "/logout/", "/account/two-factor/", "/static/", "/i18n/", "/admin/logout/")


class TwoFactorMiddleware:
    """A signed-in user who must give a one-time code and has not yet in this session goes to the code page (or
    to enrolment, if not enrolled); API calls on such a session get a 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not request.path.startswith(EXEMPT_PREFIXES)
                and required(user) and not user.is_verified()):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("需要完成两步验证")}, status=403)
            target = "two-factor-verify" if enrolled(user) else "two-factor-setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
