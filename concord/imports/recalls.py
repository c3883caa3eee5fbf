"""Recall files (退案文件): the accounts a creditor takes back.

Columns: 借据号 (required), 退案日期 (optional, default today; not in the future — Concord recalls on the day
the file is imported, so a file announcing a later recall is imported on that day), 退案原因.

What a row does, through :func:`concord.cases.services.recall_accounts`: an open account of this creditor
becomes recalled → *updated*; its case becomes recalled when none of its accounts stays open (the assignment
ends, its history is kept; the case leaves every collector's queue). An account already recalled → *unchanged*;
a settled or written-off account keeps its status → *unchanged* with a warning; a 借据号 that is not an account
of this creditor → *rejected*.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.cases import services as cases
from concord.loans.models import AccountStatus, LoanAccount

from . import values as v
from .kindrows import RowSpec, file_parser, problem
from .rows import reference_parser, text_parser
from .mapping import RECALLS, catalogue
from .rows import FieldProblem, RowResult

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"


@dataclass
class RecallRecord:
    account_reference: str
    recalled_on: dt.date | None = None
    recall_reason: str = ""
    full_name: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _build(parsed: dict[str, Any], result: RowResult, column_of: dict[str, str], today: dt.date):
    on = parsed.get("recalled_on")
    if on is not None and on > today:
        problem(result, column_of, "recalled_on", "recall_in_future", format_lazy(
            _("退案日期 {d} 晚于今天；请在退案当天或之后导入"), d=on.isoformat()), on.isoformat())
        return None
    return RecallRecord(**parsed)


SPEC = RowSpec(catalogue=catalogue(RECALLS), parsers={
    "account_reference": reference_parser,
    "recalled_on": lambda value, today: v.parse_date(value, today=today),
    "recall_reason": text_parser(200),
    "full_name": text_parser(50),
}, build=_build)

parse_file = file_parser(SPEC)


def key(result: RowResult) -> str:
    return result.record.account_reference


class RecallWriter:
    """Lands chunks of recall rows for one creditor: one lookup, then one recall per (date, reason)."""

    def __init__(self, creditor, *, batch, actor, today: dt.date):
        self.creditor, self.batch, self.actor, self.today = creditor, batch, actor, today

    def write(self, results: list[RowResult]) -> dict[int, str]:
        references = [r.record.account_reference for r in results]
        accounts = {a.reference: a for a in LoanAccount.objects.filter(creditor=self.creditor,
                                                                       reference__any_of=references)
                    .only("id", "reference", "status", "case_id")}
        outcome: dict[int, str] = {}
        groups: dict[tuple[dt.date, str], list[tuple[RowResult, LoanAccount]]] = {}
        for r in results:
            account = accounts.get(r.record.account_reference)
            if account is None:
                r.errors.append(FieldProblem("account_reference", None, "account_unknown", format_lazy(
                    _("委托方 {creditor} 名下没有借据号 {ref}"), creditor=self.creditor.code,
                    ref=r.record.account_reference), r.record.account_reference))
                outcome[r.row_number] = REJECTED
            elif account.status == AccountStatus.OPEN:
                reason = r.record.recall_reason or gettext("委托方退案（导入批次 #%(n)s）") % {"n": self.batch.pk}
                groups.setdefault((r.record.recalled_on or self.today, reason), []).append((r, account))
            else:
                if account.status != AccountStatus.RECALLED:
                    r.warnings.append(FieldProblem("account_reference", None, "recall_not_open", format_lazy(
                        _("借据 {ref} 的状态为“{status}”，不在催收中，保持不变"), ref=account.reference,
                        status=AccountStatus(account.status).label), account.reference))
                outcome[r.row_number] = UNCHANGED
        for (on, reason), rows in groups.items():
            cases.recall_accounts(self.actor, [account for _r, account in rows], reason=reason, on=on)
            for r, _account in rows:
                outcome[r.row_number] = UPDATED
        return outcome


def recall_writer(creditor, *, batch, actor, today):
    return RecallWriter(creditor, batch=batch, actor=actor, today=today)
