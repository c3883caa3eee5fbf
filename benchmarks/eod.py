"""End-of-day benchmark: synthesise N accounts, write the Parquet snapshot, run the engine, print figures.

    .venv/bin/python benchmarks/eod.py --accounts 1000000 [--engine duckdb|spark] [--seed 7] [--keep DIR]
    .venv/bin/python benchmarks/eod.py --accounts 1000000 --postgres postgres://postgres@127.0.0.1:5432/eod_bench

With ``--postgres URL`` (a dedicated database: its domain tables are emptied): migrate it, load the synthetic book
into the application tables with COPY, then run the database adapter end to end (export, engine, write-back in
one transaction) and print the time per stage; then rerun the same date (idempotent, nothing to write).

Prints time per stage, accounts per second per stage, total, peak memory (RSS of this process; Spark's JVM is
not included), and, on the same snapshot, a hand-written single-query DuckDB baseline of the core account step
(DPD and penalty per account) with the ratio of the engine's account stage to it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from concord.eod import engine, synth  # noqa: E402
from concord.eod.validate import read_snapshot, write_snapshot  # noqa: E402

AS_OF = dt.date(2026, 11, 28)

BASELINE = """
SELECT i.account_id,
       COALESCE(MIN(i.due_date) FILTER (WHERE (i.principal_due_fen > i.principal_paid_fen OR
                i.interest_due_fen > i.interest_paid_fen) AND i.due_date < DATE '{as_of}'), NULL) AS oldest,
       SUM(CASE WHEN (DATE '{as_of}' - i.due_date) > p.grace_days AND
                     (i.principal_due_fen > i.principal_paid_fen OR i.interest_due_fen > i.interest_paid_fen)
                THEN ((i.principal_due_fen - i.principal_paid_fen) * p.penalty_daily_rate_e6 *
                      (DATE '{as_of}' - i.due_date) + 500000) // 1000000 ELSE 0 END) AS penalty
FROM read_parquet('{dir}/instalments.parquet') i
JOIN read_parquet('{dir}/accounts.parquet') a USING (account_id)
JOIN read_parquet('{dir}/products.parquet') p USING (product_id)
GROUP BY i.account_id
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    ap.add_argument("--keep", help="keep the snapshot and results in this directory")
    ap.add_argument("--postgres", help="postgres://… of a dedicated benchmark database: run the database adapter")
    args = ap.parse_args()
    if args.postgres:
        return postgres(args)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="eod-bench-"))
    n = args.accounts

    t = time.perf_counter()
    tables = synth.snapshot(n, seed=args.seed, as_of=AS_OF)
    t_synth = time.perf_counter() - t
    t = time.perf_counter()
    write_snapshot(tables, work / "snapshot")
    t_write = time.perf_counter() - t
    del tables
    print(f"synth {n:,} accounts: {t_synth:.2f} s ({n / t_synth:,.0f} accounts/s); parquet write {t_write:.2f} s")

    t = time.perf_counter()
    snap = read_snapshot(work / "snapshot")
    t_read = time.perf_counter() - t
    print(f"read snapshot: {t_read:.2f} s")
    result = engine.run(snap, AS_OF, engine=args.engine)
    t = time.perf_counter()
    result.write(work / "out")
    t_out = time.perf_counter() - t
    total = t_read + result.summary["seconds"]["total"] + t_out
    print(f"\nengine {args.engine}, {n:,} accounts")
    print(f"{'stage':<14}{'seconds':>10}{'accounts/s':>16}")
    for stage, sec in result.timings.items():
        print(f"{stage:<14}{sec:>10.3f}{(n / sec if sec else 0):>16,.0f}")
    print(f"{'write parquet':<14}{t_out:>10.3f}")
    print(f"{'end to end':<14}{total:>10.3f}{n / total:>16,.0f}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (this process): {peak_mb:,.0f} MB")

    import duckdb

    con = duckdb.connect()
    t = time.perf_counter()
    con.execute(f"CREATE TEMP TABLE b AS {BASELINE.format(as_of=AS_OF, dir=work / 'snapshot')}")
    t_base = time.perf_counter() - t
    acc = result.timings["accounts"]
    print(f"hand-written DuckDB baseline of the core account step: {t_base:.3f} s; "
          f"engine account stage {acc:.3f} s = {acc / t_base:.2f}× the baseline")
    print(f"queue: {result.summary['queue']}; buckets: {result.summary['buckets']}")
    print(f"files in {work}")


def postgres(args) -> None:
    import os

    import psycopg

    url = args.postgres
    base, _, dbname = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
            con.execute(f'CREATE DATABASE "{dbname}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")
    os.environ.setdefault("CONCORD_PII_KEY", "q2VhZ5a9oQm1n8kYtqWv0x3Zr7cLb4Gd6Hf2Je9KsPU=")
    import django

    django.setup()
    from django.core.management import call_command

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from eod_load import load

    from concord.eod.adapter import run_eod

    n = args.accounts
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    snap = synth.snapshot(n, seed=args.seed, as_of=AS_OF)
    print(f"synth {n:,} accounts: {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    counts = load(snap, AS_OF)
    del snap
    print(f"COPY into PostgreSQL: {time.perf_counter() - t:.1f} s ({counts['accounts']:,} accounts, "
          f"{counts['instalments']:,} instalments, {counts['payments']:,} payments, {counts['cases']:,} cases)")
    for label in ("first run", "rerun (same date)"):
        print(f"\nadapter, engine {args.engine}, {label}:")
        t = time.perf_counter()
        run = run_eod(AS_OF, engine_name=args.engine,
                      progress=lambda stage, sec: print(f"  {stage:<13}{sec:>9.3f} s", flush=True))
        total = time.perf_counter() - t
        print(f"  {'end to end':<13}{total:>9.3f} s  ({n / total:,.0f} accounts/s); written: {run.summary['written']}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (this process): {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
