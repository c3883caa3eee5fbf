"""The workbench's rules as data, in one place: how long a claim lasts, how far ahead a promise may be dated, how
long call recordings are kept. Who may do what is the staff app's role table (``concord.staff.roles``).

Pure data and small pure functions (no database); the services and views read them.
"""
from __future__ import annotations

import datetime as dt

#: A claim from "next case" lasts this long unless renewed by working the case (setting CONCORD_CLAIM_MINUTES).
CLAIM_MINUTES = 30

#: How far ahead (days from today) a promise to pay may be dated, by product kind. A case with several products
#: takes the shortest. Credit cards follow the statement cycle (30 days); online loans are short-term (14 days).
PROMISE_MAX_DAYS = {"credit_card": 30, "online_loan": 14}
PROMISE_MAX_DAYS_DEFAULT = 14

#: Call recordings are kept this many years after the call, by the creditor's policy pack: CN bank card rules
#: ask for at least 2 years, Regulation F record keeping 3 years; 2 years otherwise.
RECORDING_RETENTION_YEARS = {"cn_bank": 2, "cn_online_lending": 2, "us_reg_f": 3, "uk_conc": 2}
RECORDING_RETENTION_DEFAULT = 2
#: Products whose recordings are kept at least this long whatever the pack (CN credit cards: 2 years).
RECORDING_RETENTION_MIN_BY_PRODUCT = {"credit_card": 2}

#: A broken promise keeps a case at the top of the queue for this many days.
BROKEN_PROMISE_PRIORITY_DAYS = 7
#: Reminders are created this many days before a promise's date.
PROMISE_REMINDER_DAYS = 1

#: Call outcomes (the compliance ledger's words) and the result codes a call may carry.
CALL_OUTCOMES = ("no_answer", "busy", "voicemail", "conversation", "third_party", "wrong_number")
RESULT_CODES = ("promise", "refusal", "dispute", "hardship", "callback", "already_paid", "wrong_party")
#: Result codes that need a conversation with the person called (a third party may only ask for a callback or say
#: the number is not the debtor's).
CONVERSATION_CODES = {"promise", "refusal", "dispute", "hardship", "already_paid"}
#: Result codes that need a liable person (the debtor, a guarantor, a co-borrower) on the line.
LIABLE_CODES = {"promise", "refusal", "dispute", "hardship", "already_paid"}


def promise_max_days(product_kinds) -> int:
    kinds = [k for k in product_kinds if k]
    if not kinds:
        return PROMISE_MAX_DAYS_DEFAULT
    return min(PROMISE_MAX_DAYS.get(k, PROMISE_MAX_DAYS_DEFAULT) for k in kinds)


def retention_years(policy_pack: str, product_kinds=()) -> int:
    years = RECORDING_RETENTION_YEARS.get(policy_pack, RECORDING_RETENTION_DEFAULT)
    for kind in product_kinds:
        years = max(years, RECORDING_RETENTION_MIN_BY_PRODUCT.get(kind, 0))
    return years


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def promise_status(amount, paid, due_date: dt.date, grace_days: int, today: dt.date) -> str:
    """Kept once ``paid`` reaches ``amount``; before the date plus grace days, still pending; after it, partially
    kept when something was paid, else broken."""
    if paid >= amount:
        return "kept"
    if today <= due_date + dt.timedelta(days=grace_days):
        return "pending"
    return "partial" if paid > 0 else "broken"
