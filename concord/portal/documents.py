"""The plan confirmation the borrower downloads (PDF, the letters' CJK font embedded), in the page's language."""
from __future__ import annotations

from django.utils.translation import gettext as _

from concord.core import clock
from concord.outreach.letters import Letter, render_pdf


def plan_confirmation(arrangement) -> bytes:
    case = arrangement.case
    rows = "\n".join(_("第 %(n)d 期　%(d)s　%(a)s 元") % {"n": i.number, "d": i.due_date, "a": i.amount}
                     for i in arrangement.instalments.all())
    body = "\n\n".join([
        _("您选择的%(k)s已确认（状态：%(s)s）。") % {"k": arrangement.get_kind_display(),
                                               "s": arrangement.get_status_display()},
        _("欠款总额 %(b)s 元，减免 %(d)s 元，约定还款总额 %(t)s 元，共 %(m)d 期，每期不超过 %(p)s 元。") % {
            "b": arrangement.balance, "d": arrangement.discount_amount, "t": arrangement.total,
            "m": arrangement.months, "p": arrangement.monthly_amount},
        rows,
        _("按期还款期间暂停催收；某期逾期超过 %(g)d 天未还，方案即告终止。") % {"g": arrangement.grace_days},
    ])
    letter = Letter(sender=case.creditor.name, sender_lines=[], recipient=case.debtor.full_name, address="",
                    date=str(clock.today()), subject=_("还款方案确认书"), body=body,
                    reference=f"{case.reference} #{arrangement.pk}")
    return render_pdf([letter], title=_("还款方案确认书"))
