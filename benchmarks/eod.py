"""End-of-day benchmark: synthesise N accounts as a Parquet snapshot, run the engine on it, print figures.

    .venv/bin/python benchmarks/eod.py --accounts 1000000 [--engine duckdb|spark] [--seed 7] [--keep DIR]
    .venv/bin/python benchmarks/eod.py --snapshot /tmp/eodsnap/10m [--out DIR]       # an existing snapshot
    .venv/bin/python benchmarks/eod.py --accounts 1000000 --postgres postgres://postgres@127.0.0.1:5432/eod_bench

Snapshot mode (the default) runs the engine as ``concord eod run --snapshot DIR --out DIR`` does: DuckDB reads the
Parquet files and writes the result tables with ``COPY``. The snapshot is written by a child process (its memory
is not counted). ``--rounds N`` (3) alternating rounds on the same files in the same process, each running the
engine and its peers of the account stage: the full hand-written DuckDB baseline (``eod_baseline.py``: the same
outputs as the account stage, every column of ``account_state``, as the tests check), the partial one (DPD and the
raw penalty per account), and the Polars peer (``eod_polars.py``: lazy API, streaming engine, checked equal to the
engine on the varied books). Prints each round, the stages of the last run, end to end, the peak memory (RSS) of
the engine's first run (before any peer ran in this process; Spark's JVM is not included), and the account stage
side by side with each peer: the min over the rounds, and the ratio engine / peer.

With ``--postgres URL`` (a dedicated database: its domain tables are emptied): migrate it, load the synthetic book
into the application tables with COPY, then run the database adapter end to end (export, engine, write-back in
one transaction) and print the time per stage; then rerun the same date (idempotent, nothing to write), then run
the next day on the same book. ``--no-load`` keeps the book (and the runs) already in the database; give
``--as-of`` a date after its last run (the runs are then that date, its rerun, the day after).
"""
from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from concord.eod import engine, synth  # noqa: E402
from concord.eod.validate import snapshot_files  # noqa: E402
import cpu_time  # noqa: E402  (this script's directory)
from eod_baseline import ACCOUNT_STEP, DPD_AND_PENALTY, connect, sql  # noqa: E402  (this script's directory)

AS_OF = dt.date(2026, 11, 28)


def baseline(snapshot: Path, query: str) -> float:
    """Seconds of a hand-written baseline query (its result kept in a temporary table, as the engine keeps its
    stage), on a connection of its own."""
    con = connect()
    t = time.perf_counter()
    con.execute("CREATE TEMP TABLE b AS " + sql(query, snapshot_files(snapshot), AS_OF))
    took = time.perf_counter() - t
    con.close()
    return took


def _write(n: int, seed: int, directory: str) -> None:
    rows = synth.write_snapshot(n, directory, seed=seed, as_of=AS_OF)
    print("  " + ", ".join(f"{k} {v:,}" for k, v in rows.items()), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    ap.add_argument("--keep", help="keep the snapshot (DIR/snapshot) and results (DIR/out) in this directory")
    ap.add_argument("--snapshot", help="run on this existing snapshot directory (no synthesis)")
    ap.add_argument("--out", help="directory for the results (default: a temporary directory)")
    ap.add_argument("--postgres", help="postgres://… of a dedicated benchmark database: run the database adapter")
    ap.add_argument("--no-load", action="store_true", help="with --postgres: use the book already in the database")
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=AS_OF, help="with --postgres: first run date")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds of the engine and its peers (min taken)")
    ap.add_argument("--no-polars", action="store_true", help="leave the Polars peer out")
    ap.add_argument("--instalments", choices=["auto", "full", "changes"], default="auto",
                    help="instalment_state: the changes only, every instalment, or full at month end (auto)")
    args = ap.parse_args()
    if args.postgres:
        return postgres(args)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="eod-bench-"))
    if args.snapshot:
        snap_dir = Path(args.snapshot)
    else:
        snap_dir = work / "snapshot"
        t = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(target=_write, args=(args.accounts, args.seed,
                                                                                  str(snap_dir)))
        child.start()
        child.join()
        if child.exitcode:
            raise SystemExit(f"synth failed ({child.exitcode})")
        took = time.perf_counter() - t
        print(f"synth + Parquet write of {args.accounts:,} accounts: {took:.1f} s "
              f"({args.accounts / took:,.0f} accounts/s)")
    out_dir = Path(args.out) if args.out else work / "out"
    files = snapshot_files(snap_dir)
    peers = {"full baseline (hand-written DuckDB)": lambda: baseline(snap_dir, ACCOUNT_STEP),
             "DPD and penalty only (DuckDB)": lambda: baseline(snap_dir, DPD_AND_PENALTY)}
    if not args.no_polars:
        peers["Polars peer (lazy, streaming)"] = lambda: polars_peer(files)
    seconds: dict[str, list[float]] = {name: [] for name in ("engine account stage", "engine end to end", *peers)}
    result, peak_mb = None, 0.0
    for r in range(args.rounds):
        # alternating: the engine first in odd rounds, last in even ones (the first run is the engine's, so the
        # peak memory read after it is the engine's alone)
        order = ["engine", *peers] if r % 2 == 0 else [*peers, "engine"]
        for name in order:
            if name == "engine":
                result = engine.run(snap_dir, AS_OF, engine=args.engine, out=out_dir, instalments=args.instalments)
                seconds["engine account stage"].append(result.timings["accounts"])
                seconds["engine end to end"].append(result.summary["seconds"]["total"])
                if r == 0:
                    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            else:
                seconds[name].append(peers[name]())
        print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.3f} s" for k, v in seconds.items())
              + f" (load average {os.getloadavg()[0]:.1f})", flush=True)
    n = result.summary["accounts"]
    total = result.summary["seconds"]["total"]
    print(f"\nengine {args.engine}, {n:,} accounts (snapshot {snap_dir}, results {out_dir}); last run:")
    print(f"{'stage':<14}{'seconds':>10}{'accounts/s':>16}")
    for stage, sec in result.timings.items():
        print(f"{stage:<14}{sec:>10.3f}{(n / sec if sec else 0):>16,.0f}")
    print(f"{'end to end':<14}{total:>10.3f}{n / total:>16,.0f}")
    print(f"peak memory of the engine's first run (this process, RSS): {peak_mb:,.0f} MB")
    print(f"instalment_state: {result.summary['instalment_state']}")
    best = {k: min(v) for k, v in seconds.items()}
    acc = best["engine account stage"]
    print(f"\nthe account stage side by side, min of {args.rounds} alternating round(s), same snapshot, same process:")
    print(f"{'':<40}{'seconds':>10}{'engine / it':>14}")
    for name, sec in best.items():
        ratio = "" if name.startswith("engine") else f"{acc / sec:>13.2f}×"
        print(f"{name:<40}{sec:>10.3f}{ratio:>14}")
    print(f"queue: {result.summary['queue']}; buckets: {result.summary['buckets']}")
    print(f"load average: {os.getloadavg()}")


def polars_peer(files) -> float:
    """Seconds of the Polars peer of the account stage (``eod_polars.py``), collected into memory as the engine
    keeps its stage."""
    import eod_polars

    t = time.perf_counter()
    eod_polars.run(files, AS_OF)
    return time.perf_counter() - t


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
    os.environ.setdefault("CONCORD_DEV_KEYS", "1")  # a benchmark runs on development keys
    os.environ.setdefault("CONCORD_PII_KEY", "q2VhZ5a9oQm1n8kYtqWv0x3Zr7cLb4Gd6Hf2Je9KsPU=")
    import django

    django.setup()
    from django.core.management import call_command

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from eod_load import load

    from concord.eod.adapter import run_eod

    n = args.accounts
    if not args.no_load:
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
    day = args.as_of
    for label, as_of in (("first run", day), ("rerun (same date)", day), ("next day", day + dt.timedelta(days=1))):
        print(f"\nadapter, engine {args.engine}, {label} ({as_of}):")
        before = update_counts()
        cpu = cpu_seconds()
        t = time.perf_counter()
        run = run_eod(as_of, engine_name=args.engine,
                      progress=lambda stage, sec: print(f"  {stage:<13}{sec:>9.3f} s", flush=True))
        total = time.perf_counter() - t
        cpu = [b - a for a, b in zip(cpu, cpu_seconds())]
        print(f"  {'end to end':<13}{total:>9.3f} s  ({n / total:,.0f} accounts/s); written: {run.summary['written']}")
        print(f"  CPU seconds: this process {cpu[0]:.1f}, its PostgreSQL backend {cpu[1]:.1f} "
              f"(load average {os.getloadavg()[0]:.1f})")
        after = update_counts()
        print("  row updates (HOT): " + ", ".join(
            f"{table} {after[table][0] - before[table][0]:,} ({after[table][1] - before[table][1]:,})"
            for table in after))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (this process): {peak_mb:,.0f} MB")


def cpu_seconds() -> tuple[float, float]:
    """CPU time used so far by this process (all threads) and by its PostgreSQL backend (0 when the server is not
    on this machine): on a shared machine, what the run would take alone."""
    return cpu_time.of(), cpu_time.backend() or 0.0


def update_counts() -> dict[str, tuple[int, int]]:
    """Rows updated so far and how many of them were HOT (no new index entries), per domain table."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_force_next_flush()")
        cur.execute("SELECT pg_stat_clear_snapshot()")
        cur.execute("SELECT relname, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables "
                    "WHERE relname IN ('loans_loanaccount', 'cases_case') ORDER BY relname")
        return {name: (upd, hot) for name, upd, hot in cur.fetchall()}


if __name__ == "__main__":
    main()
