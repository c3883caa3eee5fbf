"""Placement rows: a raw row → a typed :class:`PlacementRecord`, or the list of what is wrong with it.

:func:`parse_placement_row` checks one row: required fields (姓名, 身份证号, 借据号, 产品, 合同金额), each value's
format and range (see :mod:`concord.imports.values`), and cross-field rules (a loan date not after the due
date; a return date not before the placement date). Every problem names the Concord field, the column
header as written in the file, a stable code and a reason. An invalid phone does not reject the row: it is
kept with status ``invalid`` and reported as a warning.

:func:`parse_file` streams a whole file: it opens it (raising
:class:`~concord.imports.readers.FileRejected` at once when the file cannot be used) and yields one
:class:`RowResult` per non-blank data row. A repeated account reference within the file is flagged with
``duplicate_of_row`` (the row it repeats) so that the caller applies the later row as an update.

Pure: no database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from concord.core.text import translated
from concord.debtors import identity
from concord.imports import values as v
from concord.imports.mapping import FIELD_LABELS, REQUIRED_FIELDS, MappingProfile, match_header
from concord.imports.readers import RawRow, Table, open_table

PHONE_FIELDS = ("mobile", "emergency_contact_phone")
MAX_TERM_MONTHS = 600
MAX_DPD = 36_500
MAX_LENGTH = {"full_name": 50, "account_reference": 64, "emergency_contact_name": 50,
              "emergency_contact_relation": 20, "home_address": 255, "employer": 255}


@dataclass(frozen=True)
class Phone:
    """A phone as imported: E.164 when valid, else the text as written, with ``status`` valid/invalid."""

    value: str
    status: str  # "valid" or "invalid"


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong (an error) or doubtful (a warning) with one field of one row."""

    field: str  # Concord field name
    column: str | None  # the column header as written in the file (None: the file has no such column)
    code: str
    message: Any  # lazy text, rendered in the active language by str()
    value: str = ""  # the cell as text

    @property
    def label(self):
        return FIELD_LABELS.get(self.field, self.field)

    @property
    def reason(self) -> str:
        return f"{self.column or self.label}：{self.message}"


@dataclass(frozen=True)
class PlacementRecord:
    """One normalised placement row. Optional fields are ``None`` (text fields ``""``) when blank."""

    full_name: str
    national_id: str  # 18 characters, 15-digit IDs converted
    birth_date: dt.date
    gender: str  # "M" or "F"
    account_reference: str
    product: str  # "credit_card" or "online_loan"
    contract_amount: Decimal
    mobile: Phone | None = None
    annual_rate: Decimal | None = None
    term_months: int | None = None
    repayment_method: str | None = None
    loan_date: dt.date | None = None
    due_date: dt.date | None = None
    dpd: int | None = None
    overdue_principal: Decimal | None = None
    overdue_interest: Decimal | None = None
    penalty: Decimal | None = None
    remaining_principal: Decimal | None = None
    home_address: str = ""
    employer: str = ""
    emergency_contact_name: str = ""
    emergency_contact_phone: Phone | None = None
    emergency_contact_relation: str = ""
    placed_on: dt.date | None = None
    return_on: dt.date | None = None
    extra: dict[str, str] = field(default_factory=dict)  # unmapped columns, kept as text


@dataclass
class RowResult:
    """The outcome of one data row: a record (maybe with warnings), or errors."""

    sheet: str
    row_number: int
    cells: dict[str, Any]
    record: PlacementRecord | None = None
    errors: list[FieldProblem] = field(default_factory=list)
    warnings: list[FieldProblem] = field(default_factory=list)
    duplicate_of_row: int | None = None  # an earlier row of the file with the same account reference

    @property
    def ok(self) -> bool:
        return self.record is not None and not self.errors

    def problem_dicts(self) -> list[dict]:
        """Errors then warnings as JSON-ready dicts (``row`` as a spreadsheet shows it)."""
        return [{"row": self.row_number, "sheet": self.sheet, "field": p.field, "column": p.column,
                 "code": p.code, "reason": str(p.message), "severity": severity}
                for severity, problems in (("error", self.errors), ("warning", self.warnings))
                for p in problems]


# field → parser(value, today) -> typed value
def text_parser(limit: int) -> Callable[[Any, dt.date], str]:
    """A parser for free text of at most ``limit`` characters (shared by every kind of file)."""
    def parse(value: Any, today: dt.date) -> str:
        text = v.clean_text(value)
        if len(text) > limit:
            raise v.ValueProblem("text_too_long", format_lazy(_("内容过长：{n} 个字符，最多 {limit} 个"),
                                                              n=len(text), limit=limit))
        return text
    return parse


def _text(name: str) -> Callable[[Any, dt.date], str]:
    return text_parser(MAX_LENGTH.get(name, 255))


def name_parser(limit: int) -> Callable[[Any, dt.date], str]:
    """A person's name: free text of at most ``limit`` characters without direction controls or invisible
    characters (:func:`concord.debtors.identity.check_name`)."""
    text = text_parser(limit)

    def parse(value: Any, today: dt.date) -> str:
        name = text(value, today)
        try:
            return identity.check_name(name)
        except identity.IdentityError as exc:
            raise v.ValueProblem(exc.code, translated(exc.template, exc.params)) from exc
    return parse


def reference_parser(value: Any, today: dt.date) -> str:
    """An account reference: digits that lost precision refused, at most 64 characters."""
    return text_parser(MAX_LENGTH["account_reference"])(v.parse_reference(value), today)


def _amount(value, today):
    return v.parse_money(value)


def _date(value, today):
    return v.parse_date(value, today=today)


PARSERS: dict[str, Callable[[Any, dt.date], Any]] = {
    "full_name": name_parser(MAX_LENGTH["full_name"]),
    "national_id": lambda value, today: v.parse_national_id(value, today=today),
    "mobile": lambda value, today: v.parse_phone(value),
    "account_reference": reference_parser,
    "product": lambda value, today: v.parse_product(value),
    "contract_amount": _amount,
    "annual_rate": lambda value, today: v.parse_rate(value),
    "term_months": lambda value, today: v.parse_int(value, minimum=1, maximum=MAX_TERM_MONTHS),
    "repayment_method": lambda value, today: v.parse_repayment_method(value),
    "loan_date": _date,
    "due_date": _date,
    "dpd": lambda value, today: v.parse_int(value, minimum=0, maximum=MAX_DPD),
    "overdue_principal": _amount,
    "overdue_interest": _amount,
    "penalty": _amount,
    "remaining_principal": _amount,
    "home_address": _text("home_address"),
    "employer": _text("employer"),
    "emergency_contact_name": name_parser(MAX_LENGTH["emergency_contact_name"]),
    "emergency_contact_phone": lambda value, today: v.parse_phone(value),
    "emergency_contact_relation": _text("emergency_contact_relation"),
    "placed_on": _date,
    "return_on": _date,
}


def parse_placement_row(raw: RawRow, mapping: dict[str, str], *, today: dt.date) -> RowResult:
    """Check and normalise one placement row. ``mapping`` is column header → field (see ``match_header``)."""
    result = RowResult(sheet=raw.sheet, row_number=raw.row_number, cells=raw.cells)
    column_of, plan = _plan(tuple(mapping.items()))
    parsed: dict[str, Any] = {}
    for name, column, parser in plan:
        value = raw.cells.get(column) if column is not None else None
        if v.is_blank(value):
            if name in REQUIRED_FIELDS:
                message = (format_lazy(_("必填项“{label}”为空"), label=FIELD_LABELS[name]) if column is not None
                           else format_lazy(_("文件中没有“{label}”列"), label=FIELD_LABELS[name]))
                result.errors.append(FieldProblem(name, column, "required", message))
            continue
        try:
            parsed[name] = parser(value, today)
        except v.ValueProblem as problem:
            shown = v.clean_text(value)
            issue = FieldProblem(name, column, problem.code, problem.message, shown)
            if name in PHONE_FIELDS:
                result.warnings.append(issue)
                parsed[name] = Phone(shown, "invalid")
            else:
                result.errors.append(issue)
        else:
            if name in PHONE_FIELDS:
                parsed[name] = Phone(parsed[name], "valid")
    _cross_checks(parsed, column_of, result, today)
    if result.errors:
        return result
    resident = parsed.pop("national_id")
    extra = {column: v.clean_text(value) for column, value in raw.cells.items()
             if column not in mapping and not v.is_blank(value)}
    result.record = PlacementRecord(national_id=resident.number, birth_date=resident.birth_date,
                                    gender=resident.gender, extra=extra, **parsed)
    return result


@lru_cache(maxsize=32)
def _plan(mapping_items: tuple[tuple[str, str], ...]):
    """``(field → column, [(field, column, parser)])`` for the mapped fields and every required field."""
    column_of = {name: column for column, name in mapping_items}
    plan = [(name, column_of.get(name), parser) for name, parser in PARSERS.items()
            if name in column_of or name in REQUIRED_FIELDS]
    return column_of, plan


def _cross_checks(parsed: dict[str, Any], column_of: dict[str, str], result: RowResult, today: dt.date) -> None:
    def problem(name, code, message, value):
        result.errors.append(FieldProblem(name, column_of.get(name), code, message, value))

    loan, due = parsed.get("loan_date"), parsed.get("due_date")
    dpd = parsed.get("dpd")
    if loan and dpd is not None and loan > today - dt.timedelta(days=dpd):
        problem("dpd", "dpd_before_loan", format_lazy(
            _("逾期天数 {dpd} 天意味着 {since} 起逾期，早于放款日期 {loan}"), dpd=dpd,
            since=(today - dt.timedelta(days=dpd)).isoformat(), loan=loan.isoformat()), str(dpd))
    overdue, remaining = parsed.get("overdue_principal"), parsed.get("remaining_principal")
    if overdue is not None and remaining is not None and overdue > remaining:
        problem("overdue_principal", "overdue_above_remaining", format_lazy(
            _("逾期本金 {overdue} 大于剩余本金 {remaining}"), overdue=overdue, remaining=remaining), str(overdue))
    amount = parsed.get("contract_amount")
    if amount is not None and amount <= 0:
        problem("contract_amount", "contract_amount_zero", _("合同金额必须大于 0"), str(amount))
    if (parsed.get("product") == "online_loan" and amount is not None and remaining is not None
            and remaining > amount):
        problem("remaining_principal", "remaining_above_contract", format_lazy(
            _("剩余本金 {remaining} 大于合同金额 {amount}"), remaining=remaining, amount=amount), str(remaining))
    if loan and due and loan > due:
        result.errors.append(FieldProblem("due_date", column_of.get("due_date"), "due_before_loan", format_lazy(
            _("应还日期 {due} 早于放款日期 {loan}"), due=due.isoformat(), loan=loan.isoformat()), due.isoformat()))
    placed, returned = parsed.get("placed_on"), parsed.get("return_on")
    if placed and returned and returned < placed:
        result.errors.append(FieldProblem("return_on", column_of.get("return_on"), "return_before_placement",
                                          format_lazy(_("退案日期 {ret} 早于委案日期 {placed}"),
                                                      ret=returned.isoformat(), placed=placed.isoformat()),
                                          returned.isoformat()))


class ParsedFile:
    """An opened placement file: header facts up front, then an iterator of :class:`RowResult`."""

    def __init__(self, table: Table, profile: MappingProfile | None, today: dt.date):
        self.table = table
        self.today = today
        self.mapping, self.unknown_columns = match_header(table.headers, profile)
        self.unknown_columns = [c for c in self.unknown_columns if not c.startswith("(column ")]
        self._seen: dict[str, int] = {}
        self._rows = self._results()

    sheet = property(lambda self: self.table.sheet)
    header_row = property(lambda self: self.table.header_row)
    headers = property(lambda self: self.table.headers)
    encoding = property(lambda self: self.table.encoding)
    delimiter = property(lambda self: self.table.delimiter)
    format = property(lambda self: self.table.format)
    skipped_sheets = property(lambda self: self.table.skipped_sheets)

    def _results(self) -> Iterator[RowResult]:
        for raw in self.table.rows:
            result = parse_placement_row(raw, self.mapping, today=self.today)
            if result.ok:
                reference = result.record.account_reference
                result.duplicate_of_row = self._seen.get(reference)
                self._seen[reference] = raw.row_number
            yield result

    def __iter__(self) -> "ParsedFile":
        return self

    def __next__(self) -> RowResult:
        return next(self._rows)


def parse_file(path: str | Path, *, today: dt.date, encoding: str | None = None,
               profile: MappingProfile | None = None) -> ParsedFile:
    """Open a placement file and stream its row results.

    Raises :class:`~concord.imports.readers.FileRejected` immediately when the file cannot be read or has no
    recognisable header row (and later, while iterating, if the file turns out to be truncated).
    """
    return ParsedFile(open_table(path, encoding=encoding, profile=profile), profile, today)
