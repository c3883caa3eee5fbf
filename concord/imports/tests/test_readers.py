"""Readers (concord.imports.readers): encodings, delimiters, XLSX sheets and title rows, row numbers."""
import datetime as dt

import pytest

from concord.imports.readers import FileRejected, detect_encoding, open_table, read_rows

from .builders import HEADERS, ID_1, row, rows_matrix, write_csv, write_xlsx


@pytest.mark.parametrize("encoding, expected", [("utf-8", "utf-8-sig"), ("utf-8-sig", "utf-8-sig"),
                                                ("gbk", "gb18030"), ("gb18030", "gb18030"),
                                                ("utf-16", "utf-16")])
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_encodings_and_delimiters(tmp_path, encoding, expected, delimiter):
    path = write_csv(tmp_path / "p.csv", rows_matrix([row(), row(姓名="李四", 借据号="L0002")]),
                     encoding=encoding, delimiter=delimiter)
    table = open_table(path)
    assert (table.encoding, table.delimiter, table.header_row) == (expected, delimiter, 1)
    assert table.headers == HEADERS
    rows = list(table)
    assert [r.row_number for r in rows] == [2, 3]
    assert rows[0].cells["姓名"] == "张三" and rows[1].cells["姓名"] == "李四"
    assert rows[0].cells["合同金额"] == "￥12,000.00"
    assert rows[0].sheet == ""


def test_gbk_detected_and_override(tmp_path):
    path = write_csv(tmp_path / "gbk.csv", rows_matrix([row(家庭住址="北京市朝阳区")]), encoding="gbk")
    assert detect_encoding(path) == "gb18030"
    assert next(read_rows(path, encoding="gbk")).cells["姓名"] == "张三"
    with pytest.raises(FileRejected) as info:
        open_table(path, encoding="utf-8")
    assert info.value.code == "encoding"
    with pytest.raises(FileRejected) as info:
        open_table(path, encoding="no-such-codec")
    assert info.value.code == "encoding"


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_file_truncated_inside_a_character_keeps_its_complete_rows(tmp_path, encoding):
    path = write_csv(tmp_path / "cut.csv", rows_matrix([row(), row(借据号="L0002", 家庭住址="北京市朝阳区")],
                                                         HEADERS + ["家庭住址"]), encoding=encoding)
    data = path.read_bytes().rstrip(b"\r\n")
    path.write_bytes(data[:-1])  # cut the last Chinese character in half
    rows = list(read_rows(path))
    assert [r.cells["借据号"] for r in rows] == ["L0001", "L0002"]
    assert rows[1].cells["家庭住址"].startswith("北京市朝阳") and rows[1].cells["家庭住址"].endswith("\ufffd")


def test_csv_title_rows_blank_rows_and_quoted_newlines_keep_spreadsheet_row_numbers(tmp_path):
    matrix = [["XX银行 2026年6月 委案清单"], [], *rows_matrix([row(), row(借据号="L0002")])]
    matrix.insert(4, ["", "", ""])  # a blank row between the two data rows
    matrix[3][0] = "张\n三"  # a quoted newline stays inside one record
    table = open_table(write_csv(tmp_path / "t.csv", matrix))
    assert table.header_row == 3
    assert [r.row_number for r in table] == [4, 6]


def test_formula_like_text_stays_text_in_csv(tmp_path):
    path = write_csv(tmp_path / "f.csv", rows_matrix([row(姓名="=1+1", 借据号="@SUM(A1)")]))
    cells = next(read_rows(path)).cells
    assert (cells["姓名"], cells["借据号"]) == ("=1+1", "@SUM(A1)")


def test_data_beyond_the_last_header_is_kept(tmp_path):
    matrix = rows_matrix([row()])
    matrix[1] += ["", "extra note"]
    cells = next(read_rows(write_csv(tmp_path / "x.csv", matrix))).cells
    assert cells[f"(column {chr(ord('A') + len(HEADERS) + 1)})"] == "extra note"


@pytest.mark.parametrize("content, code", [
    (b"", "empty"),
    ("just,some,numbers\r\n1,2,3\r\n".encode(), "no_header"),
    ("姓名,身份证号,借据号,产品\r\n张三,1,2,3\r\n".encode(), "missing_columns"),
    (b"abc,\xff\xff\xff\x80\r\n1,2\r\n", "encoding"),
])
def test_rejected_csv(tmp_path, content, code):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(FileRejected) as info:
        open_table(path)
    assert info.value.code == code
    assert str(info.value.reason).strip()


def test_missing_required_column_is_named(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("姓名,身份证号,借据号,产品\r\n张三,1,2,3\r\n", encoding="utf-8")
    with pytest.raises(FileRejected) as info:
        open_table(path)
    assert "合同金额" in str(info.value.reason)


def test_xlsx_title_rows_second_sheet_and_typed_cells(tmp_path):
    data = rows_matrix([
        row(身份证号=ID_1, 合同金额=12000, 年利率=0.165, 期数=12, 放款日期=dt.datetime(2025, 6, 1),
            应还日期=46027, 逾期天数=30),
        row(借据号="L0002", 应还日期=20260105, 手机号=13812348000, 姓名="=HYPERLINK(\"http://x\",\"x\")"),
    ])
    title = [["XX银行信用卡中心 委案清单"], ["批次：2026-06", None, None, "委案日期：2026-06-01"]]
    notes = [["说明"], ["本文件包含 2 条记录"]]
    path = write_xlsx(tmp_path / "p.xlsx", {"说明": notes, "委案明细": title + data})
    from openpyxl import load_workbook  # merge the title row and mark the rate as a percent cell
    workbook = load_workbook(path)
    sheet = workbook["委案明细"]
    sheet.merge_cells("A1:M1")
    sheet.cell(row=4, column=HEADERS.index("年利率") + 1).number_format = "0.00%"
    workbook.save(path)

    table = open_table(path)
    assert (table.format, table.sheet, table.header_row, table.skipped_sheets) == ("xlsx", "委案明细", 3, ["说明"])
    rows = list(table)
    assert [(r.sheet, r.row_number) for r in rows] == [("委案明细", 4), ("委案明细", 5)]
    first, second = rows[0].cells, rows[1].cells
    assert first["合同金额"] == 12000 and first["年利率"] == 0.165 and first["应还日期"] == 46027
    assert first["放款日期"] == dt.datetime(2025, 6, 1)
    assert second["姓名"] == "=HYPERLINK(\"http://x\",\"x\")"  # text, never evaluated


def test_xlsx_id_typed_as_number_arrives_as_a_number(tmp_path):
    path = write_xlsx(tmp_path / "n.xlsx", {"Sheet1": rows_matrix([row(身份证号=int(ID_1))])})
    value = next(read_rows(path)).cells["身份证号"]
    assert isinstance(value, (int, float))


def test_xlsx_without_header_in_any_sheet(tmp_path):
    path = write_xlsx(tmp_path / "h.xlsx", {"A": [["hello"], [1, 2, 3]], "B": [["x", "y"]]})
    with pytest.raises(FileRejected) as info:
        open_table(path)
    assert info.value.code == "no_header"


def test_header_below_the_scan_window_is_not_found(tmp_path):
    matrix = [["title"]] * 30 + rows_matrix([row()])
    with pytest.raises(FileRejected):
        open_table(write_xlsx(tmp_path / "deep.xlsx", {"S": matrix}))


@pytest.mark.parametrize("name, content, code", [
    ("trunc.xlsx", None, "unreadable"),
    ("junk.xlsx", b"PK\x03\x04 this is not a zip", "unreadable"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "xls_unsupported"),
])
def test_rejected_workbooks(tmp_path, name, content, code):
    path = tmp_path / name
    if content is None:  # a real workbook cut in half
        full = write_xlsx(tmp_path / "full.xlsx", {"S": rows_matrix([row()] * 50)}).read_bytes()
        content = full[: len(full) // 2]
    path.write_bytes(content)
    with pytest.raises(FileRejected) as info:
        open_table(path)
    assert info.value.code == code


def test_missing_file_is_rejected(tmp_path):
    with pytest.raises(FileRejected) as info:
        open_table(tmp_path / "nope.csv")
    assert info.value.code == "unreadable"
