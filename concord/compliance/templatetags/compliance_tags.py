import json

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

register = template.Library()


@register.simple_tag
def reason_of(obj, lang):
    """A decision's reason in the page's language (Chinese unless English was chosen)."""
    return obj.reason(lang)


@register.simple_tag
def countdown(left):
    """Time left to a deadline: ``2天3小时`` / overdue, marked."""
    from django.utils.html import format_html
    seconds = int(left.total_seconds())
    overdue = seconds < 0
    seconds = abs(seconds)
    days, hours = seconds // 86400, seconds % 86400 // 3600
    text = _("%(d)d天%(h)d小时") % {"d": days, "h": hours}
    if overdue:
        return format_html('<span class="tag bad">{}</span>', _("已超期 %(t)s") % {"t": text})
    css = "warn" if days < 2 else ""
    return format_html('<span class="tag {}">{}</span>', css, text)


@register.filter
def pretty_json(value):
    if not value:
        return ""
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


@register.filter
def params_text(params):
    return json.dumps(dict(params), ensure_ascii=False) if params else ""


RELATIONS = {"debtor": _noop("债务人本人"), "guarantor": _noop("担保人"), "co_borrower": _noop("共同借款人"),
             "spouse": _noop("配偶"), "friend": _noop("其他第三方"), "attorney": _noop("代理律师")}


@register.simple_tag
def inputs_rows(decision):
    """What the gate decided on, in words: (label, text) rows — the party by name, accounts by contract number,
    channel and purpose by their labels (the stored JSON stays below for an auditor)."""
    from concord.loans.models import LoanAccount

    from ..models import Channel, Purpose

    data = decision.inputs or {}
    rows = []
    party = decision.related_party or getattr(decision, "attorney", None)
    if data.get("party") == "D" or decision.party_kind == "debtor":
        rows.append((_("联系对象"), decision.get_party_kind_display()))
    elif party is not None:
        rows.append((_("联系对象"), f"{decision.get_party_kind_display()} · {party}"))
    if data.get("relation"):
        rows.append((_("与债务人的关系"), _(RELATIONS.get(data["relation"], data["relation"]))))
    debts = [str(x) for x in data.get("debts") or []]
    if debts:
        refs = dict(LoanAccount.objects.filter(pk__in=[int(x) for x in debts if x.isdigit()])
                    .values_list("id", "reference"))
        rows.append((_("所涉借据"), "、".join(refs.get(int(x), x) if x.isdigit() else x for x in debts)))
    if data.get("channel") in Channel.values:
        rows.append((_("渠道"), Channel(data["channel"]).label))
    if data.get("purpose") in Purpose.values:
        rows.append((_("目的"), Purpose(data["purpose"]).label))
    if data.get("number"):
        rows.append((_("号码（脱敏）"), data["number"]))
    if data.get("agents"):
        rows.append((_("外访人数"), data["agents"]))
    if data.get("timezone"):
        rows.append((_("债务人时区"), data["timezone"]))
    if data.get("template"):
        rows.append((_("消息正文"), data["template"]))
    rows.append((_("查阅的联系记录 / 状态记录"), f"{data.get('contacts_seen', 0)} / {data.get('states_seen', 0)}"))
    return rows
