"""Realistic placement files, for the demo and the import benchmark.

:func:`placement_rows` yields rows under :data:`HEADERS` (the default Chinese headers): valid resident IDs (about 3%
of the people appear twice, with another account), mobiles, emergency contacts, addresses, employers, amounts
written like ``¥12,000.00``, dates in mixed forms — and, at ``bad_rate``, rows a creditor really sends wrong (an ID
check digit off, an amount missing, a product the creditor does not have). Deterministic for a seed.
"""
from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Iterator

from stdnum.cn import ric

HEADERS = ["姓名", "身份证号", "手机号", "借据号", "产品", "合同金额", "年利率", "期数", "还款方式", "放款日期",
           "逾期天数", "逾期本金", "逾期利息", "罚息", "剩余本金", "家庭住址", "工作单位", "紧急联系人",
           "紧急联系人电话", "紧急联系人关系", "委案日期", "退案日期"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
REGIONS = ["110105", "310101", "440106", "330106", "320102", "510104", "420102", "610113", "370102", "500103"]
RELATIONS = ["父亲", "母亲", "配偶", "朋友", "同事", "兄弟", "姐妹"]
METHODS = ["等额本息", "等额本金", "先息后本", "一次性还本付息"]


def resident_id(rng: random.Random) -> str:
    body = (f"{rng.choice(REGIONS)}{rng.randrange(1960, 2003)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
            f"{rng.randrange(1000):03d}")
    return body + ric.calc_check_digit(body + "0")


def placement_rows(count: int, *, seed: int = 7, bad_rate: float = 0.01, prefix: str = "L",
                   products: tuple[str, ...] = ("信用卡", "网贷")) -> Iterator[list[str]]:
    rng = random.Random(seed)
    people: list[tuple[str, str]] = []
    for i in range(count):
        if people and rng.random() < 0.03:
            name, rid = rng.choice(people)
        else:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            rid = resident_id(rng)
            people.append((name, rid))
            if len(people) > 5000:
                people.pop(0)
        product = rng.choice(products)
        card = product == "信用卡"
        amount = rng.choice([3000, 5000, 8000, 12000, 20000, 50000]) * (1 if card else rng.choice((1, 2)))
        dpd = rng.choice([rng.randrange(1, 30), rng.randrange(30, 90), rng.randrange(90, 360)])
        overdue = round(amount * rng.uniform(0.05, 0.4), 2)
        remaining = max(overdue, round(amount * rng.uniform(0.3, 1.0), 2))
        row = [name, rid, f"1{rng.choice('358')}{rng.randrange(10**9):09d}", f"{prefix}{seed}{i:09d}", product,
               f"¥{amount:,.2f}", f"{rng.choice([7.2, 12, 18, 23.9])}%", "" if card else str(rng.choice([6, 12, 24])),
               "" if card else rng.choice(METHODS), rng.choice(["2024/3/5", "2024-06-18", "2024年9月1日", "20250110"]),
               str(dpd), f"{overdue:.2f}", f"{overdue * 0.08:.2f}", f"{overdue * 0.02:.2f}", f"{remaining:.2f}",
               f"某市某区某路{rng.randrange(1, 999)}号", rng.choice(["某某科技有限公司", "某某商贸公司", "", ""]),
               rng.choice(SURNAMES) + rng.choice(GIVEN), f"139{rng.randrange(10**8):08d}", rng.choice(RELATIONS),
               "2026-11-01", "2027-01-31"]
        bad = rng.random()
        if bad < bad_rate * 0.4:
            row[1] = row[1][:-1] + ("0" if row[1][-1] != "0" else "1")  # check digit off
        elif bad < bad_rate * 0.7:
            row[5] = ""  # contract amount missing
        elif bad < bad_rate:
            row[4] = "车贷"  # a product the creditor does not have
        yield row


def write_csv(path: Path, rows, *, encoding: str = "utf-8-sig", headers=HEADERS) -> Path:
    with Path(path).open("w", encoding=encoding, newline="") as fh:
        out = csv.writer(fh)
        out.writerow(headers)
        out.writerows(rows)
    return Path(path)


def write_xlsx(path: Path, rows, *, title: str = "", sheet: str = "委案明细", headers=HEADERS) -> Path:
    """An XLSX file as creditors send it: a title row above the header, IDs and references as text."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    if title:
        ws.append([title])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    book.save(path)
    return Path(path)
