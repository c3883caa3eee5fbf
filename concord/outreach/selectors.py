"""Read queries for the outreach pages and the case-page panel (a bounded number of queries per case)."""
from __future__ import annotations

from django.utils.translation import get_language

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
             "points": [(p.pk, mask(p.kind, p.value)) for p in points if p.kind == kind]}
            for ch, kind in CONTACT_KIND.items()]
    ctx["lang"] = "en" if (get_language() or "").startswith("en") else "zh-hans"
    return ctx


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
