"""Signed, expiring sign-in links: each names one person and the channel it was sent by, and is good once.

The token is Django's signed, timestamped value (HMAC with ``SECRET_KEY`` and this module's salt) of the debtor's
id, the channel and a random nonce; nothing secret is in it, and nothing can be changed without breaking the
signature. It expires after ``CONCORD_PORTAL_LINK_DAYS`` (default 7) days; the nonce is kept when it is used."""
from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing

from concord.core import clock

SALT = "concord.portal.link"
CHANNELS = ("sms", "email", "letter", "wechat")


class BadLink(Exception):
    pass


def link_days() -> int:
    return int(getattr(settings, "CONCORD_PORTAL_LINK_DAYS", 7))


def make(debtor_id: int, channel: str) -> str:
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {CHANNELS}")
    payload = {"d": int(debtor_id), "c": channel, "n": secrets.token_hex(8)}
    return _Signer(salt=SALT).sign_object(payload, compress=True)


def read(token: str) -> dict:
    """{"d": debtor id, "c": channel, "n": nonce}; BadLink when forged or expired."""
    signer = _Signer(salt=SALT)
    try:
        payload = signer.unsign_object(token, max_age=link_days() * 86400)
    except signing.SignatureExpired:
        raise BadLink("expired") from None
    except signing.BadSignature:
        raise BadLink("bad signature") from None
    if not isinstance(payload, dict) or not {"d", "c", "n"} <= set(payload) or payload["c"] not in CHANNELS:
        raise BadLink("malformed")
    return payload


class _Signer(signing.TimestampSigner):
    """Expiry measured on Concord's clock (so it follows the pinned clock in tests and CONCORD_CLOCK)."""

    def timestamp(self):
        return signing.b62_encode(int(clock.now().timestamp()))

    def unsign(self, value, max_age=None):
        result = signing.Signer.unsign(self, value)
        value, timestamp = result.rsplit(self.sep, 1)
        age = clock.now().timestamp() - signing.b62_decode(timestamp)
        if max_age is not None and age > max_age:
            raise signing.SignatureExpired("Signature age %s > %s seconds" % (age, max_age))
        return value
