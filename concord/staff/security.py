"""Signing in: who the client is (its address behind a known number of proxies), every login, failed login and
logout on the audit trail, and sessions that end after a time without requests.

Django's auth signals (``user_logged_in``, ``user_login_failed``, ``user_logged_out``) are how the web login, the
admin login and the API token endpoint report; the receivers below only call the audited actions of this module.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.contrib import messages
from django.db import transaction
from django.dispatch import receiver
from django.http import JsonResponse
from django.utils.translation import gettext as _

from axes.backends import AxesStandaloneBackend

from concord.core import audit, clock


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or — behind ``CONCORD_NUM_PROXIES`` proxies — the address the outermost
    of them saw (counted from the right of X-Forwarded-For, so a client cannot choose it by sending the header)."""
    meta = getattr(request, "META", {}) or {}
    remote = meta.get("REMOTE_ADDR", "") or ""
    proxies = int(getattr(settings, "CONCORD_NUM_PROXIES", 0) or 0)
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    return hops[-proxies] if len(hops) >= proxies else remote


def channel_of(request) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/admin/"):
        return "admin"
    if path.startswith("/api/"):
        return "api"
    return "web"


@transaction.atomic
def record_login(user, request) -> None:
    audit.record(user, "auth.login", user, {"channel": channel_of(request), "ip": client_ip(request)})


@transaction.atomic
def record_login_failed(username: str, request) -> None:
    from .models import User

    user = User.objects.filter(username=username).first() if username else None
    # an unknown name may be a mistyped password or a phone number: only its first characters go on the record
    shown = username[:150] if user else (username[:2] + "*" * min(max(len(username) - 2, 0), 8))
    audit.record(None, "auth.login_failed", user, {
        "username": shown, "known_user": user is not None, "channel": channel_of(request),
        "ip": client_ip(request), "locked_out": bool(getattr(request, "axes_locked_out", False))},
        object_type="" if user else "staff.user")


@transaction.atomic
def record_logout(user, request, *, reason: str = "user") -> None:
    audit.record(user, "auth.logout", user, {"channel": channel_of(request), "ip": client_ip(request),
                                             "reason": reason})


@receiver(user_logged_in, dispatch_uid="concord-audit-login")
def _logged_in(sender, request, user, **kwargs):
    record_login(user, request)
    if request is not None and hasattr(request, "session"):  # the idle clock starts at the login
        request.session[IdleTimeoutMiddleware.KEY] = clock.now().timestamp()


@receiver(user_login_failed, dispatch_uid="concord-audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    record_login_failed(str(credentials.get("username", "") or ""), request)


@receiver(user_logged_out, dispatch_uid="concord-audit-logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None and getattr(user, "pk", None):
        record_logout(user, request, reason=getattr(request, "concord_logout_reason", "user"))


class IdleTimeoutMiddleware:
    """Log a session out after ``CONCORD_SESSION_IDLE_MINUTES`` without a request. The last request's time is
    written to the session at most once a minute (not a write per request)."""

    KEY = "concord_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = clock.now().timestamp()
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.CONCORD_SESSION_IDLE_MINUTES * 60:
                request.concord_logout_reason = "idle"
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("会话已超时，请重新登录")}, status=401)
                messages.info(request, _("长时间未操作，已自动退出，请重新登录"))
                return redirect_to_login(request.get_full_path())
            if last is None or now - last > 60:
                request.session[self.KEY] = now
        return self.get_response(request)


class LoginLimitBackend(AxesStandaloneBackend):
    """django-axes' check before the password is tried: a locked-out account or address is refused. Code that
    authenticates without a request (the test client's ``login``, commands) has no client to limit."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login gets (django-axes' AXES_LOCKOUT_CALLABLE): JSON on the API, the page elsewhere."""
    from django.shortcuts import render

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("登录失败次数过多，账号或地址已暂时锁定，请稍后再试")}, status=429)
    return render(request, "registration/locked_out.html", status=429)
