"""Benchmark of placement-file imports: generate a realistic file, import it, print the figures.

    .venv/bin/python benchmarks/imports.py --rows 100000                     # SQLite in a temporary directory
    .venv/bin/python benchmarks/imports.py --rows 100000 --postgres postgres://postgres@127.0.0.1:5432/concord_bench

The file is a UTF-8 CSV with the default Chinese headers: valid resident IDs (about 3% of the people appear twice,
with another account), mobiles, emergency contacts, addresses, employers, amounts written like ``¥12,000.00``,
dates in mixed forms, and about 1% bad rows (checksum errors, missing amounts, unknown products). The database is
created fresh (the PostgreSQL database named in the URL is dropped and created again). Full validation is on.
Prints rows/s for parsing alone (the first 100,000 rows, in one process) and for the whole import, the CPU time of the
importing process and of the process that reads the file (see ``CONCORD_IMPORTS_PARSER_PROCESS_BYTES``), and the peak
memory of the importing process.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cpu_time  # noqa: E402  (this script's directory)

PARSE_SAMPLE = 100_000  # rows timed for parsing alone


def write_file(path: Path, rows: int, seed: int) -> None:
    from concord.imports.samples import placement_rows, write_csv

    write_csv(path, placement_rows(rows, seed=seed))


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
    os.environ.setdefault("CONCORD_DEV_KEYS", "1")  # a benchmark runs on development keys
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

    from concord.core import clock
    from concord.creditors.services import add_creditor
    from concord.imports import services
    from concord.imports.rows import parse_file

    t0 = time.perf_counter()
    parsed = sum(1 for _ in islice(parse_file(path, today=clock.today()), PARSE_SAMPLE))
    parse_s = time.perf_counter() - t0
    print(f"parse and validate only (first {parsed:,} rows, one process): {parse_s:.1f} s = "
          f"{parsed / parse_s:,.0f} rows/s")

    creditor = add_creditor(None, code="bench", name="基准测试平台", kind="platform", policy_pack="cn_online_lending")
    cpu_self, cpu_children = cpu_time.of(), cpu_time.of(resource.RUSAGE_CHILDREN)
    server = cpu_time.backend()
    t0 = time.perf_counter()
    batch = services.import_file("benchmark", creditor=creditor, kind="placements", path=path)
    total_s = time.perf_counter() - t0
    cpu_self, cpu_children = cpu_time.of() - cpu_self, cpu_time.of(resource.RUSAGE_CHILDREN) - cpu_children
    server = cpu_time.backend() - server if server is not None else None
    s = batch.summary
    print(f"import into {connection.vendor}: {s['rows']:,} rows in {total_s:.1f} s = {s['rows'] / total_s:,.0f} rows/s "
          f"(created {s['created']:,}, updated {s['updated']:,}, unchanged {s['unchanged']:,}, "
          f"rejected {s['rejected']:,}, warnings {s['warnings']:,})")
    print(f"projected for 1,000,000 rows: {total_s * 1_000_000 / max(s['rows'], 1):.0f} s")
    on_server = f", database server process {server:.1f} s" if server is not None else ""
    print(f"CPU: importing process {cpu_self:.1f} s, file-reading process {cpu_children:.1f} s{on_server} "
          f"(wall {total_s:.1f} s, {os.cpu_count()} cores)")
    print(f"peak memory: importing process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, "
          f"file-reading process {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
