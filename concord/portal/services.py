"""Getting in: sign-in codes by SMS, sign-in links, the portal's own sessions. The only writers of those rows.

No existence oracle: a request for a code with a name, the last four characters of an ID and a mobile number gets
the same answer whether or not they match a person (a row is stored either way; only a match gets a code by SMS),
and a wrong code is answered the same way for both. The limits that the page may name are those that do not depend
on the person: per number and per address. The per-person limit and the lockout after five wrong codes act
silently on the person and visibly on the number, so the answer is the same for everyone.

The code's SMS is a reply to the borrower's own request on the page, not a contact about a debt: it carries the
code only (no creditor, no amount), goes straight to the SMS adapter (the demo's sink records it) and is audited;
the collection gate decides the contacts Concord starts, including the invitations (``actions.invite``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from concord.core import audit, clock
from concord.core.actors import Borrower
from concord.core.masking import mask
from concord.core.services import require
from concord.core.text import translated
from concord.debtors import identity
from concord.debtors.models import UNUSABLE_STATUSES, ContactPoint, Debtor

from . import tokens
from .models import CodeChallenge, Lockout, PortalSession, UsedLink

CN = ZoneInfo("Asia/Shanghai")
CODE_MINUTES = 10
MAX_WRONG = 5
LOCK_MINUTES = 30
WINDOW = dt.timedelta(hours=1)
LIMITS = {"person": 3, "number": 5, "address": 20}  # codes per hour


def idle_minutes() -> int:
    return int(getattr(settings, "CONCORD_PORTAL_IDLE_MINUTES", 15))


def _hash(challenge_id: int, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"portal-code:{challenge_id}:{code}".encode(),
                    hashlib.sha256).hexdigest()


def _number(value: str) -> tuple[str, str]:
    try:
        number = identity.normalize_contact("mobile", value or "")
    except identity.IdentityError as exc:
        raise ValidationError({"mobile": [str(translated(exc.template, exc.params))]}) from None
    return number, ContactPoint._meta.get_field("value_index").compute(number)


def _match(name: str, id4: str, number_key: str) -> Debtor | None:
    ids = (ContactPoint.objects.filter(kind="mobile", value_index=number_key).exclude(status__in=UNUSABLE_STATUSES)
           .values_list("debtor_id", flat=True))
    name, id4 = (name or "").strip(), (id4 or "").strip().upper()
    if not name or len(id4) != 4:
        return None
    return Debtor.objects.filter(pk__in=list(ids), full_name=name, id_last4=id4, deceased=False).first()


def _locked(debtor_id, number_key, at) -> Lockout | None:
    who = Q(number_key=number_key) | (Q(debtor_id=debtor_id) if debtor_id else Q(pk__in=[]))
    return Lockout.objects.filter(who, until__gt=at).order_by("-until").first()


@dataclass
class CodeRequest:
    challenge: CodeChallenge
    number: str            # where the code goes (only when sent)
    text: str = ""


@transaction.atomic
def request_code(*, name: str, id_last4: str, mobile: str, address: str) -> CodeRequest:
    """Store a code request and, when the person matches and no silent limit stops it, make the code. The caller
    sends the SMS (:func:`send_code`) after this commits. Raises ValidationError for a malformed number or when the
    number's or the address's limit is reached (neither says anything about a person)."""
    now = clock.now()
    number, key = _number(mobile)
    since = now - WINDOW
    recent = CodeChallenge.objects.filter(created_at__gte=since)
    require(recent.filter(number_key=key).count() < LIMITS["number"], "mobile",
            _("该手机号申请验证码过于频繁，请一小时后再试"))
    require(recent.filter(address=address).count() < LIMITS["address"], "mobile",
            _("申请过于频繁，请稍后再试"))
    debtor = _match(name, id_last4, key)
    send = debtor is not None and recent.filter(debtor=debtor).count() < LIMITS["person"] \
        and _locked(debtor.pk, key, now) is None
    challenge = CodeChallenge.objects.create(debtor=debtor, number_key=key, number_masked=mask("phone", number),
                                             address=address[:64], created_at=now, sent=send,
                                             expires_at=now + dt.timedelta(minutes=CODE_MINUTES))
    text = ""
    if send:
        code = f"{secrets.randbelow(10 ** 6):06d}"
        challenge.code_hash = _hash(challenge.pk, code)
        challenge.save(update_fields=["code_hash"])
        text = _("您的自助服务登录验证码为 %(c)s，%(m)d 分钟内有效。请勿告诉他人。") % {"c": code, "m": CODE_MINUTES}
    actor = Borrower(debtor.pk, "code") if debtor else "portal:anonymous"
    audit.record(actor, "portal.code.request", challenge, {"number": challenge.number_masked, "sent": send})
    return CodeRequest(challenge, number if send else "", text)


def send_code(request: CodeRequest) -> None:
    """Hand the code to the SMS adapter (outside any transaction; a failure is logged by the adapter's result)."""
    if not request.number:
        return
    from concord.outreach import adapters

    adapters.sms_adapter().send(to=request.number, text=request.text,
                                reference=f"portal-code/{request.challenge.pk}")


@dataclass
class Verified:
    debtor_id: int | None
    error: str = ""
    locked: bool = False


def verify_code(challenge_id: int, code: str) -> Verified:
    """Check a code. Wrong codes count (five in an hour lock code sign-in for the person and the number for 30
    minutes); the count commits even when the answer is "wrong"."""
    with transaction.atomic():
        result = _verify(challenge_id, code)
    return result


def _verify(challenge_id, code) -> Verified:
    now = clock.now()
    challenge = CodeChallenge.objects.select_for_update().filter(pk=challenge_id).first()
    if challenge is None or challenge.verified_at or now > challenge.expires_at:
        return Verified(None, _("验证码已失效，请重新获取"))
    lock = _locked(challenge.debtor_id, challenge.number_key, now)
    if lock is not None:
        return Verified(None, _("验证码错误次数过多，已锁定，请于 %(t)s 后再试") % {
            "t": f"{lock.until.astimezone(CN):%H:%M}"}, locked=True)
    good = bool(challenge.code_hash) and hmac.compare_digest(challenge.code_hash, _hash(challenge.pk, (code or "").strip()))
    actor = Borrower(challenge.debtor_id, "code") if challenge.debtor_id else "portal:anonymous"
    if not good:
        challenge.wrong += 1
        challenge.save(update_fields=["wrong"])
        who = Q(number_key=challenge.number_key) | (Q(debtor_id=challenge.debtor_id) if challenge.debtor_id
                                                    else Q(pk__in=[]))
        wrong = CodeChallenge.objects.filter(who, created_at__gte=now - WINDOW).aggregate(n=Sum("wrong"))["n"] or 0
        audit.record(actor, "portal.code.wrong", challenge, {"wrong": challenge.wrong, "in_hour": wrong})
        if wrong >= MAX_WRONG:
            until = now + dt.timedelta(minutes=LOCK_MINUTES)
            lock = Lockout.objects.create(debtor_id=challenge.debtor_id, number_key=challenge.number_key, at=now,
                                          until=until)
            audit.record(actor, "portal.lockout", lock, {"until": str(until), "wrong": wrong})
            return Verified(None, _("验证码错误次数过多，已锁定 %(m)d 分钟") % {"m": LOCK_MINUTES}, locked=True)
        return Verified(None, _("验证码不正确，还可尝试 %(n)d 次") % {"n": MAX_WRONG - wrong})
    challenge.verified_at = now
    challenge.save(update_fields=["verified_at"])
    audit.record(actor, "portal.code.verified", challenge, {})
    return Verified(challenge.debtor_id)


# -- links ------------------------------------------------------------------------------------------------------
@transaction.atomic
def use_link(token: str) -> Borrower:
    """A sign-in link, checked and spent: the borrower it names. BadLink when forged, expired or used."""
    payload = tokens.read(token)
    debtor = Debtor.objects.filter(pk=payload["d"], deceased=False).first()
    if debtor is None:
        raise tokens.BadLink("unknown person")
    try:
        with transaction.atomic():
            used = UsedLink.objects.create(nonce=payload["n"], debtor=debtor, used_at=clock.now())
    except IntegrityError:
        raise tokens.BadLink("used") from None
    actor = Borrower(debtor.pk, payload["c"])
    audit.record(actor, "portal.link.used", used, {"channel": payload["c"]})
    return actor


# -- sessions ---------------------------------------------------------------------------------------------------
def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def start_session(actor: Borrower) -> str:
    """A new portal session for the borrower; returns the cookie's value (only its hash is stored)."""
    key = secrets.token_urlsafe(32)
    now = clock.now()
    session = PortalSession.objects.create(key_hash=_key_hash(key), debtor_id=actor.debtor_id,
                                           channel=actor.channel[:10], created_at=now, last_seen=now)
    audit.record(actor, "portal.signin", session, {"channel": actor.channel})
    return key


def session_for(key: str) -> PortalSession | None:
    """The live session of a cookie value, its idle clock restarted; None when unknown, ended or idle too long.
    The restart of the idle clock is not audited (one write per page; signing in and out are)."""
    if not key:
        return None
    now = clock.now()
    session = PortalSession.objects.filter(key_hash=_key_hash(key), ended_at__isnull=True).first()
    if session is None:
        return None
    if now - session.last_seen > dt.timedelta(minutes=idle_minutes()):
        end_session(session, reason="idle")
        return None
    PortalSession.objects.filter(pk=session.pk).update(last_seen=now)
    return session


@transaction.atomic
def end_session(session: PortalSession, *, reason: str = "signout") -> None:
    done = PortalSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=clock.now())
    if done:
        audit.record(Borrower(session.debtor_id, session.channel), "portal.signout", session, {"reason": reason})
