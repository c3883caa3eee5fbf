"""Outreach actions: templates (edit, approve, retire), sending an SMS or e-mail, issuing letters, delivery
receipts and inbound replies. The only writers of the outreach tables; each write is one transaction with its
audit event.

How a message goes out (``send_message``):
1. the approved template in the debtor's language is rendered and content-checked (nothing is written if not);
2. the compliance gate decides (``decide_contact``, the decision is stored allowed or denied); a denial ends here:
   no message row, nothing sent, the reason is returned;
3. the channel adapter is called synchronously, outside any transaction, with a short timeout; it never raises for
   a delivery problem but reports ``sent``/``delivered``/``failed`` with the reason;
4. one transaction then writes the ``OutboundMessage`` (with that status), the contact ledger row
   (``record_contact_outcome``: ``delivered`` when the provider or mail server accepted it, ``failed`` otherwise),
   the activity (催记) with the decision, and the audit event.
The provider call is synchronous (rather than after commit) so the collector sees the real status at once and the
ledger outcome is known when it is written; until step 4 commits, the stored allow already counts as a contact of
unknown outcome. Later delivery receipts move the message's own status (sent → delivered / failed).
"""
from __future__ import annotations

import datetime as dt
import hmac
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from concord.cases.activities import log_activity
from concord.cases.models import ActivityDirection
from concord.cases.values import case_values
from concord.compliance import content
from concord.compliance import provenance
from concord.compliance import services as compliance
from concord.compliance.selectors import MESSAGE_POINT_KINDS
from concord.core import audit, clock
from concord.core.masking import mask
from concord.core.services import require, save_validated
from concord.core.text import translated
from concord.debtors.models import UNUSABLE_STATUSES, ContactPoint
from concord.staff.roles import Capability, may

from . import adapters, conf, disclosures, rendering
from .models import (
    Channel,
    Language,
    MessageStatus,
    MessageTemplate,
    OutboundMessage,
    SenderProfile,
    TemplateStatus,
)

log = logging.getLogger(__name__)

CONTACT_KIND = MESSAGE_POINT_KINDS  # channel → the kind of contact point it goes to
SMS_MAX = 500
FINAL = {MessageStatus.DELIVERED, MessageStatus.FAILED}


def _allowed(user, capability, message):
    if not may(user, capability):
        raise PermissionDenied(message)


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


# -- templates --------------------------------------------------------------------------------------------------
def check_template_text(*, channel: str, subject: str, body: str) -> None:
    """ValidationError naming each unknown variable and each prohibited phrase (field ``subject``/``body``)."""
    errors = {}
    for name, text in (("subject", subject), ("body", body)):
        unknown = rendering.unknown_variables(text)
        if unknown:
            errors.setdefault(name, []).append(_("未知变量：%(v)s（可用：%(ok)s）") % {
                "v": "、".join("{" + n + "}" for n in unknown), "ok": " ".join("{" + n + "}" for n in rendering.VARIABLES)})
        findings = content.check(text)
        if findings:
            errors.setdefault(name, []).append(_("内容不合规：%(f)s") % {"f": content.summary(findings, "zh")})
    if channel in (Channel.EMAIL, Channel.LETTER) and not (subject or "").strip():
        errors.setdefault("subject", []).append(_("电子邮件和信函必须填写主题"))
    if channel == Channel.SMS and len(body or "") > SMS_MAX:
        errors.setdefault("body", []).append(_("短信正文不能超过 %(n)d 个字符") % {"n": SMS_MAX})
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_template(actor, template: MessageTemplate | None = None, *, code: str, channel: str, language: str,
                  name: str, body: str, subject: str = "", purpose: str = "collection") -> MessageTemplate:
    """Create or change a template. A change makes it a draft again (a new version) that must be re-approved."""
    _allowed(actor, Capability.MANAGE_TEMPLATES, _("只有经理、合规专员或管理员可以编辑模板"))
    subject, body = (subject or "").strip(), (body or "").strip()
    check_template_text(channel=channel, subject=subject, body=body)
    creating = template is None
    if creating:
        template = MessageTemplate()
    else:
        template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    before = {f: getattr(template, f) for f in ("code", "channel", "language", "purpose", "name", "subject", "body")}
    template.code, template.channel, template.language, template.purpose = code, channel, language, purpose
    template.name, template.subject, template.body = (name or "").strip(), subject, body
    after = {f: getattr(template, f) for f in before}
    if not creating and after == before:
        return template
    if not creating:
        template.version += 1
    template.status, template.approved_by, template.approved_at = TemplateStatus.DRAFT, None, None
    template.updated_by = _user(actor)
    save_validated(template)
    audit.record(actor, "outreach.template.save", template, {
        "code": code, "channel": channel, "language": language, "version": template.version,
        "changed": sorted(k for k in after if after[k] != before[k]) if not creating else "created"})
    return template


@transaction.atomic
def approve_template(actor, template: MessageTemplate) -> MessageTemplate:
    """Approve a draft: by a manager, compliance officer or admin other than its last editor (four eyes)."""
    _allowed(actor, Capability.MANAGE_TEMPLATES, _("只有经理、合规专员或管理员可以批准模板"))
    template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    require(template.status == TemplateStatus.DRAFT, "status", _("只有草稿可以批准"))
    require(template.updated_by_id is None or template.updated_by_id != getattr(actor, "pk", None), "approved_by",
            _("模板须由修改人以外的人批准"))
    check_template_text(channel=template.channel, subject=template.subject, body=template.body)
    template.status, template.approved_by, template.approved_at = (
        TemplateStatus.APPROVED, _user(actor), clock.now())
    save_validated(template)
    audit.record(actor, "outreach.template.approve", template, {"code": template.code, "version": template.version})
    return template


@transaction.atomic
def retire_template(actor, template: MessageTemplate) -> MessageTemplate:
    _allowed(actor, Capability.MANAGE_TEMPLATES, _("只有经理、合规专员或管理员可以停用模板"))
    template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    require(template.status != TemplateStatus.RETIRED, "status", _("该模板已停用"))
    template.status = TemplateStatus.RETIRED
    save_validated(template)
    audit.record(actor, "outreach.template.retire", template, {"code": template.code, "version": template.version})
    return template


# -- rendering --------------------------------------------------------------------------------------------------
def _tz(debtor):
    try:
        return ZoneInfo(debtor.time_zone or "Asia/Shanghai")
    except Exception:
        return ZoneInfo("Asia/Shanghai")


def _oldest_due(case):
    from concord.loans.models import AccountStatus, Instalment
    row = (Instalment.objects.filter(account__case=case, account__status=AccountStatus.OPEN)
           .filter(Q(principal_paid__lt=F("principal_due")) | Q(interest_paid__lt=F("interest_due"))).order_by("due_date").values_list("due_date", flat=True)
           .first())
    return row


def variables_for(case, at: dt.datetime | None = None) -> dict[str, str]:
    """The values of every template variable for this case, as of ``at`` in the debtor's time zone."""
    at = at or clock.now()
    debtor, creditor = case.debtor, case.creditor
    today = at.astimezone(_tz(debtor)).date()
    profile = SenderProfile.objects.filter(creditor=creditor).first()
    due = _oldest_due(case)
    if due is None and case.max_dpd:
        due = today - dt.timedelta(days=case.max_dpd)
    account = case.accounts.order_by("id").values_list("reference", flat=True).first() or ""
    payment = (profile.payment_url if profile and profile.payment_url else conf.setting("CONCORD_PAYMENT_URL")) or ""
    return {
        "debtor_name": debtor.full_name,
        "creditor_name": (profile.display_name if profile and profile.display_name else creditor.name),
        "balance": f"{case.total_balance:,.2f}",
        "due_date": due.isoformat() if due else "",
        "dpd": str(case.max_dpd),
        "case_reference": case.reference,
        "account_tail": account[-4:],
        "payment_link": payment.replace("{case_reference}", case.reference),
        "creditor_phone": (profile.phone if profile else "") or conf.setting("CONCORD_SENDER_PHONE") or "",
        "creditor_email": (profile.email if profile else "") or conf.setting("CONCORD_SENDER_EMAIL") or "",
        "creditor_address": (profile.address if profile else "") or conf.setting("CONCORD_SENDER_ADDRESS") or "",
        "today": today.isoformat(),
        "dispute_by": (today + dt.timedelta(days=35)).isoformat(),
        **case_values(case, today),   # the workbench's promise (cases.values)
    }


@dataclass
class Rendered:
    template: MessageTemplate
    language: str
    subject: str
    body: str
    sections: list[tuple[str, str]] = field(default_factory=list)

    @property
    def full_text(self) -> str:
        """What the recipient reads: subject, body and every disclosure section."""
        parts = [self.subject, self.body] + [f"{h}\n{t}" for h, t in self.sections]
        return "\n\n".join(p for p in parts if p)


def debtor_language(debtor) -> str:
    code = (debtor.locale or "zh-hans").lower()
    return Language.EN if code.startswith("en") else Language.ZH


def template_for(case, code: str, channel: str) -> MessageTemplate:
    language = debtor_language(case.debtor)
    template = MessageTemplate.objects.filter(code=code, channel=channel, language=language).first()
    require(template is not None, "template",
            _("没有债务人语言（%(l)s）的“%(c)s”模板") % {"l": language, "c": code})
    require(template.is_approved, "template", _("模板“%(c)s”（%(l)s）尚未批准，不能使用") % {"c": code, "l": language})
    return template


def _fill(text: str, values: dict, field_name: str) -> str:
    try:
        return rendering.render(text, values)
    except rendering.TemplateError as exc:
        names = "、".join("{" + n + "}" for n in exc.names)
        if exc.kind == "unknown":
            raise ValidationError({field_name: [_("未知变量：%(v)s") % {"v": names}]}) from None
        raise ValidationError({field_name: [_("变量 %(v)s 在该案件中没有取值（请补全委托方对外联系信息或案件资料）")
                                            % {"v": names}]}) from None


def render_message(case, template: MessageTemplate, at: dt.datetime | None = None, *,
                   extra: dict | None = None) -> Rendered:
    """Render ``template`` for ``case``: variables, the pack's opt-out notice (SMS/e-mail) or disclosures
    (letters), then the content check of the whole text (findings named, field ``body``). ``extra``: values made
    for this one message by the caller (the portal's personal sign-in link)."""
    values = {**variables_for(case, at), **(extra or {})}
    pack = case.creditor.policy_pack
    subject = _fill(template.subject, values, "subject")
    body = _fill(template.body, values, "body")
    sections = []
    if template.channel == Channel.LETTER:
        sections = [(h, _fill(t, values, "disclosures")) for h, t in
                    disclosures.letter_sections(pack, template.language)]
    else:
        notice = disclosures.opt_out_text(pack, template.channel, template.language)
        if notice:
            notice = _fill(notice, values, "opt_out")
            if notice not in body:
                body = body + ("" if template.channel == Channel.SMS else "\n\n") + notice
    rendered = Rendered(template, template.language, subject, body, sections)
    findings = content.check(rendered.full_text)
    if findings:
        raise ValidationError({"body": [_("内容不合规：%(f)s") % {"f": content.summary(findings, "zh")}]})
    return rendered


# -- values made at sending --------------------------------------------------------------------------------------
#: Functions ``(case, channel, template) -> dict`` that apps above outreach register (``AppConfig.ready``) to give a
#: variable a value made for one message at the moment it is sent: the portal's personal sign-in link. A preview
#: shows :data:`SEND_TIME_PLACEHOLDERS` instead, so that no working link is ever shown on a screen.
_SEND_TIME_SOURCES: list = []
SEND_TIME_PLACEHOLDERS = {"portal_link": "https://…/p/in/…/"}


def register_send_time_values(source) -> None:
    if source not in _SEND_TIME_SOURCES:
        _SEND_TIME_SOURCES.append(source)


def _send_time_values(case, channel, template) -> dict:
    values = {}
    for source in _SEND_TIME_SOURCES:
        values.update(source(case, channel, template) or {})
    return values


# -- sending ----------------------------------------------------------------------------------------------------
@dataclass
class SendOutcome:
    decision: object
    message: OutboundMessage | None = None

    @property
    def allowed(self) -> bool:
        return bool(self.decision.allowed)

    def reason(self, language: str | None) -> str:
        return self.decision.reason(language)


def contact_point_for(case, channel, contact_point):
    kind = CONTACT_KIND[channel]
    point = contact_point if isinstance(contact_point, ContactPoint) else \
        ContactPoint.objects.filter(pk=contact_point).first() if contact_point else None
    if point is None and contact_point in (None, ""):  # the first of the debtor's points this case may use
        candidates = (ContactPoint.objects.filter(debtor_id=case.debtor_id, kind=kind)
                      .exclude(status__in=UNUSABLE_STATUSES).order_by("-is_primary", "id"))
        point = next(iter(provenance.usable_points(case, candidates)), None)
        require(point is not None, "to", _("债务人没有可用的%(k)s") % {"k": ContactPoint(kind=kind).get_kind_display()})
    require(point is not None and point.debtor_id == case.debtor_id, "to", _("该联系方式不属于本案债务人"))
    require(point.kind == kind, "to", _("渠道“%(c)s”需要%(k)s") % {
        "c": Channel(channel).label, "k": ContactPoint(kind=kind).get_kind_display()})
    require(point.status not in UNUSABLE_STATUSES, "to", _("该联系方式状态为“%(s)s”，不能使用") % {"s": point.get_status_display()})
    return point


def send_message(actor, case, *, channel: str, template_code: str, contact_point=None,
                 at: dt.datetime | None = None, extra: dict | None = None) -> SendOutcome:
    """Render, gate, send and record one SMS, e-mail or letter to the debtor (see the module's docstring).
    Letters are "sent" when issued (the PDF is produced for posting). ``extra``: variable values made for this
    message only (see :func:`render_message`)."""
    _allowed(actor, Capability.SEND_MESSAGES, _("您的角色无权向债务人发送消息"))
    require(channel in CONTACT_KIND, "channel", _("无效的渠道：%(c)s") % {"c": channel})
    template = template_for(case, template_code, channel)
    point = contact_point_for(case, channel, contact_point)
    rendered = render_message(case, template, at, extra={**_send_time_values(case, channel, template), **(extra or {})})
    to = point.value
    if channel == Channel.LETTER:  # before the gate: a letter that cannot be printed whole is not issued
        check_letter(letter_layout(case, rendered, at), address=to, subject=rendered.subject)
    decision = compliance.decide_contact(actor, case=case, channel=channel, purpose=template.purpose,
                                         number=to if channel == Channel.SMS else None,
                                         template=rendered.full_text, at=at, contact_point=point)
    if not decision.allowed:
        return SendOutcome(decision)
    reference = f"{case.reference}/{decision.pk}"
    extra = {}
    if channel == Channel.SMS:
        result = adapters.sms_adapter().send(to=to, text=rendered.body, reference=reference)
    elif channel == Channel.EMAIL:
        headers = {"List-Unsubscribe": f"<mailto:{conf.email_from()}?subject=unsubscribe>"}
        result = adapters.SmtpEmail().send(to=to, subject=rendered.subject, text=rendered.body,
                                           reference=reference, headers=headers)
    else:
        result = adapters.SendResult(MessageStatus.SENT, "letter", "")
        extra = letter_layout(case, rendered, at)
    try:
        message = _record_sent(actor, case, decision, rendered, point, result, extra, at)
    except Exception:
        # the provider has the message but the record failed: say so loudly (the stored allow remains as evidence)
        log.exception("outreach: %s %s went out (provider %s id %s) but could not be recorded; decision %s",
                      channel, case.reference, result.provider, result.provider_id, decision.pk)
        raise
    return SendOutcome(decision, message)


@transaction.atomic
def _record_sent(actor, case, decision, rendered, point, result, extra, at):
    now = at or clock.now()
    channel = rendered.template.channel
    message = save_validated(OutboundMessage(
        case=case, channel=channel, template=rendered.template, template_version=rendered.template.version,
        language=rendered.language, to=point.value, to_masked=mask(point.kind, point.value)[:80],
        subject=rendered.subject[:200], body=rendered.full_text if channel == Channel.LETTER else rendered.body,
        extra=extra, status=result.status, status_reason=result.reason[:300], provider=result.provider,
        provider_id=result.provider_id[:200], decision=decision, actor=_user(actor), created_at=now))
    compliance.record_contact_outcome(actor, decision, outcome="delivered" if result.ok else "failed",
                                      at=max(now, decision.at))
    summary = _("%(c)s：%(t)s（%(s)s）") % {"c": Channel(channel).label, "t": rendered.template.name,
                                          "s": message.get_status_display()}
    log_activity(actor, case, kind=channel, channel=channel, direction=ActivityDirection.OUTBOUND, summary=summary,
                 outcome=message.status, decision=decision, at=now,
                 details={"message": str(message.public_id), "template": rendered.template.code,
                          "version": rendered.template.version, "to": message.to_masked,
                          "provider": result.provider, "reason": result.reason[:300]})
    audit.record(actor, "outreach.send", message, {"channel": channel, "template": rendered.template.code,
                                                   "status": message.status, "decision": decision.pk,
                                                   "to": message.to_masked, "reason": result.reason[:300]})
    return message


# -- receipts and replies ---------------------------------------------------------------------------------------
def token_ok(given: str) -> bool:
    expected = conf.setting("CONCORD_SMS_RECEIPT_TOKEN") or ""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@transaction.atomic
def record_receipt(*, provider_id: str, status: str, reason: str = "") -> OutboundMessage:
    """A provider's delivery receipt: ``sent``/``queued`` move to ``delivered`` or ``failed``; a receipt for a
    message already final is ignored (providers repeat themselves)."""
    require(status in (MessageStatus.DELIVERED, MessageStatus.FAILED), "status",
            _("回执状态必须是 delivered 或 failed：%(s)s") % {"s": status})
    require(bool(provider_id), "provider_id", _("缺少通道消息编号"))
    message = OutboundMessage.objects.select_for_update().filter(provider_id=provider_id).first()
    require(message is not None, "provider_id", _("未知的通道消息编号：%(p)s") % {"p": provider_id})
    if message.status in FINAL:
        return message
    before = message.status
    message.status, message.status_reason = status, (reason or "")[:300]
    save_validated(message)
    audit.record(None, "outreach.receipt", message, {"status": [before, status], "reason": reason[:300]})
    return message


def is_opt_out(text: str) -> bool:
    t = unicodedata.normalize("NFKC", text or "").strip().upper()
    bare = re.sub(r"[\s\W_]+", " ", t).strip()
    if bare in disclosures.OPT_OUT_WORDS or bare.replace(" ", "") in disclosures.OPT_OUT_WORDS:
        return True
    if re.match(r"^(STOP|TD|退订)\b", bare):
        return True
    return any(p in t for p in disclosures.OPT_OUT_PHRASES)


@dataclass
class Inbound:
    debtor: object
    opt_out: bool
    activities: list
    cease: object | None = None


def _sender(channel: str, sender: str, in_reply_to: str):
    """The replied message (if named) and the debtor: by the message, else by the sender's number or e-mail."""
    message = None
    if in_reply_to:
        message = (OutboundMessage.objects.select_related("case__debtor").filter(provider_id=in_reply_to).first())
        require(message is not None, "in_reply_to", _("未知的通道消息编号：%(p)s") % {"p": in_reply_to})
        return message, message.case.debtor
    from concord.debtors import identity
    kind = "mobile" if channel == Channel.SMS else "email"
    try:
        value = identity.normalize_contact(kind, sender)
    except identity.IdentityError as exc:
        raise ValidationError({"from": [str(translated(exc.template, exc.params))]}) from None
    index = ContactPoint._meta.get_field("value_index").compute(value)
    point = ContactPoint.objects.select_related("debtor").filter(value_index=index, kind=kind).first()
    require(point is not None, "from", _("无法识别发送方：%(s)s") % {"s": mask(kind, value)})
    return None, point.debtor


@transaction.atomic
def record_inbound(*, channel: str, sender: str = "", text: str, in_reply_to: str = "",
                   at: dt.datetime | None = None) -> Inbound:
    """A reply from the debtor. An opt-out (退订, TD, STOP, unsubscribe …) becomes a cease request on that channel
    (``record_cease``); every reply is logged as an inbound activity on the debtor's cases (the replied message's
    case when named). The reply text is kept in the activity's details, not checked: it is the debtor's word."""
    require(channel in (Channel.SMS, Channel.EMAIL), "channel", _("回复渠道必须是 sms 或 email"))
    require(bool((text or "").strip()), "text", _("回复内容为空"))
    message, debtor = _sender(channel, sender, in_reply_to)
    at = at or clock.now()
    opt_out = is_opt_out(text)
    cease = None
    if opt_out:
        cease = compliance.record_cease(None, debtor=debtor, channel=channel, valid_from=at,
                                        note=_("债务人回复退订：%(t)s") % {"t": text.strip()[:100]})
    cases = [message.case] if message else list(debtor.cases.all())
    phrase = ("message.opt_out" if opt_out else "message.reply", {"c": channel})
    activities = [log_activity(None, case, kind=channel, channel=channel, direction=ActivityDirection.INBOUND,
                               phrase=phrase, outcome="opt_out" if opt_out else "reply", at=at,
                               details={"text": text.strip()[:1000], "opt_out": opt_out,
                                        "in_reply_to": in_reply_to, "cease": getattr(cease, "pk", None)})
                  for case in cases]
    return Inbound(debtor, opt_out, activities, cease)


# -- letters ----------------------------------------------------------------------------------------------------
def letter_layout(case, rendered: Rendered, at: dt.datetime | None = None) -> dict:
    values = variables_for(case, at)
    sender_lines = [x for x in (values["creditor_phone"] and f"☎ {values['creditor_phone']}",
                                values["creditor_address"], values["creditor_email"]) if x]
    return {"sender": values["creditor_name"], "sender_lines": sender_lines, "recipient": case.debtor.full_name,
            "date": values["today"], "reference": case.reference, "body": rendered.body,
            "sections": [list(s) for s in rendered.sections]}


def _letter(layout: dict, *, address: str, subject: str):
    from .letters import Letter
    return Letter(sender=layout.get("sender", ""), sender_lines=layout.get("sender_lines", []),
                  recipient=layout.get("recipient", ""), address=address, date=layout.get("date", ""),
                  subject=subject, body=layout.get("body", ""), reference=layout.get("reference", ""),
                  sections=[tuple(x) for x in layout.get("sections", [])])


def check_letter(layout: dict, *, address: str, subject: str) -> None:
    """ValidationError when the letter holds a character no installed font prints (e.g. a rare name character of
    the CJK extensions without ``fonts-hanazono``), naming each one, or when the letter font is missing."""
    from .letters import FontMissing, UnrenderableText, check_renderable
    try:
        check_renderable([_letter(layout, address=address, subject=subject)])
    except UnrenderableText as exc:
        chars = "、".join(f"“{c}”(U+{ord(c):04X})" for c in exc.chars)
        raise ValidationError({"body": [_("信函中的字符 %(c)s 没有可用的字体，打印会成为空白，因此不出具该信函；"
                                          "请安装字体包 fonts-hanazono（见运维指南）或核对姓名、地址") % {"c": chars}]},
                              code="unrenderable")
    except FontMissing as exc:
        raise ValidationError({"channel": [_("信函字体不可用：%(e)s") % {"e": exc}]}, code="font_missing")


def letters_pdf(messages: list[OutboundMessage], *, title: str = "Concord letters") -> bytes:
    from .letters import Letter, render_pdf
    letters = []
    for m in messages:
        x = m.extra or {}
        letters.append(Letter(sender=x.get("sender", ""), sender_lines=x.get("sender_lines", []),
                              recipient=x.get("recipient", ""), address=m.to, date=x.get("date", ""),
                              subject=m.subject, body=x.get("body", m.body), reference=x.get("reference", ""),
                              sections=[tuple(s) for s in x.get("sections", [])]))
    return render_pdf(letters, title=title)


@dataclass
class BulkResult:
    issued: list = field(default_factory=list)      # OutboundMessage
    refused: list = field(default_factory=list)     # (case, reason)


def bulk_letters(actor, cases, *, template_code: str, at: dt.datetime | None = None,
                 language: str | None = None) -> BulkResult:
    """Issue a letter to each case's debtor; each goes through the gate on its own. A case denied by the gate, or
    that cannot be rendered (no postal address, a variable without value), is listed with the reason and left out."""
    _allowed(actor, Capability.SEND_MESSAGES, _("您的角色无权向债务人发送消息"))
    result = BulkResult()
    for case in cases:
        try:
            outcome = send_message(actor, case, channel=Channel.LETTER, template_code=template_code, at=at)
        except ValidationError as exc:
            text = "; ".join(f"{m}" for msgs in exc.message_dict.values() for m in msgs)
            result.refused.append((case, text))
            continue
        if outcome.allowed:
            result.issued.append(outcome.message)
        else:
            result.refused.append((case, outcome.reason(language)))
    return result


# -- sender details ---------------------------------------------------------------------------------------------
@transaction.atomic
def save_sender_profile(actor, creditor, *, phone: str, display_name: str = "", email: str = "", address: str = "",
                        payment_url: str = "") -> SenderProfile:
    """A creditor's contact details as its messages and letters give them."""
    _allowed(actor, Capability.MANAGE_TEMPLATES, _("只有经理、合规专员或管理员可以修改委托方对外联系信息"))
    require(bool((phone or "").strip()), "phone", _("请填写服务热线"))
    bad = [n for n in rendering.variables_in(payment_url or "") if n != "case_reference"]
    require(not bad, "payment_url", _("还款链接只能包含 {case_reference}，不能包含：%(v)s") % {"v": ", ".join(bad)})
    require(not payment_url or payment_url.startswith(("https://", "http://")), "payment_url",
            _("还款链接必须以 https:// 或 http:// 开头"))
    profile = SenderProfile.objects.select_for_update().filter(creditor=creditor).first() or \
        SenderProfile(creditor=creditor)
    before = {f: getattr(profile, f) for f in ("display_name", "phone", "email", "address", "payment_url")}
    profile.display_name, profile.phone, profile.email = display_name.strip(), phone.strip(), email.strip()
    profile.address, profile.payment_url = address.strip(), payment_url.strip()
    save_validated(profile)
    after = {f: getattr(profile, f) for f in before}
    audit.record(actor, "outreach.sender", profile, {"creditor": creditor.code,
                                                     "changed": sorted(k for k in after if after[k] != before[k])})
    return profile


@transaction.atomic
def purge_messages(actor, case_ids, *, reason: str) -> int:
    """Empty the recipient, text and letter layout of the messages of ended cases whose personal data's retention
    has ended; the message rows stay (channel, template, time, status, the masked recipient). Records the count as
    ``message.purge``."""
    case_ids = list(case_ids)
    messages = list(OutboundMessage.objects.filter(case_id__in=case_ids).exclude(body=PURGED_BODY))
    for message in messages:
        message.to, message.body, message.subject, message.extra = "", PURGED_BODY, "", {}
    OutboundMessage.objects.bulk_update(messages, ["to", "body", "subject", "extra"])
    audit.record(actor, "message.purge", None, {"cases": case_ids, "messages": len(messages), "reason": reason[:200]},
                 object_type="cases.case", object_id=",".join(map(str, case_ids))[:64])
    return len(messages)


#: The text left in a message whose content was purged at the end of its retention.
PURGED_BODY = "（已按保存期限清除）"
