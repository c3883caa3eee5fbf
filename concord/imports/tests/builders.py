"""Build placement files on the fly for the import tests."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from concord.conftest import resident_id

HEADERS = ["姓名", "身份证号", "手机号", "借据号", "产品", "合同金额", "年利率", "期数", "还款方式", "放款日期",
           "应还日期", "逾期天数", "紧急联系人电话"]
ID_1 = resident_id("110105", "19900101", 123)
ID_2 = resident_id("310101", "19851212", 222)


def row(**overrides) -> dict:
    values = {"姓名": "张三", "身份证号": ID_1, "手机号": "13812348000", "借据号": "L0001", "产品": "网贷",
              "合同金额": "￥12,000.00", "年利率": "16.5%", "期数": "12", "还款方式": "等额本息",
              "放款日期": "2025-06-01", "应还日期": "2026-01-05", "逾期天数": "30",
              "紧急联系人电话": "13912345678"}
    values.update(overrides)
    return values


def rows_matrix(rows: list[dict], headers: list[str] = HEADERS) -> list[list]:
    return [list(headers)] + [[r.get(h, "") for h in headers] for r in rows]


def write_csv(path: Path, matrix: list[list], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(matrix)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list]], *, text_cells: bool = True) -> Path:
    """Each sheet is a matrix of values; strings that look like formulas are written as text cells."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, matrix in sheets.items():
        sheet = workbook.create_sheet(title)
        for r, values in enumerate(matrix, start=1):
            for c, value in enumerate(values, start=1):
                if value is None or value == "":
                    continue
                cell = sheet.cell(row=r, column=c, value=value)
                if text_cells and isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"
    workbook.save(path)
    return path
