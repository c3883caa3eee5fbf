"""The commission rule of a statement line in the reader's language.

Lines store the rule as the commission computation names it (``bucket M1 12% cap``, ``tier ≥10% 20%``,
``legal 30% minimum``, ``not placed``, ``direct``, ``none``: see ``concord.creditors.commission``): stable text that
the command line and the JSON keep. Pages and exports show :func:`rule_label`.
"""
from __future__ import annotations

import re

from django.utils.translation import gettext as _

RULE = re.compile(r"^(?:legal|tier ≥(?P<threshold>\S+)|bucket (?P<bucket>\S+)) (?P<rate>\S+%)"
                  r"(?P<minimum> minimum)?(?P<cap> cap)?$")


def rule_label(rule: str) -> str:
    fixed = {"not placed": _("不在委案期内，不计佣"), "direct": _("委托方直收，不计佣"), "none": _("无适用费率")}
    if rule in fixed:
        return fixed[rule]
    match = RULE.match(rule or "")
    if match is None:
        return rule
    if match["threshold"]:
        text = _("回收率≥%(t)s 档 %(r)s") % {"t": match["threshold"], "r": match["rate"]}
    elif match["bucket"]:
        text = _("委案账龄 %(b)s 费率 %(r)s") % {"b": match["bucket"], "r": match["rate"]}
    else:
        text = _("诉讼回收 %(r)s") % {"r": match["rate"]}
    if match["minimum"]:
        text += _("（保底）")
    if match["cap"]:
        text += _("（封顶）")
    return text
