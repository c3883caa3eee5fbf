"""Read queries for the outreach pages and the case-page panel (a bounded number of queries per case)."""
from __future__ import annotations

from django.utils.translation import get_language

from concord.cases.panels import bound_form
from concord.compliance.provenance import usable_points
from concord.core.access import restrict
from concord.core.masking import mask
from concord.debtors.models import UNUSABLE_STATUSES

from .models import MessageTemplate, OutboundMessage, TemplateStatus
from concord.staff.roles import Capability, may

from .services import CONTACT_KIND, debtor_language


def approved_templates(language: str, channels=("sms", "email", "letter")):
    return list(MessageTemplate.objects.filter(status=TemplateStatus.APPROVED, language=language,
                                               channel__in=channels).order_by("channel", "code"))


def panel_context(request, case) -> dict | None:
    """The case page's 短信/邮件/信函 panel: recent messages for everyone who sees the case; the send forms for
    the roles that may send."""
    user = request.user
    may_send = may(user, Capability.SEND_MESSAGES)
    messages = list(OutboundMessage.objects.filter(case=case).select_related("template", "actor")[:20])
    ctx = {"messages": messages, "may_send": may_send, "language": debtor_language(case.debtor),
           "may_manage": may(user, Capability.MANAGE_TEMPLATES)}
    if may_send:
        # the debtor's points as the case page read them (one read shared by every section)
        kinds = set(CONTACT_KIND.values())
        points = [p for p in usable_points(case, case.debtor.contact_points.all())
                  if p.kind in kinds and p.status not in UNUSABLE_STATUSES]
        templates = approved_templates(ctx["language"])
        ctx["channels"] = [
            {"channel": ch, "templates": [t for t in templates if t.channel == ch],
             "points": [(p.pk, point_label(p)) for p in points if p.kind == kind]}
            for ch, kind in CONTACT_KIND.items()]
    # a refused send: the preview again, with what was chosen (outreach.views.send)
    ctx["preview"] = bound_form(request, "outreach-send") if may_send else None
    ctx["chosen"] = ctx["preview"]["chosen"] if ctx["preview"] else {}
    ctx["lang"] = "en" if (get_language() or "").startswith("en") else "zh-hans"
    from .models import Language
    ctx["language_label"] = Language(ctx["language"]).label if ctx["language"] in Language.values else ctx["language"]
    # a template by its name in the reader's language (the debtor's may differ), never by its code
    names = {} if ctx["lang"] == ctx["language"] else template_names(ctx["lang"])
    for c in ctx.get("channels", ()):
        for t in c["templates"]:
            t.label = names.get((t.channel, t.code), t.name)
    for m in messages:
        m.template_label = names.get((m.channel, m.template.code), m.template.name) if m.template else "—"
    return ctx


def template_names(language: str) -> dict:
    """(channel, code) → the template's name in ``language`` (every template, approved or not)."""
    return {(c, code): name for c, code, name in
            MessageTemplate.objects.filter(language=language).values_list("channel", "code", "name")}


def point_label(point) -> str:
    """A contact point as a sender chooses it: for an address its type (家庭住址, 户籍地址, 单位地址) before the masked
    text, and whether the borrower confirmed it (given by the borrower, or verified)."""
    from django.utils.translation import gettext as _

    text = mask(point.kind, point.value)
    if point.kind == "address":
        kind = point.get_address_type_display() if point.address_type else _("地址（类型未知）")
        text = f"{kind} · {text}"
        if point.source == "debtor" or point.verified_at:
            text += " · " + _("借款人已确认")
    if point.is_primary:
        text += " · " + _("首选")
    return text


def gate_preview(user, case, rendered, point, at=None):
    """What the compliance gate would decide now for sending ``rendered`` to ``point`` (nothing stored; the decision
    that counts is taken and stored at send): a ``compliance.selectors.Option`` — allowed, or the rules, the reason
    and from when it would be allowed."""
    from concord.compliance.selectors import contact_options

    template = rendered.template
    options = contact_options(case, user, at, message=(template.channel, template.purpose, rendered.full_text))
    return next((o for o in options if o.extra.get("point") == point.pk), None)


def visible_messages(user):
    return restrict(OutboundMessage.objects.all(), user)


def say_message(activity) -> str:
    """A message's activity summary in the reader's language: channel, template name, status."""
    from django.utils.translation import gettext as _

    from .models import Channel, MessageStatus

    code = (activity.details or {}).get("template")
    if not code or activity.kind not in Channel.values:
        return ""
    lang = "en" if (get_language() or "").startswith("en") else "zh-hans"
    name = MessageTemplate.objects.filter(language=lang, channel=activity.kind, code=code).values_list(
        "name", flat=True).first() or code
    status = MessageStatus(activity.outcome).label if activity.outcome in MessageStatus.values else ""
    return _("%(c)s：%(t)s（%(s)s）") % {"c": Channel(activity.kind).label, "t": name, "s": status}
