"""Open a creditor file (CSV or XLSX), find its header row and stream its data rows.

- CSV: the encoding is detected by decoding the whole file strictly, streaming — UTF-16 (by its BOM), then
  UTF-8 (with or without BOM), then GB18030 (a superset of GBK); ``encoding=`` overrides the detection. The
  delimiter (``,`` ``;`` tab ``|``) is the one under which a header row is recognised.
- XLSX: read with openpyxl in read-only mode (streaming) with ``data_only=True``: formulas are never
  evaluated by Concord (a formula cell gives the value Excel cached, or nothing when no value was cached), and
  text that looks like a formula (``=1+1``, ``@SUM(A1)``) stays plain text. The data sheet is the first sheet
  whose header row is recognised.

The header row is the first of the first :data:`HEADER_SCAN_ROWS` rows that the mapping profile recognises
(title rows, merged or not, may sit above it). Each data row is yielded as a :class:`RawRow` whose
``row_number`` is the number a spreadsheet shows (title and header rows counting); blank rows are skipped.

A file that cannot be read, or has no recognisable header row, raises :class:`FileRejected` with one
clear sentence. Pure: no database.
"""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from concord.imports.mapping import DEFAULT_PROFILE, MappingProfile

HEADER_SCAN_ROWS = 30
DELIMITERS = (",", "\t", ";", "|")
_SAMPLE_BYTES = 256 * 1024
_CHUNK = 1024 * 1024
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other OLE documents)


class FileRejected(Exception):
    """The file as a whole cannot be imported; ``reason`` is one sentence for the user, ``code`` is stable."""

    def __init__(self, code: str, reason):
        super().__init__(code)
        self.code = code
        self.reason = reason

    def __str__(self) -> str:
        return str(self.reason)

    def __reduce__(self):  # rebuilt with its reason when it crosses from the file-reading process
        return type(self), (self.code, self.reason)


@dataclass(frozen=True)
class RawRow:
    """One data row: ``cells`` maps each column header (as written in the file) to the cell value."""

    sheet: str
    row_number: int
    cells: dict[str, Any]


@dataclass
class Table:
    """An opened file: where its header is, what it says, and the data rows (a one-shot iterator)."""

    path: Path
    format: str  # "csv" or "xlsx"
    sheet: str  # "" for CSV
    header_row: int
    headers: list[str]
    rows: Iterator[RawRow]
    encoding: str | None = None
    delimiter: str | None = None
    skipped_sheets: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[RawRow]:
        return self.rows


def open_table(path: str | Path, *, encoding: str | None = None,
               profile: MappingProfile | None = None) -> Table:
    """Open ``path`` and locate its header row; raises :class:`FileRejected`."""
    path = Path(path)
    profile = profile or DEFAULT_PROFILE
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise FileRejected("unreadable", format_lazy(_("文件无法打开：{err}"), err=exc.strerror or exc)) from None
    if not head:
        raise FileRejected("empty", _("文件是空的。"))
    if head.startswith(_OLE_MAGIC) or path.suffix.lower() == ".xls":
        raise FileRejected("xls_unsupported", _("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后重新上传。"))
    if head.startswith(_XLSX_MAGIC) or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _open_xlsx(path, profile)
    return _open_csv(path, encoding, profile)


def read_rows(path: str | Path, *, encoding: str | None = None,
              profile: MappingProfile | None = None) -> Iterator[RawRow]:
    """Stream the data rows of ``path`` (see :func:`open_table`)."""
    return open_table(path, encoding=encoding, profile=profile).rows


# --- shared -----------------------------------------------------------------------------------------------

def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _headers(cells: Iterable[Any]) -> list[str]:
    """Header names, unique: a blank header becomes ``(column F)``, a repeated one ``手机号 (2)``."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(cells):
        text = "" if cell is None else str(cell).replace("\ufeff", "").strip()
        if not text:
            text = f"(column {_column_letter(index)})"
        if text in seen:
            seen[text] += 1
            text = f"{text} ({seen[text]})"
        else:
            seen[text] = 1
        names.append(text)
    while names and names[-1].startswith("(column "):
        names.pop()
    return names


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cells(headers: list[str], values: tuple | list) -> dict[str, Any]:
    cells = {}
    for index, value in enumerate(values):
        if index < len(headers):
            cells[headers[index]] = value
        elif not _blank(value):  # data beyond the last header: kept, not lost
            cells[f"(column {_column_letter(index)})"] = value
    return cells


def _find_header(rows: Iterable[tuple[int, list]], profile: MappingProfile):
    """``(row_number, values, best_missing)``: the header row, or ``None`` and the required fields missing from
    the most header-like row (for the rejection message)."""
    best: tuple[int, list[str]] | None = None
    for number, values in rows:
        if number > HEADER_SCAN_ROWS:
            break
        if profile.is_header_row(values):
            return number, values, None
        recognised = {profile.field_for(v) for v in values if isinstance(v, str)} - {None}
        if len(recognised) >= 2:
            missing = profile.missing_required(values)
            if best is None or len(recognised) > best[0]:
                best = (len(recognised), missing)
    return None, None, (best[1] if best else None)


def _no_header(missing: list[str] | None, profile: MappingProfile, where: str = ""):
    catalogue = profile.catalogue
    if missing:
        labels = "、".join(str(catalogue.label(f)) for f in missing)
        return FileRejected("missing_columns", format_lazy(
            _("{where}表头缺少必需的列：{labels}。"), where=where, labels=labels))
    if catalogue.kind == "placements":
        return FileRejected("no_header", format_lazy(
            _("{where}前 {n} 行中没有可识别的表头行（须包含 姓名、身份证号、借据号、产品、合同金额 等列）。"),
            where=where, n=HEADER_SCAN_ROWS))
    needed = [*catalogue.required, *("|".join(group) for group in catalogue.one_of)]
    return FileRejected("no_header", format_lazy(
        _("{where}前 {n} 行中没有可识别的表头行（须包含 {labels} 等列）。"), where=where, n=HEADER_SCAN_ROWS,
        labels="、".join(str(catalogue.label(f)) for f in needed)))


# --- CSV --------------------------------------------------------------------------------------------------

def _decodes(path: Path, encoding: str) -> str | None:
    """``"strict"`` when the whole file decodes, ``"replace"`` when only a character cut off at the very end
    does not (a truncated file: its complete rows are still read), ``None`` when it is not this encoding."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
    except (UnicodeDecodeError, UnicodeError):
        return None
    try:
        decoder.decode(b"", final=True)
    except (UnicodeDecodeError, UnicodeError):
        return "replace"
    return "strict"


def detect_encoding(path: str | Path) -> str:
    """``utf-16`` (by BOM), ``utf-8-sig`` or ``gb18030``: the first that decodes the whole file strictly."""
    return _detect_encoding(Path(path))[0]


def _detect_encoding(path: Path) -> tuple[str, str]:
    with path.open("rb") as fh:
        head = fh.read(4)
    candidates = ["utf-16"] if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else []
    candidates += ["utf-8-sig", "gb18030"]
    for encoding in candidates:
        errors = _decodes(path, encoding)
        if errors:
            return encoding, errors
    raise FileRejected("encoding", _("无法识别文件编码（不是 UTF-8，也不是 GBK/GB18030）；请另存为 UTF-8 编码的 CSV。"))


def _open_csv(path: Path, encoding: str | None, profile: MappingProfile) -> Table:
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise FileRejected("encoding", format_lazy(_("未知的文件编码：{enc}。"), enc=encoding)) from None
        errors = _decodes(path, encoding)
        if not errors:
            raise FileRejected("encoding", format_lazy(_("文件不是 {enc} 编码，请检查所选编码。"), enc=encoding))
    else:
        encoding, errors = _detect_encoding(path)
    with path.open("r", encoding=encoding, errors=errors, newline="") as fh:
        sample = fh.read(_SAMPLE_BYTES)
    if "\x00" in sample:
        raise FileRejected("binary", _("文件不是文本格式的 CSV（含有二进制内容），请上传 CSV 或 XLSX 文件。"))
    if len(sample) == _SAMPLE_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # do not judge a cut-off last line
    found = None
    best_missing = None
    for delimiter in DELIMITERS:
        try:
            records = list(_numbered(csv.reader(io.StringIO(sample), delimiter=delimiter)))
        except csv.Error:
            continue
        number, values, missing = _find_header(records, profile)
        if number is not None:
            width = sum(1 for v in values if v.strip())
            if found is None or width > found[2]:
                found = (delimiter, number, width, values)
        elif missing and (best_missing is None or len(missing) < len(best_missing)):
            best_missing = missing
    if found is None:
        raise _no_header(best_missing, profile)
    delimiter, header_number, _width, values = found
    headers = _headers(values)
    return Table(path=path, format="csv", sheet="", header_row=header_number, headers=headers,
                 rows=_csv_rows(path, encoding, errors, delimiter, header_number, headers),
                 encoding=encoding, delimiter=delimiter)


def _numbered(reader) -> Iterator[tuple[int, list]]:
    for number, values in enumerate(reader, start=1):
        yield number, values


def _csv_rows(path: Path, encoding: str, errors: str, delimiter: str, header_number: int, headers: list[str]):
    with path.open("r", encoding=encoding, errors=errors, newline="") as fh:
        try:
            for number, values in _numbered(csv.reader(fh, delimiter=delimiter)):
                if number <= header_number or all(_blank(v) for v in values):
                    continue
                yield RawRow("", number, _cells(headers, values))
        except csv.Error as exc:
            raise FileRejected("csv_error", format_lazy(_("CSV 文件格式错误（第 {n} 行附近）：{err}"),
                                                        n=number + 1, err=exc)) from None


# --- XLSX -------------------------------------------------------------------------------------------------

def _load_workbook(path: Path):
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise FileRejected("xlsx_unsupported", _("服务器未安装 openpyxl，无法读取 XLSX 文件。")) from None
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        raise FileRejected("unreadable", _("文件无法读取：不是有效的 XLSX 文件（可能已损坏或被截断）。")) from exc
    except Exception as exc:  # openpyxl raises its own exceptions for malformed parts
        raise FileRejected("unreadable", _("文件无法读取：不是有效的 XLSX 文件（可能已损坏或被截断）。")) from exc


def _sheet_rows(sheet) -> Iterator[tuple[int, tuple]]:
    sheet.reset_dimensions()  # some writers record a wrong sheet size; read what is there
    for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
        yield number, values


def _open_xlsx(path: Path, profile: MappingProfile) -> Table:
    workbook = _load_workbook(path)
    skipped: list[str] = []
    best_missing = None
    try:
        for sheet in workbook.worksheets:
            rows = _sheet_rows(sheet)
            number, values, missing = _find_header(rows, profile)
            if number is None:
                skipped.append(sheet.title)
                if missing and (best_missing is None or len(missing) < len(best_missing)):
                    best_missing = missing
                continue
            headers = _headers(values)
            return Table(path=path, format="xlsx", sheet=sheet.title, header_row=number, headers=headers,
                         rows=_xlsx_rows(workbook, sheet.title, rows, headers), skipped_sheets=skipped)
    except FileRejected:
        workbook.close()
        raise
    except Exception as exc:
        workbook.close()
        raise FileRejected("unreadable", _("文件无法读取：不是有效的 XLSX 文件（可能已损坏或被截断）。")) from exc
    workbook.close()
    if not skipped:
        raise FileRejected("no_sheets", _("XLSX 文件中没有工作表。"))
    raise _no_header(best_missing, profile, where=_("所有工作表的") if len(skipped) > 1 else "")


def _xlsx_rows(workbook, title: str, rows: Iterator[tuple[int, tuple]], headers: list[str]) -> Iterator[RawRow]:
    """Continue the sheet's row stream after the header row."""
    last = 0
    try:
        for last, values in rows:
            if all(_blank(v) for v in values):
                continue
            yield RawRow(title, last, _cells(headers, values))
    except Exception as exc:
        raise FileRejected("unreadable", format_lazy(
            _("XLSX 文件在第 {n} 行之后无法继续读取（可能已损坏或被截断）。"), n=last)) from exc
    finally:
        workbook.close()
