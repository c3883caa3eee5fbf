"""Template variables and rendering. Pure: no database.

A template names variables in braces, ``{debtor_name}``; an unknown name is refused with the name, and so is a
known variable that has no value for this case (a letter must not go out with a blank creditor phone).
"""
from __future__ import annotations

import re

VARIABLES: dict[str, tuple[str, str]] = {
    "debtor_name": ("债务人姓名", "debtor's name"),
    "creditor_name": ("委托方名称", "creditor's name"),
    "balance": ("欠款余额（元）", "balance owed"),
    "due_date": ("最早未还应还日期", "oldest unpaid due date"),
    "dpd": ("逾期天数", "days past due"),
    "case_reference": ("案件编号", "case reference"),
    "account_tail": ("借据/卡号尾号", "last digits of the account"),
    "payment_link": ("还款链接", "payment link"),
    "portal_link": ("自助服务登录链接（个人专属，限时有效）", "self-service sign-in link (personal, expiring)"),
    "creditor_phone": ("委托方服务热线", "creditor's phone"),
    "creditor_email": ("委托方联系邮箱", "creditor's e-mail"),
    "creditor_address": ("委托方联系地址", "creditor's address"),
    "today": ("今天日期", "today's date"),
    "dispute_by": ("异议截止日期（今天起 35 天）", "dispute deadline (35 days from today)"),
    "promise_amount": ("承诺还款金额（元；待履行的承诺，无则为最近未履行的）",
                       "promised amount (the pending promise, else the latest one not kept)"),
    "promise_date": ("承诺还款日期", "promised payment date"),
}
_VAR = re.compile(r"\{([^{}\s]*)\}")


class TemplateError(ValueError):
    def __init__(self, kind: str, names: list[str]):
        self.kind, self.names = kind, names
        super().__init__(f"{kind}: {', '.join(names)}")


def variables_in(text: str) -> list[str]:
    seen = []
    for name in _VAR.findall(text or ""):
        if name not in seen:
            seen.append(name)
    return seen


def unknown_variables(text: str) -> list[str]:
    return [n for n in variables_in(text) if n not in VARIABLES]


def render(text: str, values: dict[str, str]) -> str:
    """Substitute every ``{name}``; TemplateError("unknown"|"missing", names) when one cannot be filled."""
    unknown = unknown_variables(text)
    if unknown:
        raise TemplateError("unknown", unknown)
    missing = [n for n in variables_in(text) if not str(values.get(n) or "").strip()]
    if missing:
        raise TemplateError("missing", missing)
    return _VAR.sub(lambda m: str(values[m.group(1)]), text or "")
