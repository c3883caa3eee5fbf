"""A report as an Excel workbook: one sheet per section, a title row with the period and filters, bold headers on a
fill, frozen header, money with thousands separators and two decimals, rates as percentages, widths to fit."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from concord.core.spreadsheets import neutralise

HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
FORMATS = {"money": "#,##0.00", "rate": "0.00%", "int": "#,##0", "number": "0.00"}


def workbook(title: str, subtitle: str, sections) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    used = set()
    for section in sections:
        name = _sheet_name(str(section.title), used)
        ws = wb.create_sheet(name)
        ws.append([f"{title} · {section.title}"])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([subtitle])
        ws.append([])
        ws.append([str(c.label) for c in section.columns])
        for cell in ws[4]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for row in section.rows:
            ws.append([_value(row.get(c.key), c.kind) for c in section.columns])
        for n, column in enumerate(section.columns, 1):
            fmt = FORMATS.get(column.kind)
            if fmt:
                for (cell,) in ws.iter_rows(min_row=5, min_col=n, max_col=n):
                    cell.number_format = fmt
            width = max([len(str(column.label)) * 2] + [len(str(r.get(column.key, ""))) + 2 for r in section.rows[:500]])
            ws.column_dimensions[get_column_letter(n)].width = min(max(width, 10), 40)
        ws.freeze_panes = "A5"
        if section.note:
            ws.append([])
            ws.append([str(section.note)])
    if not wb.sheetnames:
        wb.create_sheet("-")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _value(value, kind):
    if value is None:
        return None
    if kind == "money":
        return value  # Decimal: written as the number it is
    if kind in ("rate", "int", "number"):
        return int(value) if kind == "int" else float(value)
    return neutralise(str(value))


def _sheet_name(title: str, used: set) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "sheet"
    base, n = name, 2
    while name in used:
        name = f"{base[:25]}-{n}"
        n += 1
    used.add(name)
    return name
