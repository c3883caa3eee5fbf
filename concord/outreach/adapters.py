"""Channel adapters: they hand a rendered message to the outside world and say what happened. No database.

Each returns a :class:`SendResult`; none raises for a delivery problem (a timeout, a refusal, a closed port all
become ``failed`` with the reason), so the caller can record the attempt truthfully.
"""
from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid

from concord.core import clock, sealed
from concord.core.masking import mask_phone

from . import conf


@dataclass(frozen=True)
class SendResult:
    status: str          # sent | delivered | failed
    provider: str
    provider_id: str = ""
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "failed"


# -- SMS --------------------------------------------------------------------------------------------------------
class SinkSms:
    """The demo's provider: appends the message as a JSON line to ``outbox/sms-YYYYMMDD.jsonl`` (the number masked,
    the file mode 0600) and reports it delivered (the outbox is the destination)."""
    name = "sink"

    def send(self, *, to: str, text: str, reference: str) -> SendResult:
        folder = conf.outbox_dir()
        try:
            sealed.private_dir(folder)
            pid = f"sink-{uuid.uuid4().hex[:16]}"
            now = clock.now()
            # the number masked: the outbox is a file anyone with the folder could read (the message row keeps it
            # encrypted); the file is the service's user's only (0600)
            line = json.dumps({"id": pid, "reference": reference, "to": mask_phone(to), "text": text,
                               "at": now.astimezone(dt.UTC).isoformat()}, ensure_ascii=False)
            with sealed.open_private(folder / f"sms-{clock.local_date(now):%Y%m%d}.jsonl", "a") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            return SendResult("failed", self.name, reason=f"outbox: {exc}")
        return SendResult("delivered", self.name, pid)


class HttpSms:
    """A provider's JSON API: ``POST CONCORD_SMS_URL`` with ``{"to", "text", "reference"}`` and
    ``Authorization: Bearer CONCORD_SMS_TOKEN``; a 2xx answer with ``{"id": …}`` means accepted (``sent``)."""
    name = "http"

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float | None = None):
        self.url = url if url is not None else conf.setting("CONCORD_SMS_URL")
        self.token = token if token is not None else conf.setting("CONCORD_SMS_TOKEN")
        self.timeout = timeout if timeout is not None else conf.sms_timeout()

    def send(self, *, to: str, text: str, reference: str) -> SendResult:
        if not self.url:
            return SendResult("failed", self.name, reason="CONCORD_SMS_URL is not set")
        body = json.dumps({"to": to, "text": text, "reference": reference}, ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace") if exc.fp else ""
            return SendResult("failed", self.name, reason=f"HTTP {exc.code}: {detail}".strip()[:300])
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return SendResult("failed", self.name, reason=f"{type(exc).__name__}: {reason}"[:300])
        try:
            answer = json.loads(raw.decode("utf-8"))
            pid = str(answer["id"])
        except (ValueError, KeyError, TypeError):
            return SendResult("failed", self.name, reason=f"unreadable answer: {raw[:200]!r}")
        return SendResult("sent", self.name, pid)


def sms_adapter():
    kind = (conf.setting("CONCORD_SMS_ADAPTER") or "sink").strip().lower()
    if kind == "http":
        return HttpSms()
    if kind == "sink":
        return SinkSms()
    raise ValueError(f"CONCORD_SMS_ADAPTER must be 'sink' or 'http', not {kind!r}")


# -- e-mail -----------------------------------------------------------------------------------------------------
class SmtpEmail:
    """Django's e-mail backend (SMTP unless EMAIL_BACKEND says otherwise) with EMAIL_HOST/PORT/… from the
    settings or the environment. Accepted by the server means ``sent``."""
    name = "smtp"

    def send(self, *, to: str, subject: str, text: str, reference: str, headers: dict | None = None) -> SendResult:
        msgid = make_msgid(domain="concord.local")
        message = EmailMessage(subject=subject, body=text, from_email=conf.email_from(), to=[to],
                               headers={"Message-ID": msgid, "X-Concord-Reference": reference, **(headers or {})})
        try:
            connection = get_connection(fail_silently=False, **conf.email_connection_kwargs())
            sent = connection.send_messages([message])
        except Exception as exc:  # smtplib, socket and SSL errors alike: the attempt failed, say why
            return SendResult("failed", self.name, reason=f"{type(exc).__name__}: {exc}"[:300])
        if not sent:
            return SendResult("failed", self.name, reason="the mail server accepted no recipient")
        return SendResult("sent", self.name, msgid)
