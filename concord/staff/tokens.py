"""API tokens: issued for a username and password (and a one-time code where two-factor applies), kept hashed,
expiring after ``CONCORD_API_TOKEN_DAYS`` (default 30), revoked when the user's password changes or the user is
deactivated. ``Authorization: Token <token>``."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from concord.core import audit, clock


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue(user, *, channel: str = "api", ip: str = "") -> tuple[str, object]:
    """A new token for ``user``: returns (the token, shown once; its row)."""
    from .models import ApiToken

    token = secrets.token_urlsafe(32)
    now = clock.now()
    row = ApiToken.objects.create(user=user, digest=digest(token), prefix=token[:8], created_at=now,
                                  expires_at=now + dt.timedelta(days=settings.CONCORD_API_TOKEN_DAYS))
    audit.record(user, "auth.token.issue", row, {"user": user.pk, "prefix": row.prefix, "channel": channel,
                                                 "ip": ip, "expires_at": row.expires_at.isoformat()})
    return token, row


@transaction.atomic
def revoke_all(actor, user, *, reason: str) -> int:
    """Revoke every live token of ``user``; one audit event when there was any."""
    from .models import ApiToken

    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=clock.now())
    prefixes = list(live.values_list("prefix", flat=True))
    if not prefixes:
        return 0
    live.update(revoked_at=clock.now(), revoked_reason=reason[:40])
    audit.record(actor, "auth.token.revoke", user, {"user": user.pk, "tokens": prefixes, "reason": reason})
    return len(prefixes)


class HashedTokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Token`` header, looked up by digest; expired, revoked and inactive users' tokens are refused."""

    def authenticate_credentials(self, key):
        from .models import ApiToken

        row = ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
        if row is None or row.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("令牌无效"))
        if row.expires_at <= clock.now():
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新获取"))
        if not row.user.is_active:
            raise exceptions.AuthenticationFailed(_("用户已停用"))
        return row.user, row
