import json

from django import template
from django.utils.translation import gettext as _

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
