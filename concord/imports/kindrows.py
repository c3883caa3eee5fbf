"""Rows of the files other than placements (payments, recalls, contact repairs): the shared parsing frame.

A kind describes its rows with a :class:`RowSpec`: the parser of each field and a ``build`` function that
checks the fields together and returns the typed record (or adds errors). :func:`parse_row` turns one
:class:`~concord.imports.readers.RawRow` into a :class:`~concord.imports.rows.RowResult` — every problem names
the field, the column as written in the file, a stable code and a reason — and :class:`KindFile` streams a whole
file the way :class:`concord.imports.rows.ParsedFile` does for placements, so
:mod:`concord.imports.services` runs every kind the same way.

Pure: no database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import values as v
from .mapping import Catalogue, MappingProfile, default_profile
from .readers import RawRow, Table, open_table
from .rows import FieldProblem, RowResult

Parser = Callable[[Any, dt.date], Any]


@dataclass(frozen=True)
class RowSpec:
    catalogue: Catalogue
    parsers: dict[str, Parser]  # field → parser(value, today); fields not listed are kept as text
    # (parsed fields, the row so far, field → column, today) → record, or None after adding errors to the row
    build: Callable[[dict[str, Any], RowResult, dict[str, str], dt.date], Any]


def problem(result: RowResult, column_of: dict[str, str], name: str, code: str, message, value: Any = "",
            *, warning: bool = False) -> None:
    """Add an error (or a warning) on field ``name`` of the row."""
    issue = FieldProblem(name, column_of.get(name), code, message, v.clean_text(value))
    (result.warnings if warning else result.errors).append(issue)


def parse_row(raw: RawRow, mapping: dict[str, str], spec: RowSpec, *, today: dt.date) -> RowResult:
    """Check and normalise one row of a kind; ``mapping`` is column header → field."""
    result = RowResult(sheet=raw.sheet, row_number=raw.row_number, cells=raw.cells)
    catalogue = spec.catalogue
    column_of = {name: column for column, name in mapping.items()}
    parsed: dict[str, Any] = {}
    for name, parser in spec.parsers.items():
        column = column_of.get(name)
        value = raw.cells.get(column) if column is not None else None
        if v.is_blank(value):
            if name in catalogue.required:
                label = catalogue.label(name)
                message = (format_lazy(_("必填项“{label}”为空"), label=label) if column is not None
                           else format_lazy(_("文件中没有“{label}”列"), label=label))
                result.errors.append(FieldProblem(name, column, "required", message))
            continue
        try:
            parsed[name] = parser(value, today)
        except v.ValueProblem as exc:
            result.errors.append(FieldProblem(name, column, exc.code, exc.message, v.clean_text(value)))
    for group in catalogue.one_of:
        if not any(name in parsed for name in group) and not any(p.field in group for p in result.errors):
            first = group[0]
            result.errors.append(FieldProblem(first, column_of.get(first), "required", format_lazy(
                _("“{a}”和“{b}”至少填写一项"), a=catalogue.label(group[0]), b=catalogue.label(group[1]))))
    if result.errors:
        return result
    record = spec.build(parsed, result, column_of, today)
    if record is not None and not result.errors:
        extra = {column: v.clean_text(value) for column, value in raw.cells.items()
                 if column not in mapping and not v.is_blank(value)}
        if hasattr(record, "extra"):
            record.extra.update(extra)
        result.record = record
    return result


class KindFile:
    """An opened file of one kind: header facts up front, then an iterator of :class:`RowResult`."""

    def __init__(self, table: Table, profile: MappingProfile, spec: RowSpec, today: dt.date):
        self.table = table
        self.today = today
        self.spec = spec
        self.mapping, self.unknown_columns = profile.match_header(table.headers)
        self.unknown_columns = [c for c in self.unknown_columns if not c.startswith("(column ")]
        self._rows = (parse_row(raw, self.mapping, spec, today=today) for raw in table.rows)

    sheet = property(lambda self: self.table.sheet)
    header_row = property(lambda self: self.table.header_row)
    headers = property(lambda self: self.table.headers)
    encoding = property(lambda self: self.table.encoding)
    delimiter = property(lambda self: self.table.delimiter)
    format = property(lambda self: self.table.format)
    skipped_sheets = property(lambda self: self.table.skipped_sheets)

    def __iter__(self) -> "KindFile":
        return self

    def __next__(self) -> RowResult:
        return next(self._rows)


def file_parser(spec: RowSpec) -> Callable[..., KindFile]:
    """``parse_file(path, *, today, encoding=None, profile=None)`` for a kind: raises
    :class:`~concord.imports.readers.FileRejected` when the file cannot be used. A profile of another kind is
    refused (its fields mean nothing here)."""
    kind = spec.catalogue.kind

    def parse_file(path: str | Path, *, today: dt.date, encoding: str | None = None,
                   profile: MappingProfile | None = None) -> KindFile:
        profile = profile or default_profile(kind)
        if profile.kind != kind:
            raise ValueError(f"a {profile.kind} mapping profile cannot read a {kind} file")
        return KindFile(open_table(path, encoding=encoding, profile=profile), profile, spec, today)

    return parse_file
