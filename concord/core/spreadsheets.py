"""Writing rows out as CSV or XLSX that a spreadsheet cannot turn into a formula.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab/carriage return before one) would be read by
Excel or WPS as a formula — the classic CSV injection. :func:`neutralise` prefixes such text with an apostrophe,
which spreadsheets show as plain text; numbers stay numbers. XLSX cells are also written with an explicit
string type, so even an un-neutralised value is never a formula there.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*%?")


def neutralise(value: Any) -> Any:
    """The value, with text that a spreadsheet would evaluate prefixed by ``'`` (a plain signed number such as
    ``-5`` is left alone: it is read as the number it is)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime, Decimal, int, float)) and not isinstance(value, bool):
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)
    return neutralise(str(value))


class TableWriter:
    """Streams rows to a CSV (given encoding and delimiter) or an XLSX file (one sheet, write-only mode)."""

    def __init__(self, path: Path, fmt: str, headers: list[str], *, encoding: str = "utf-8-sig",
                 delimiter: str = ",", sheet: str = "Sheet1"):
        self.path, self.format = Path(path), fmt
        self.rows = 0
        if fmt == "xlsx":
            from openpyxl import Workbook

            self._book = Workbook(write_only=True)
            self._sheet = self._book.create_sheet(title=(sheet or "Sheet1")[:31])
        else:
            self._fh = self.path.open("w", encoding=encoding, errors="replace", newline="")
            self._csv = csv.writer(self._fh, delimiter=delimiter or ",", lineterminator="\r\n")
        self.write(headers)
        self.rows = 0

    def write(self, values: Iterable[Any]) -> None:
        self.rows += 1
        if self.format == "xlsx":
            from openpyxl.cell import WriteOnlyCell

            cells = []
            for value in values:
                if isinstance(value, Decimal):
                    value = float(value) if value == value.quantize(Decimal("0.01")) else str(value)
                cell = WriteOnlyCell(self._sheet, value=neutralise(value) if isinstance(value, str) else value)
                if isinstance(value, str):
                    cell.data_type = "s"
                cells.append(cell)
            self._sheet.append(cells)
        else:
            self._csv.writerow([csv_cell(v) for v in values])

    def close(self) -> Path:
        if self.format == "xlsx":
            self._book.save(self.path)
        else:
            self._fh.close()
        return self.path
