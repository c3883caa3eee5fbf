"""The arrangements' activity summaries (proposed, decided, started, hardship review, completed, broken), stored as a
code and its arguments and said in the reader's language (``cases.activities.register_phrases``)."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.cases.activities import label_of
from concord.core.templatetags.concord_format import amount

from .models import ArrangementKind, ArrangementStatus, Decision


def say_missed(row: dict) -> str:
    """The instalment that broke a plan: ``{"n": number, "d": due date, "a": amount, "g": grace days}``."""
    return _("第 %(n)d 期（%(d)s 应还 %(a)s 元）逾期超过 %(g)d 天未还") % {
        "n": int(row["n"]), "d": row["d"], "a": amount(row["a"]), "g": int(row["g"])}


PHRASES = {
    "arrangement.propose": (
        gettext_lazy("提出%(k)s：共 %(t)s 元，%(n)d 期，月供 %(m)s 元，减免 %(d)s 元（%(s)s）"),
        {"k": label_of(ArrangementKind), "t": amount, "m": amount, "d": amount, "s": label_of(ArrangementStatus)}),
    "arrangement.decide": (gettext_lazy("还款方案 #%(n)s：%(d)s"), {"d": label_of(Decision)}),
    "arrangement.activate": (gettext_lazy("还款方案 #%(n)s 开始履行，履行期间暂停催收"), {}),
    "arrangement.hardship": (gettext_lazy("转困难评估（不提出还款方案）"), {}),
    "arrangement.complete": (gettext_lazy("还款方案 #%(n)s 已履行完毕（共还 %(t)s 元），解除暂停催收"), {"t": amount}),
    "arrangement.broken": (gettext_lazy("还款方案 #%(n)s 违约：%(r)s，恢复正常催收"), {"r": say_missed}),
}
