"""What a signed-in borrower does for themselves: choose a plan, promise to pay, dispute, complain or ask for a
pause, set how they are contacted; and the staff's invitation into the portal. Every action goes through the owning
app's service (arrangements, workbench promises, compliance) with the borrower (``core.actors.Borrower``) as the
actor, so the audit trail and the case's activity log name the borrower; each checks first that the case is theirs.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.arrangements import selectors as arrangement_selectors
from concord.arrangements import services as arrangements
from concord.cases.activities import log_activity
from concord.compliance import services as compliance
from concord.compliance.models import CeaseRequest, InconvenientTime
from concord.core import audit, clock
from concord.core.actors import Borrower
from concord.core.services import require
from concord.debtors import services as debtors
from concord.workbench.promises import record_promise

from . import tokens
from .models import DisputeFile, Preference

PORTAL_NOTE = "portal"  # the note on the state rows the borrower recorded here (so the page can change them)

#: What the borrower may say, and what it becomes: (kind, category) of a dispute or complaint through the
#: compliance services (their deadline is the creditor's pack setting), or a pause (a hold) for so many days.
REASONS = {
    "not_mine": ("dispute", "identity", gettext_lazy("这不是我的欠款")),
    "wrong_amount": ("dispute", "amount", gettext_lazy("金额不对")),
    "already_paid": ("dispute", "amount", gettext_lazy("我已经还过了（可上传凭证）")),
    "complaint": ("complaint", "conduct", gettext_lazy("投诉催收行为")),
    "hardship": ("pause", 30, gettext_lazy("经济困难，请求暂缓")),
    "illness": ("pause", 60, gettext_lazy("生病或住院，请求暂缓")),
    "bereavement": ("pause", 60, gettext_lazy("家人去世，请求暂缓")),
}
#: The activity a borrower's request leaves on the case, said in the reader's language.
PHRASES = {"portal.request": (gettext_lazy("借款人在自助服务中提交：%(s)s"),
                              {"s": lambda reason: str(REASONS[reason][2]) if reason in REASONS else reason})}
UPLOAD_MAX = 5 * 1024 * 1024
UPLOAD_TYPES = {"application/pdf": b"%PDF", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG"}
CHANNELS = ("call", "sms", "email", "wechat", "letter", "visit")
WRITTEN = ("letter", "email")


def _own(actor: Borrower, case) -> None:
    require(case.debtor_id == actor.debtor_id, "case", _("该欠款不属于您"))


def _money(field, value, *, allow_blank=False):
    if allow_blank and (value is None or str(value).strip() == ""):
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("请输入金额")]}) from None
    require(amount.is_finite() and amount >= 0, field, _("金额不能为负"))
    return amount.quantize(Decimal("0.01"))


# -- plans ------------------------------------------------------------------------------------------------------
@transaction.atomic
def record_finances(actor: Borrower, debtor, *, income, household, other_debt) -> None:
    """The borrower's own statement of income and costs (the calculator's input), on the borrower file."""
    debtors.record_financial_profile(actor, debtor, monthly_income=_money("income", income),
                                     household_expenses=_money("household", household),
                                     other_debt_payments=_money("other_debt", other_debt or 0),
                                     as_of=clock.today(), source="portal")


@transaction.atomic
def choose_plan(actor: Borrower, case, *, kind: str, months: int, discount_amount, finances: dict | None = None):
    """Propose the plan the borrower picked (the arrangement service checks it against the calculator and the
    creditor's limits), with the income and costs the borrower stated (``finances``: income, household,
    other_debt) recorded first when given. Within the automatic authority it is approved and started at once;
    beyond it, it waits in the approvals queue."""
    _own(actor, case)
    if finances:
        record_finances(actor, case.debtor, **finances)
    arrangement = arrangements.propose(actor, case, kind=kind, months=int(months),
                                       discount_amount=_money("discount_amount", discount_amount),
                                       first_due=arrangement_selectors.default_first_due(),
                                       reason=_("借款人在自助服务中选择"))
    if arrangement.status == "approved":
        arrangement = arrangements.activate(actor, arrangement)
    return arrangement


@transaction.atomic
def accept_plan(actor: Borrower, arrangement) -> object:
    """The borrower starts a plan that an approver (or the creditor) approved after it was asked for."""
    _own(actor, arrangement.case)
    return arrangements.activate(actor, arrangement)


@transaction.atomic
def promise(actor: Borrower, case, *, amount, due_date: dt.date):
    _own(actor, case)
    return record_promise(actor, case, amount=amount, due_date=due_date, note=_("借款人在自助服务中承诺"))


# -- disputes, complaints, pauses -------------------------------------------------------------------------------
def _check_upload(upload) -> bytes:
    require(upload.size <= UPLOAD_MAX, "receipt", _("文件不能超过 5 MB"))
    data = upload.read()
    kind = next((t for t, magic in UPLOAD_TYPES.items() if data.startswith(magic)), None)
    require(kind is not None, "receipt", _("只接受 PDF、JPEG 或 PNG 文件"))
    return data


@transaction.atomic
def raise_issue(actor: Borrower, case, *, reason: str, details: str, upload=None):
    """A dispute or complaint (with its hold and the pack's deadline), or a pause (a hold for so many days). Returns
    the complaint or the hold."""
    _own(actor, case)
    require(reason in REASONS, "reason", _("请选择原因"))
    details = (details or "").strip()
    require(len(details) <= 1000, "details", _("说明不能超过 1000 个字符"))
    what, arg, label = REASONS[reason]
    require(not (upload and what == "pause"), "receipt", _("凭证只用于异议"))
    data = _check_upload(upload) if upload else None
    summary = f"{label}" + (f"：{details}" if details else "")
    if what == "pause":
        now = clock.now()
        row = compliance.place_hold(actor, debtor=case.debtor, creditor=case.creditor, kind="breathing_space",
                                    reason=_("借款人自助申请暂缓：%(s)s") % {"s": summary[:400]}, at=now,
                                    until=now + dt.timedelta(days=arg))
    else:
        row = compliance.open_complaint(actor, debtor=case.debtor, creditor=case.creditor, case=case, source="portal",
                                        category=arg, kind=what, summary=summary)
    if data is not None:
        from concord.core.sealed import SealedWriter, private_dir

        folder = private_dir(Path(settings.DATA_DIR) / "portal-uploads")
        digest = hashlib.sha256(data).hexdigest()
        path = folder / f"{digest}.sealed"
        with SealedWriter(path) as out:  # encrypted at rest under the PII key's file sub-key (core.sealed)
            out.write(data)
        stored = DisputeFile.objects.create(complaint=row, name=Path(upload.name).name[:200],
                                            content_type=upload.content_type[:100], size=len(data), sha256=digest,
                                            path=str(path), uploaded_at=clock.now())
        audit.record(actor, "portal.dispute.file", stored, {"complaint": row.pk, "size": len(data), "sha256": digest})
    log_activity(actor, case, kind="note", phrase=("portal.request", {"s": reason}),
                 details={"portal": reason, "object": row.pk})
    return row


# -- contact preferences ----------------------------------------------------------------------------------------
def _portal_rows(model, debtor):
    now = clock.now()
    return [r for r in model.objects.filter(debtor=debtor, related_party__isnull=True, note=PORTAL_NOTE)
            if r.valid_until is None or r.valid_until > now]


@transaction.atomic
def set_preferences(actor: Borrower, debtor, *, preferred_channel: str = "", hours_from: dt.time | None = None,
                    hours_to: dt.time | None = None, stop: list[str] | tuple = (), writing_only: bool = False,
                    language: str = "") -> Preference:
    """The borrower's contact preferences, as the gate applies them: each stopped channel a cease request on it
    ("only in writing" stops every channel but letters and e-mail); contact hours as an inconvenient time outside
    them; the language on the borrower file. What the borrower stopped here they can start again here."""
    require(debtor.pk == actor.debtor_id, "debtor", _("只能设置本人的联系偏好"))
    require(preferred_channel in ("", *CHANNELS), "preferred_channel", _("无效的渠道"))
    stop = set(stop)
    require(stop <= set(CHANNELS), "stop", _("无效的渠道"))
    require((hours_from is None) == (hours_to is None), "hours_to", _("请同时填写开始和结束时间"))
    require(hours_from is None or hours_from != hours_to, "hours_to", _("结束时间不能与开始时间相同"))
    wanted = stop | ({c for c in CHANNELS if c not in WRITTEN} if writing_only else set())
    require(not (preferred_channel and preferred_channel in wanted), "preferred_channel",
            _("首选渠道不能是已停止的渠道"))
    now = clock.now()
    current = {r.channel: r for r in _portal_rows(CeaseRequest, debtor)}
    for channel in sorted(wanted - set(current)):
        compliance.record_cease(actor, debtor=debtor, channel=channel, valid_from=now, note=PORTAL_NOTE)
    for channel in sorted(set(current) - wanted):
        compliance.end_state(actor, current[channel], at=now)
    old_hours = _portal_rows(InconvenientTime, debtor)
    same = (len(old_hours) == 1 and hours_from is not None and (old_hours[0].start, old_hours[0].end)
            == (hours_to, hours_from))
    if not same:
        for row in old_hours:
            compliance.end_state(actor, row, at=now)
        if hours_from is not None:  # contact only between from and to: the rest of the day is inconvenient
            compliance.add_inconvenient_time(actor, debtor=debtor, start=hours_to, end=hours_from, valid_from=now,
                                             note=PORTAL_NOTE)
    if language and language != debtor.locale:
        require(language in ("zh-hans", "en"), "language", _("无效的语言"))
        debtors.update_debtor(actor, debtor, locale=language)
    pref, _created = Preference.objects.get_or_create(debtor=debtor, defaults={"updated_at": now})
    pref.preferred_channel, pref.hours_from, pref.hours_to = preferred_channel, hours_from, hours_to
    pref.writing_only, pref.stopped, pref.updated_at = writing_only, sorted(stop), now
    pref.save()
    audit.record(actor, "portal.preferences", pref, {"preferred_channel": preferred_channel,
                                                     "hours": [str(hours_from), str(hours_to)] if hours_from else None,
                                                     "stopped": sorted(stop), "ceased": sorted(wanted), "writing_only": writing_only,
                                                     "language": language or debtor.locale})
    return pref


# -- invitations ------------------------------------------------------------------------------------------------
def portal_url(token: str) -> str:
    base = (getattr(settings, "CONCORD_PORTAL_BASE_URL", "") or "").rstrip("/")
    return f"{base}/p/in/{token}/"


def personal_link(case, channel, template) -> dict:
    """The value of ``{portal_link}`` for one message about to be sent (registered with outreach at start-up): a
    sign-in link bound to the borrower and the channel. Made only when the template uses it."""
    text = f"{template.subject} {template.body}"
    if "{portal_link}" not in text or channel not in tokens.CHANNELS:
        return {}
    return {"portal_link": portal_url(tokens.make(case.debtor_id, channel))}


def invite(actor, case, *, channel: str = "sms", template_code: str = "portal_invite"):
    """Send the borrower a personal sign-in link (the ``portal_invite`` template), through the outreach service and
    so through the gate like any other message (a denied invitation sends nothing). Staff can send the same template
    from the case page's outreach panel."""
    from concord.outreach import services as outreach

    return outreach.send_message(actor, case, channel=channel, template_code=template_code)


def demo_entry() -> dict | None:
    """For the demo: a borrower with debts at two creditors (else any) and a valid mobile, and a sign-in link."""
    from django.db.models import Count

    from concord.cases.models import Case
    from concord.debtors.models import ContactPoint, Debtor

    with_mobile = ContactPoint.objects.filter(kind="mobile", status="valid").values("debtor_id")
    ids = (Case.objects.filter(debtor_id__in=with_mobile).values("debtor_id")
           .annotate(n=Count("creditor_id", distinct=True)).order_by("-n", "debtor_id").values_list("debtor_id", flat=True))
    debtor = Debtor.objects.filter(pk__in=list(ids[:1])).first()
    if debtor is None:
        return None
    number = ContactPoint.objects.filter(debtor=debtor, kind="mobile", status="valid").first().value
    number = number[3:] if number.startswith("+86") else number
    return {"name": debtor.full_name, "id_last4": debtor.id_last4, "mobile": number,
            "link": portal_url(tokens.make(debtor.pk, "letter"))}
