"""Benchmark of placement-file imports: generate a realistic file, import it, print the figures.

    .venv/bin/python benchmarks/imports.py --rows 100000                     # SQLite in a temporary directory
    .venv/bin/python benchmarks/imports.py --rows 100000 --postgres postgres://postgres@127.0.0.1:5432/concord_bench

The file is a UTF-8 CSV with the default Chinese headers: valid resident IDs (about 3% of the people appear twice,
with another account), mobiles, emergency contacts, addresses, employers, amounts written like ``¥12,000.00``,
dates in mixed forms, and about 1% bad rows (checksum errors, missing amounts, unknown products). The database is
created fresh (the PostgreSQL database named in the URL is dropped and created again). Full validation is on.
Prints rows/s for parsing alone and for the whole import, and the peak memory of the process.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADERS = ["姓名", "身份证号", "手机号", "借据号", "产品", "合同金额", "年利率", "期数", "还款方式", "放款日期",
           "逾期天数", "逾期本金", "逾期利息", "罚息", "剩余本金", "家庭住址", "工作单位", "紧急联系人",
           "紧急联系人电话", "紧急联系人关系", "委案日期", "退案日期"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
REGIONS = ["110105", "310101", "440106", "330106", "320102", "510104", "420102", "610113", "370102", "500103"]
RELATIONS = ["父亲", "母亲", "配偶", "朋友", "同事", "兄弟", "姐妹"]
METHODS = ["等额本息", "等额本金", "先息后本", "一次性还本付息"]


def resident_id(rng: random.Random) -> str:
    from stdnum.cn import ric

    body = f"{rng.choice(REGIONS)}{rng.randrange(1960, 2003)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}" \
           f"{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def write_file(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    people: list[tuple[str, str]] = []
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADERS)
        for i in range(rows):
            if people and rng.random() < 0.03:
                name, rid = rng.choice(people)
            else:
                name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
                rid = resident_id(rng)
                people.append((name, rid))
                if len(people) > 5000:
                    people.pop(0)
            card = rng.random() < 0.4
            amount = rng.choice([3000, 5000, 8000, 12000, 20000, 50000]) * (1 if card else rng.choice((1, 2)))
            dpd = rng.choice([rng.randrange(1, 30), rng.randrange(30, 90), rng.randrange(90, 360)])
            overdue = round(amount * rng.uniform(0.05, 0.4), 2)
            remaining = max(overdue, round(amount * rng.uniform(0.3, 1.0), 2))
            row = [name, rid, f"1{rng.choice('3578')}{rng.randrange(10**9):09d}", f"L{seed}{i:09d}",
                   "信用卡" if card else "网贷", f"¥{amount:,.2f}", f"{rng.choice([7.2, 12, 18, 23.9])}%",
                   "" if card else str(rng.choice([6, 12, 24, 36])), "" if card else rng.choice(METHODS),
                   rng.choice(["2024/3/5", "2024-06-18", "2024年9月1日", "20250110"]), str(dpd), f"{overdue:.2f}",
                   f"{overdue * 0.08:.2f}", f"{overdue * 0.02:.2f}", f"{remaining:.2f}",
                   f"某市某区某路{rng.randrange(1, 999)}号", rng.choice(["某某科技有限公司", "某某商贸公司", "", ""]),
                   rng.choice(SURNAMES) + rng.choice(GIVEN), f"139{rng.randrange(10**8):08d}",
                   rng.choice(RELATIONS), "2026-11-01", "2027-01-31"]
            bad = rng.random()
            if bad < 0.004:
                row[1] = row[1][:-1] + ("0" if row[1][-1] != "0" else "1")  # checksum error
            elif bad < 0.007:
                row[5] = ""
            elif bad < 0.01:
                row[4] = "车贷"
            out.writerow(row)


def setup_django(postgres: str | None, data_dir: Path) -> None:
    os.environ["CONCORD_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("CONCORD_PII_KEY", "q2VhZ5a9oQm1n8kYtqWv0x3Zr7cLb4Gd6Hf2Je9KsPU=")
    if postgres:
        import psycopg

        base, name = postgres.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = postgres
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "concord.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", help="PostgreSQL URL of a scratch database (dropped and created again)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="concord-bench-"))
    path = work / "placements.csv"
    t0 = time.perf_counter()
    write_file(path, args.rows, args.seed)
    print(f"file: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB, written in {time.perf_counter() - t0:.1f} s")
    setup_django(args.postgres, work)
    from django.db import connection
    from django.utils import timezone

    from concord.creditors.services import add_creditor
    from concord.imports import services
    from concord.imports.rows import parse_file

    t0 = time.perf_counter()
    parsed = sum(1 for _ in parse_file(path, today=timezone.localdate()))
    parse_s = time.perf_counter() - t0
    print(f"parse and validate only: {parsed:,} rows in {parse_s:.1f} s = {parsed / parse_s:,.0f} rows/s")

    creditor = add_creditor(None, code="bench", name="基准测试平台", kind="platform", policy_pack="cn_online_lending")
    t0 = time.perf_counter()
    batch = services.import_file("benchmark", creditor=creditor, kind="placements", path=path)
    total_s = time.perf_counter() - t0
    s = batch.summary
    print(f"import into {connection.vendor}: {s['rows']:,} rows in {total_s:.1f} s = {s['rows'] / total_s:,.0f} rows/s "
          f"(created {s['created']:,}, updated {s['updated']:,}, unchanged {s['unchanged']:,}, "
          f"rejected {s['rejected']:,}, warnings {s['warnings']:,})")
    print(f"projected for 1,000,000 rows: {total_s * 1_000_000 / max(s['rows'], 1):.0f} s")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
