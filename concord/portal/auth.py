"""The portal's own door: its cookie, its sessions, its language. Nothing here reads or writes the staff session
(``request.session``, ``request.user``): a staff login gives no access to the portal and a portal session none to
the staff pages, whichever cookies the browser holds."""
from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.shortcuts import redirect
from django.utils import translation

from concord.core.actors import Borrower

from . import services

COOKIE = "concord_portal"
LANG_COOKIE = "concord_portal_lang"
PATH = "/p/"
LANGUAGES = ("zh-hans", "en")


def language_of(request, debtor=None) -> str:
    chosen = request.GET.get("lang") or request.COOKIES.get(LANG_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    if debtor is not None and (debtor.locale or "").lower().startswith("en"):
        return "en"
    return "zh-hans"


def set_cookie(request, response, key: str) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, only under /p/, Secure over HTTPS (or always with
    CONCORD_PORTAL_SECURE_COOKIE=1 behind a TLS proxy)."""
    response.set_cookie(COOKIE, key, path=PATH, httponly=True, samesite="Lax",
                        secure=request.is_secure() or getattr(settings, "CONCORD_PORTAL_SECURE_COOKIE", False))


def _finish(request, response, language):
    if request.GET.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, language, path=PATH, samesite="Lax", max_age=365 * 86400)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"  # the link token never leaves the site
    response.headers.setdefault("Content-Language", language)
    return response


def public(view):
    """A page before sign-in: in the language chosen on the portal (Chinese by default)."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        language = language_of(request)
        with translation.override(language):
            request.portal_language = language
            return _finish(request, view(request, *args, **kwargs), language)
    return wrapper


def borrower(view):
    """A page for a signed-in borrower: ``request.borrower`` is the actor; no session → the sign-in page."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        session = services.session_for(request.COOKIES.get(COOKIE, ""))
        if session is None:
            response = redirect("portal-signin")
            response.delete_cookie(COOKIE, path=PATH)
            return response
        request.borrower = Borrower(session.debtor_id, session.channel)
        request.portal_session = session
        language = language_of(request, session.debtor)
        with translation.override(language):
            request.portal_language = language
            return _finish(request, view(request, *args, **kwargs), language)
    return wrapper
