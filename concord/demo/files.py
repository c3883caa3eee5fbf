"""Sample creditor files for trying the imports in the demo (written next to the demo database).

A GBK placement CSV and an XLSX placement file with a title row (each with a few rows a creditor really sends
wrong), and a payments, a contact-repair and a recall file that refer to the accounts of the CSV — so that importing
them in order shows every outcome: created, updated, unchanged, rejected with the reason, and the unmatched queue.
"""
from __future__ import annotations

import csv
import random
from pathlib import Path

from stdnum.cn import ric

from concord.imports.samples import placement_rows, write_csv, write_xlsx


def _write(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(headers)
        out.writerows(rows)
    return path


def write_demo_files(directory: Path, *, seed: int = 7) -> list[tuple[Path, str]]:
    """Write the sample files; returns (path, the command that imports it)."""
    directory.mkdir(parents=True, exist_ok=True)
    loans = list(placement_rows(200, seed=seed, bad_rate=0.05, prefix="JXD", products=("网贷",)))
    cards = list(placement_rows(120, seed=seed + 1, bad_rate=0.05, prefix="HSD", products=("信用卡",)))
    files = [
        (write_csv(directory / "jiexin-placements-gbk.csv", loans, encoding="gb18030"), "placements", "jiexin"),
        (write_xlsx(directory / "hsbank-placements.xlsx", cards, title="华盛银行信用卡中心 委外催收清单"),
         "placements", "hsbank"),
    ]
    rng = random.Random(seed)
    good = [r for r in loans if ric.is_valid(r[1]) and r[5] and r[4] == "网贷"]  # the rows that land
    payments = [[r[3], f"{rng.choice([200, 500, 1000, 1500]):.2f}", "2026-11-20 10:15:00", f"JXPAY{i:05d}",
                 rng.choice(["支付宝", "微信", "银行转账"])] for i, r in enumerate(good[:20])]
    payments.append(["JXD-UNKNOWN-1", "300.00", "2026-11-21", "JXPAY99999", "支付宝"])  # waits for matching
    files.append((_write(directory / "jiexin-payments.csv", ["借据号", "还款金额", "还款日期", "交易流水号", "还款渠道"],
                         payments), "payments", "jiexin"))
    contacts = [[r[1], "手机", f"1{rng.choice('358')}{rng.randrange(10**9):09d}"] for r in good[20:30]]
    files.append((_write(directory / "jiexin-contacts.csv", ["身份证号", "联系方式类型", "联系方式"], contacts),
                  "contacts", "jiexin"))
    recalls = [[r[3], "2026-11-25", "委托方提前收回"] for r in good[30:35]]
    files.append((_write(directory / "jiexin-recalls.csv", ["借据号", "退案日期", "退案原因"], recalls),
                  "recalls", "jiexin"))
    return [(path, f"concord import {kind} {path} --creditor {code}") for path, kind, code in files]
